"""E-mail in the TUI, by keys: `m` on a lead picks a template, shows it rendered, sends the edited mail with ctrl+s
through a real SMTP server on 127.0.0.1, and logs it; `E` on the KPI tab shows the e-mail figures."""

from __future__ import annotations

import json

from textual.widgets import Input, Markdown, OptionList

from istui.services.notes import add_note
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import LeadsPane
from istui.tui.screens.forms import FormScreen, SheetScreen
from istui.tui.screens.mail import MailScreen, TemplatePicker

from smtp_support import write_mail_config
from tui_support import SIZE, loaded

BODY = "{{ lead.contact | default('ご担当者') }} 様\n\n{{ rep.display }} <{{ rep.email }}>\n{{ unsubscribe }}\n"


async def pick(pilot, template_id: str) -> None:
    """The template picker's option of `template_id` (the demo has templates of its own), chosen with Enter."""
    await pilot.pause(0.1)
    options = pilot.app.screen.query_one(OptionList)
    options.highlighted = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == template_id)
    await pilot.press("enter")
    await pilot.pause(0.2)


def lead_with_mail(ws) -> dict:
    """A demo lead with an address and a name the filter finds alone (`… Co.`)."""
    return next(lead for lead in ws.leads() if lead.get("email") and "Co." in lead["company"])


async def mail_with(pilot, lead: dict, template_id: str) -> None:
    """Leads → the lead → m → the template chosen."""
    await choose_lead(pilot, lead["company"])
    await pilot.press("m")
    await pick(pilot, template_id)


async def choose_lead(pilot, company: str) -> None:
    await pilot.press("1")
    await pilot.pause(0.1)
    await pilot.press("slash", *company, "enter")
    await pilot.pause(0.2)


async def test_m_sends_the_rendered_and_edited_template_and_logs_it(demo_ws, smtp, isolated_home) -> None:
    box, port = smtp
    write_mail_config(isolated_home, port)
    template = add_note(demo_ws, {"title": "資料のご案内", "kind": "template", "subject": "{{ lead.company }} 様へ", "body": BODY})
    lead = next(lead for lead in demo_ws.leads() if lead.get("email") and lead.get("contact") and not lead.get("email_status")
                and "Co." in lead["company"])
    app = IstuiApp(demo_ws, watch_interval=0.1, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await choose_lead(pilot, lead["company"])
        assert app.query_one(LeadsPane).selected_lead()["id"] == lead["id"]
        await pilot.press("m")
        await pilot.pause(0.1)
        assert isinstance(app.screen, TemplatePicker)
        await pick(pilot, template["id"])
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, MailScreen)
        subject = screen.query_one("#mail-subject", Input)
        assert subject.value == f"{lead['company']} 様へ"
        assert screen.query_one("#mail-body").text.startswith(f"{lead['contact']} 様")
        subject.value = "ご案内（改訂版）"
        await pilot.press("ctrl+s")
        for _ in range(100):
            await pilot.pause(0.05)
            if not isinstance(app.screen, MailScreen):
                break
        assert not isinstance(app.screen, MailScreen)
    [message] = box.messages
    assert message["Subject"] == "ご案内（改訂版）" and box.envelopes == [[lead["email"]]]
    sent = [json.loads(line) for path in (demo_ws.root / "activities" / "sato").glob("*.jsonl")
            for line in path.read_text("utf-8").splitlines() if '"message_id"' in line]
    assert [(a["lead"], a["template"], a["message_id"]) for a in sent] == [(lead["id"], template["id"], message["Message-ID"])]


async def test_m_without_a_transport_keeps_the_mail_and_log_only_opens_the_form(demo_ws) -> None:
    template = add_note(demo_ws, {"title": "Intro", "kind": "template", "subject": "Hello", "body": BODY})
    lead = lead_with_mail(demo_ws)
    app = IstuiApp(demo_ws, watch_interval=0.1, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await mail_with(pilot, lead, template["id"])
        assert isinstance(app.screen, MailScreen)
        await pilot.press("ctrl+s")
        await pilot.pause(0.5)
        assert isinstance(app.screen, MailScreen)  # refused: the mail stays on screen
        assert any("[mail]" in str(n.message) for n in app._notifications)
        await pilot.press("escape", "m", "end", "enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, FormScreen)  # "log an e-mail sent elsewhere": the log form as before


async def test_the_kpi_tab_shows_the_email_figures(demo_ws) -> None:
    app = IstuiApp(demo_ws, watch_interval=0.1, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("4", "m")
        await pilot.pause(0.3)
        await pilot.press("E")
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, SheetScreen):
                break
        assert isinstance(app.screen, SheetScreen)
        shown = app.screen.query_one(Markdown).source
        assert "E-mail · sato · 2026-11" in shown and "Unique opens" in shown and "Best time: opens" in shown


async def test_a_templates_effectiveness_shows_where_a_talk_notes_does(demo_ws) -> None:
    from textual.widgets import Static

    from istui.services.leads import log_activity
    from istui.tui.panes.notes import NotesPane

    template = add_note(demo_ws, {"title": "AAA template", "kind": "template", "subject": "Hi", "body": BODY})
    lead = next(lead for lead in demo_ws.leads() if lead.get("email"))
    log_activity(demo_ws, lead["id"], "email", "sent", at="2026-11-26 09:00", extra={"template": template["id"]})
    log_activity(demo_ws, lead["id"], "email", "opened", at="2026-11-26 09:30")
    app = IstuiApp(demo_ws, watch_interval=0.1, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("3")
        await pilot.pause(0.3)
        pane = app.query_one(NotesPane)
        for _ in range(50):
            await pilot.pause(0.05)
            if template["id"] in pane.usage:
                break
        assert pane.cell(template, "used") == "1"
        pane.show(template)
        meta = str(pane.query_one("#note-meta", Static).content)
        assert "Sent 1 · opened 100.0% · clicked 0.0%" in meta


async def test_a_campaign_from_the_leads_shown(demo_ws) -> None:
    """The palette's "Campaign to the leads shown": the Leads tab's filter is the audience (exclusions reported)."""
    from istui.services.campaigns import campaigns
    from istui.tui.screens.forms import FormScreen

    app = IstuiApp(demo_ws, watch_interval=0.1, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1", "slash", *"Co.", "enter")
        await pilot.pause(0.2)
        shown = {row["id"] for row in app.query_one(LeadsPane).table.rows}
        app.action_lead_action("campaign_from_view")
        await pilot.pause(0.2)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#field-name", Input).value = "Co. news"
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, FormScreen)
    [made] = campaigns(demo_ws)
    assert made["name"] == "Co. news" and set(made["audience"]) | {i for ids in made["excluded"].values() for i in ids} == shown
    assert made["audience"] and set(made["audience"]) <= shown and len(shown) < 600  # the view's leads, not every lead


async def test_a_hostile_template_is_a_notice_not_a_crash(demo_ws) -> None:
    template = add_note(demo_ws, {"title": "Bad", "kind": "template", "subject": "Hi",
                                  "body": "{% include '/etc/passwd' %}{% for i in range(100000000) %}x{% endfor %}"})
    lead = lead_with_mail(demo_ws)
    app = IstuiApp(demo_ws, watch_interval=0.1, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await mail_with(pilot, lead, template["id"])
        assert app.is_running and not isinstance(app.screen, MailScreen)
        assert any("cannot be rendered" in str(n.message) for n in app._notifications)
