"""A hostile workspace: records holding terminal escape sequences and Rich markup, written straight into
the workspace files (no input validation), as a teammate's commit or a hand edit would deliver them."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from istui.store.settings import Settings, write_toml
from istui.store.workspace import Workspace, bucket_of

from conftest import fixed_clock

TITLE = "\x1b]0;PWNED\x07"  # sets the terminal's title
CLEAR = "\x1b[2J"  # clears the screen
CLIPBOARD = "\x1b]52;c;SGVsbG8=\x07"  # OSC 52: writes the clipboard
OVERWRITE = "Approved\rRejected"  # a carriage return draws over what was shown
BACKSPACE = "ok\x08\x08no"
C1 = "\x9b31m\x85"  # a one-character CSI and NEL
BIDI = "\u202etxt.exe"  # a right-to-left override
SURROGATE = "\udcff"  # not text at all: cannot even be written as UTF-8
MARKUP = "[@click=app.quit]x[/]"
CLOSE = "Smith [/bold] & Co"
HOSTILE = f"Acme{TITLE} {CLEAR}{CLIPBOARD} {OVERWRITE} {BACKSPACE} {C1}{BIDI} {MARKUP} {CLOSE}"
HOSTILE_BODY = f"# Talk\n\n{HOSTILE}\n\n- second line\ttabbed\r\n- third"

LEAD_ID = "01M8000000000000000000BAD1"
OTHER_ID = "01M8000000000000000000BAD2"
NOTE_ID = "01M8000000000000000000BAD3"
STAMPS = {"created_at": "2026-11-20T09:00:00+09:00", "updated_at": "2026-11-20T09:00:00+09:00", "updated_by": "alice"}


def hostile_lead(lead_id: str = LEAD_ID, company: str = HOSTILE) -> dict:
    return {"id": lead_id, "company": company, "company_kana": HOSTILE, "contact": HOSTILE, "contact_kana": HOSTILE + SURROGATE,
            "title": HOSTILE, "phone": "03-1234-5678" + CLEAR, "email": f"a{TITLE}@example.com", "source": "web_inquiry" + TITLE,
            "motion": "sdr", "stage": "working", "temp": "hot", "owner": "alice", "next_at": "2026-11-27T09:00:00+09:00",
            "next_action": HOSTILE, "tags": [HOSTILE, MARKUP, CLIPBOARD], "amount": None, "memo": HOSTILE_BODY,
            "handoff": {"to": HOSTILE, "at": "2026-11-26T10:00:00+09:00", "by": "alice", "budget": HOSTILE,
                        "authority": HOSTILE, "need": HOSTILE_BODY, "timeline": HOSTILE, "note": HOSTILE_BODY},
            **STAMPS}


def write_record_lines(path: Path, table: str, records: list[dict]) -> None:
    """A record-lines file (store.fileformat), with \\u escapes so that a lone surrogate can be stored."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{json.dumps(r['id'])}: {json.dumps(r, sort_keys=True)}" for r in sorted(records, key=lambda r: r["id"])]
    path.write_text(f'{{"{table}": {{\n' + ",\n".join(lines) + "\n}}\n", "utf-8")


def hostile_workspace(root: Path, rep: str = "alice") -> Workspace:
    """A workspace of `rep` with a hostile lead (due today), a second one, a hostile note and activities."""
    Workspace.create(root, rep, Settings(team="Team", timezone="Asia/Tokyo"), clock=fixed_clock)
    write_toml(root / "istui.toml", {"team": f"Team{TITLE}{CLEAR}"})  # as a commit brings it: `istui settings` refuses it
    other = {**hostile_lead(OTHER_ID, f"Other {CLEAR}"), "contact_kana": "", "handoff": None, "stage": "meeting"}
    leads = [hostile_lead(), other]  # (a lone surrogate only in the first: the store could not write it back)
    for lead in leads:
        bucket = root / "leads" / f"{bucket_of(lead['id'])}.json"
        existing = json.loads(bucket.read_text("utf-8"))["leads"] if bucket.exists() else {}
        write_record_lines(bucket, "leads", [*existing.values(), lead])
    write_record_lines(root / "notes.json", "notes", [
        {"id": NOTE_ID, "title": HOSTILE, "kind": "script", "tags": ["web_inquiry", HOSTILE], "body": HOSTILE_BODY,
         "pinned": True, **STAMPS}])
    activities = [
        {"id": "01M8000000000000000000ACT1", "lead": LEAD_ID, "rep": rep, "kind": "call", "outcome": "connected",
         "at": "2026-11-26T10:00:00+09:00", "note": HOSTILE_BODY, "script": NOTE_ID, "duration": 120, **STAMPS},
        {"id": "01M8000000000000000000ACT2", "lead": LEAD_ID, "rep": rep, "kind": "call", "outcome": "meeting_booked",
         "at": "2026-11-27T09:30:00+09:00", "note": HOSTILE, **STAMPS},
        {"id": "01M8000000000000000000ACT3", "lead": LEAD_ID, "rep": rep, "kind": "email", "outcome": "sent",
         "at": "2026-11-27T09:40:00+09:00", "note": HOSTILE, **STAMPS},
    ]
    folder = root / "activities" / rep
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2026-11.jsonl").write_text("".join(json.dumps(a, sort_keys=True) + "\n" for a in activities), "utf-8")
    return Workspace.open(root, rep, clock=fixed_clock)


def control_characters(text: str, allowed: str = "\n") -> list[str]:
    """The characters of `text` that must not reach a terminal (besides those `allowed`)."""
    bad = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")
    return [ch for ch in text if ch not in allowed and (unicodedata.category(ch) in ("Cc", "Cs") or ch in bad)]
