"""E-mail benchmark at team-year scale (issue 15's budgets), run by hand, never in CI.

    .venv/bin/python bench/bench_mail.py [--dir bench/.cache]

On a copy of the team-year workspace (`bench/.cache/mail`, remade each run):
- a year of campaigns: twelve monthly campaigns of 5,000 recipients each, with their opens and clicks, appended;
- a 5,000-recipient campaign: created (every recipient rendered to find exclusions) and sent to a local SMTP server
  (aiosmtpd, in this process); the time in the transport is measured and set aside, as the budget says;
- `istui import email-events` of 100,000 SendGrid events as a whole process, in a mail service's mix (processed,
  delivered, opens, clicks, 2 % bounces, 1 % unsubscribes and spam reports), on a workspace in use (its local caches
  kept; the e-mail rows not read yet);
- the e-mail view (`kpi --email`, the KPI tab's `E`) for the fiscal year at team scope: cold (no rows cached),
  warm (nothing changed), and after a call is logged (one file read again).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_cli import build_workspace, print_budgets  # noqa: E402


def year_of_campaigns(ws, rng: random.Random) -> int:
    """Twelve monthly campaigns of 5,000 recipients (by address), with opens and clicks: appended as activities."""
    from istui.domain.ids import new_id
    from istui.store.workspace import iso

    leads = [lead for lead in ws.leads() if lead.get("email")]
    reps = sorted(ws.settings.roster or {"sato": {}})
    now = ws.now()
    rows, stamp = [], iso(now)
    for month in range(12):
        campaign = new_id()
        at = now - timedelta(days=30 * (12 - month) - 3)
        rep = reps[month % len(reps)]
        for lead in rng.sample(leads, 5000):
            sent = at + timedelta(seconds=rng.randint(0, 3600))
            base = {"lead": lead["id"], "kind": "email", "rep": rep, "campaign": campaign, "created_at": stamp,
                    "updated_at": stamp, "updated_by": rep}
            rows.append({**base, "id": new_id(), "outcome": "sent", "at": iso(sent), "address": lead["email"]})
            roll = rng.random()
            if roll < 0.4:
                rows.append({**base, "id": new_id(), "outcome": "opened", "at": iso(sent + timedelta(minutes=rng.randint(5, 900))),
                             "machine": roll < 0.08})
            if roll < 0.1:
                rows.append({**base, "id": new_id(), "outcome": "clicked", "url": "https://example.co.jp/lp",
                             "at": iso(sent + timedelta(minutes=rng.randint(10, 900)))})
    ws.bulk_insert(activities=rows)
    return len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / ".cache")
    args = parser.parse_args()
    source = build_workspace(args.dir)
    copy = args.dir / "mail"
    shutil.rmtree(copy, ignore_errors=True)
    start = time.perf_counter()
    shutil.copytree(source, copy)  # with its local caches (file checks, rollups), as a workspace in use has them
    print(f"copied the team-year workspace in {time.perf_counter() - start:.1f} s")
    home = args.dir / "mail-home"
    shutil.rmtree(home, ignore_errors=True)
    os.environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), ISTUI_WORKSPACE=str(copy), ISTUI_REP="sato")
    os.environ.pop("ISTUI_NOW", None)

    from aiosmtpd.controller import Controller

    from istui.services import campaigns, mail
    from istui.services.mail_rows import email_report
    from istui.services.notes import add_note
    from istui.store.workspace import Workspace

    from smtp_support import Mailbox, free_port, write_mail_config

    ws = Workspace.open(copy, "sato")
    rng = random.Random(15)
    start = time.perf_counter()
    added = year_of_campaigns(ws, rng)
    print(f"a year of campaigns: {added:,} activities appended in {time.perf_counter() - start:.1f} s")

    box, port = Mailbox(), free_port()
    server = Controller(box, hostname="127.0.0.1", port=port)
    server.start()
    write_mail_config(home, port)
    template = add_note(ws, {"title": "Bench", "kind": "template", "subject": "{{ lead.company }} 様：ご案内",
                             "body": "{{ lead.contact | default('ご担当者') }} 様\n\n本文です。\n\n{{ rep.display }} <{{ rep.email }}>\n"
                                     "{{ unsubscribe }}\n"})
    ws = Workspace.open(copy, "sato")
    tag = "bench-5000"
    chosen = rng.sample([lead for lead in ws.leads() if lead.get("email") and not lead.get("dnc")], 5200)
    ws.update_leads({lead["id"]: {"tags": [*lead.get("tags", []), tag]} for lead in chosen})
    start = time.perf_counter()
    campaign = campaigns.create(ws, "bench", template["id"], {"tag": tag})
    create_ms = (time.perf_counter() - start) * 1000
    audience = len(campaign["audience"])
    spent = [0.0]
    original = mail.Transport.send

    def timed(self, message):  # the time in the transport (SMTP) is set aside
        began = time.perf_counter()
        try:
            return original(self, message)
        finally:
            spent[0] += time.perf_counter() - began

    mail.Transport.send = timed  # type: ignore[method-assign]
    start = time.perf_counter()
    result = campaigns.send(Workspace.open(copy, "sato"), campaign["id"])
    send_total = (time.perf_counter() - start) * 1000
    mail.Transport.send = original  # type: ignore[method-assign]
    server.stop()
    assert result.sent == audience == len(box.raw), (result.sent, audience, len(box.raw))
    print(f"campaign: {audience:,} recipients, sent {result.sent:,}; SMTP {spent[0] * 1000:,.0f} ms of {send_total:,.0f} ms")

    events = args.dir / "mail-events.csv"
    addressed = [lead["email"] for lead in ws.leads() if lead.get("email")]
    base = int(datetime.now().timestamp()) - 40 * 86400
    with events.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["email", "timestamp", "event", "url", "sg_event_id", "sg_message_id", "marketing_campaign_name",
                         "sg_machine_open"])
        for number in range(100_000):
            kind = rng.choices(("processed", "delivered", "open", "click", "bounce", "unsubscribe", "spamreport"),
                               (25, 35, 28, 9, 2, 0.8, 0.2))[0]  # a mail service's mix: few bounces and opt-outs
            writer.writerow([rng.choice(addressed), base + rng.randint(0, 30 * 86400), kind,
                             "https://example.co.jp/lp" if kind == "click" else "", f"ev{number}", f"m{number}", "",
                             "true" if kind == "open" and rng.random() < 0.1 else "false"])
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": ""}
    # as a workspace in use is: its files checked (the year of campaigns' appends too, as any report does), the e-mail
    # rows not read yet
    subprocess.run([sys.executable, "-m", "istui", "kpi", "--team", "--period", "fy"], env=env, capture_output=True, check=True)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "istui", "import", "email-events", str(events)], env=env,
                          capture_output=True, text=True)
    import_s = time.perf_counter() - start
    print(done.stdout.strip().splitlines()[0] if done.stdout else done.stderr.strip())

    ws = Workspace.open(copy, "sato")
    start = time.perf_counter()
    report = email_report(ws, "fy", None)
    cold = (time.perf_counter() - start) * 1000
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        email_report(ws, "fy", None)
        warm.append((time.perf_counter() - start) * 1000)
    after = []
    lead = chosen[0]["id"]
    from istui.services.leads import log_activity

    for _ in range(3):
        log_activity(ws, lead, "call", "no_answer")
        start = time.perf_counter()
        email_report(ws, "fy", None)
        after.append((time.perf_counter() - start) * 1000)
    fresh = []
    for _ in range(3):  # a new process's case: the rows read from their cache file
        other = Workspace.open(copy, "sato")
        start = time.perf_counter()
        email_report(other, "fy", None)
        fresh.append((time.perf_counter() - start) * 1000)
    print(f"e-mail view (fy, team): {report['totals']['sent']:,} sends, {len(report['campaigns'])} campaigns")
    print_budgets([
        ("5,000-recipient campaign created (all rendered)", create_ms, None, "ms"),
        ("5,000-recipient campaign rendered and queued, SMTP aside", send_total - spent[0] * 1000 + create_ms, 5000, "ms"),
        ("import of 100,000 e-mail events (whole process)", import_s, 10, "s"),
        ("e-mail view fy team, cold", cold, None, "ms"),
        ("e-mail view fy team, warm (median of 5)", statistics.median(warm), 200, "ms"),
        ("e-mail view fy team, after a call (median of 3)", statistics.median(after), None, "ms"),
        ("e-mail view fy team, new process, rows cached", statistics.median(fresh), None, "ms"),
    ])
    return 0


if __name__ == "__main__":
    sys.exit(main())
