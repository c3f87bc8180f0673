"""Make a SendGrid-style event export for a campaign sent from istui, to try `istui import email-events`:

    .venv/bin/python docs/sendgrid-events.py CAMPAIGN_ID > sendgrid-events.csv

Reads the campaign's sends with `istui export activities --json` (same workspace and rep as your shell) and writes,
for each, SendGrid's columns (email, timestamp, event, url, sg_event_id, sg_message_id, marketing_campaign_name,
sg_machine_open): processed and delivered, then for some recipients an open (some of them machine opens), a click,
a bounce or an unsubscribe, minutes to hours after the send. Seeded: the same campaign gives the same file.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from datetime import datetime

if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
    sys.exit(__doc__)
campaign_id = sys.argv[1]
istui = [sys.executable, "-m", "istui"]
shown = json.loads(subprocess.run([*istui, "campaign", "show", campaign_id, "--json"], check=True, capture_output=True).stdout)
activities = json.loads(subprocess.run([*istui, "export", "activities", "--json"], check=True, capture_output=True).stdout)
sends = [a for a in activities if a.get("campaign") == shown["id"] and a.get("outcome") == "sent"]
rng = random.Random(shown["id"])
out = csv.writer(sys.stdout)
out.writerow(["email", "timestamp", "event", "url", "sg_event_id", "sg_message_id", "marketing_campaign_name", "sg_machine_open"])


def event(send: dict, number: int, name: str, after: int, url: str = "", machine: str = "") -> None:
    sent, message = int(datetime.fromisoformat(send["at"]).timestamp()), f"sg{number:05d}.filter"
    out.writerow([send["address"], sent + after, name, url, f"{message}.{name}.{after}", message, shown["name"], machine])


for number, send in enumerate(sends):
    event(send, number, "processed", 1)
    roll = rng.random()
    if roll < 0.04:
        event(send, number, "bounce", 20)
        continue
    event(send, number, "delivered", 5)
    if roll < 0.55:  # (some opens are a machine's alone: 0.45–0.55 open by a machine and never click)
        event(send, number, "open", rng.randint(300, 6 * 3600), machine="true" if roll > 0.45 else "false")
    if roll < 0.25:
        event(send, number, "click", rng.randint(600, 8 * 3600), url="https://example.co.jp/resources/overview")
    if 0.53 < roll < 0.56:
        event(send, number, "unsubscribe", rng.randint(900, 9 * 3600))
