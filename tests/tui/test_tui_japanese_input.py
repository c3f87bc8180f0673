"""A Japanese rep in the TUI: the Leads filter finds 東洋 by `toyo` (its reading in romaji), and the call
block takes a follow-up typed in Japanese (`明日10:00`), which the card then shows in the short form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from istui.domain.romaji import romaji_forms
from istui.i18n import set_language
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import LeadsPane
from istui.tui.widgets.cards import lead_card

from tui_support import SIZE, loaded, make_demo, start_call_block


@pytest.fixture(autouse=True)
def japanese() -> Iterator[None]:
    set_language("ja")
    yield
    set_language("en")


def ja_app(tmp_path: Path) -> IstuiApp:
    return IstuiApp(make_demo(tmp_path / "demo", "ja"), watch_interval=60, status_delay=0)


@pytest.mark.parametrize("query", ["toyo", "touyou", "TOUYOU"])
async def test_the_leads_filter_finds_a_reading_in_romaji(tmp_path: Path, query: str) -> None:
    app = ja_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1", "slash", *query, "enter")
        await pilot.pause(0.2)
        rows = app.query_one(LeadsPane).table.rows
        found = {row["id"] for row in rows}
        assert {lead["id"] for lead in app.leads if "東洋" in lead["company"]} <= found
        wanted = query.lower()  # and every lead found says it in a reading (松本 陽子: matsumoTOYOko, as in Latin names)
        assert all(any(wanted in form for reading in (row.get("company_kana"), row.get("contact_kana")) if reading
                       for form in romaji_forms(reading)) for row in rows)


async def test_the_call_block_takes_a_follow_up_typed_in_japanese(tmp_path: Path) -> None:
    app = ja_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        block = await start_call_block(pilot)
        lead_id = block.queue[block.index]["id"]
        await pilot.press("8", "enter")  # a callback: Enter alone moves to the follow-up field, which asks for it
        assert app.focused is block.query_one("#prompt-next")
        await pilot.press(*"明日10:00", "enter")
        await pilot.pause(0.2)
        assert block.pending is None
        lead = app.ws.get_lead(lead_id)
        assert lead["next_at"] == "2026-11-28T10:00:00+09:00"
        assert "明日 10:00" in lead_card(lead, app.state.now).plain


def test_the_lead_forms_end_of_day_is_the_workspaces() -> None:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from istui.tui.screens.record_forms import lead_form

    now = datetime(2026, 11, 27, 10, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    form = lead_form(["other"], now, day_end=time(19, 30))
    check = next(field.check for field in form.fields if field.name == "next")
    assert check("今日中") == {"next_at": "2026-11-27T19:30:00+09:00"}
    assert check("あさって 午後3時") == {"next_at": "2026-11-29T15:00:00+09:00"}
