"""No text executes (DESIGN.md section 8), in the CLI: control characters are refused on every input path
(options, FIELD=VALUE, note files and stdin, CSV import), and text from a hostile workspace (a teammate's
commit, a hand edit) reaches neither stdout nor stderr as a control character."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from istui.services.export import to_csv
from istui.store.workspace import Workspace

from conftest import add_lead, istui_process
from hostile_support import (
    CLEAR,
    CLIPBOARD,
    HOSTILE,
    LEAD_ID,
    MARKUP,
    NOTE_ID,
    OTHER_ID,
    TITLE,
    control_characters,
    hostile_workspace,
)
from test_cli import snapshot


@pytest.fixture
def hostile(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`cli`, run against a hostile workspace of rep alice."""
    ws = hostile_workspace(tmp_path / "hostile")
    monkeypatch.setenv("ISTUI_WORKSPACE", str(ws.root))
    return cli


# --- out: every printer ------------------------------------------------------------------------------

TEXT_COMMANDS = [
    ["lead", "list"], ["lead", "list", "--search", "acme"], ["lead", "show", LEAD_ID], ["lead", "show", OTHER_ID],
    ["today"], ["today", "--all"], ["note", "list"], ["note", "show", NOTE_ID], ["kpi"], ["kpi", "--period", "month"],
    ["review"], ["review", "--format", "md"], ["doctor"], [],
    ["export", "leads"], ["export", "activities"], ["export", "notes"],
]


@pytest.mark.parametrize("args", TEXT_COMMANDS, ids=lambda args: " ".join(args[:3]) or "home")
def test_no_control_character_reaches_the_terminal(hostile, args: list[str]) -> None:
    result = hostile(*args)
    assert result.code in (0, 1), result.err  # doctor finds the bad values (exit 1), and says so in words
    allowed = "\n\t" if args[:2] == ["note", "show"] else "\n"
    if args[:1] == ["export"]:
        allowed = "\n\r\t"  # CSV rows end in CR LF; cells keep their line breaks
    assert control_characters(result.out, allowed) == [], result.out
    assert control_characters(result.err) == [], result.err


def test_hostile_text_is_shown_visibly_and_literally(hostile) -> None:
    shown = hostile("lead", "show", LEAD_ID).out
    assert "Acme\ufffd]0;PWNED\ufffd" in shown and "\ufffd[2J" in shown and "\ufffd]52;c;SGVsbG8=\ufffd" in shown
    assert MARKUP in shown and "Smith [/bold] & Co" in shown  # markup stays literal
    assert "Approved Rejected" in shown  # a carriage return never draws over the line
    note = hostile("note", "show", NOTE_ID).out
    assert "- second line\ttabbed\n- third" in note  # a note's lines and tabs stay


@pytest.mark.parametrize("args", [["lead", "show", LEAD_ID], ["lead", "list"], ["note", "show", NOTE_ID],
                                  ["today"], ["kpi"], ["doctor"]], ids=lambda args: " ".join(args[:2]))
def test_json_output_is_the_data_without_raw_control_characters(hostile, args: list[str]) -> None:
    result = hostile(*args, "--json")
    assert control_characters(result.out) == []
    document = result.json
    if args[:2] == ["lead", "show"]:
        assert document["company"] == HOSTILE  # the same text, escaped, not lost


def test_a_whole_process_writes_no_control_byte(tmp_path: Path) -> None:
    ws = hostile_workspace(tmp_path / "hostile")
    env = {"ISTUI_WORKSPACE": str(ws.root), "ISTUI_REP": "alice"}
    for args in (["lead", "show", LEAD_ID], ["note", "show", NOTE_ID], ["lead", "list"]):
        result = istui_process(*args, env=env)
        raw = result.stdout.encode("utf-8") + result.stderr.encode("utf-8")
        assert not [b for b in raw if b < 0x20 and b not in b"\n\t"], args
        assert b"\x1b" not in raw and "\x9b".encode() not in raw


def test_handoff_sheet_and_error_messages_are_safe(hostile) -> None:
    assert hostile("rep", "add", "kimura", "--role", "field").code == 0
    sheet = hostile("handoff", OTHER_ID, "--to", "kimura", "--need", "one\ntwo", "--budget", "1", "--authority", "部長", "--timeline", "来期")
    assert sheet.code == 0, sheet.err
    assert control_characters(sheet.out, "\n\t") == [] and "# Handoff: Other \ufffd\\[2J" in sheet.out  # tabs of a memo
    for args in (["lead", "set", LEAD_ID, f"next={TITLE}"], ["lead", "list", "--stage", CLEAR],
                 ["lead", "show", CLIPBOARD], [f"lea{TITLE}d"], ["lead", "set", LEAD_ID, f"{CLEAR}=x"]):
        result = hostile(*args)
        assert result.code == 2 and result.err.startswith(("istui:", "usage:"))
        assert control_characters(result.err) == [], result.err


# --- in: every input path refuses control characters and unbounded text ------------------------------

@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["lead", "add", "--company", f"Acme{TITLE}"], "company"),
        (["lead", "add", "--company", "Acme", "--tag", f"vip{CLIPBOARD}"], "tags"),
        (["lead", "add", "--company", "Acme", "--tag", "x" * 100_000], "tags"),
        (["lead", "add", "--company", "Acme", "--memo", f"call back{CLEAR}"], "memo"),
        (["lead", "add", "--company", "Acme", "--contact", "Sato\x08\x08\x08Kato"], "contact"),
        (["lead", "add", "--company", "Acme\u202eexe.txt"], "company"),
        (["lead", "add", "--company", "Acme \x9b2J"], "company"),
        (["lead", "add", "--company", "x" * 201], "company"),
    ],
)
def test_typed_control_characters_and_long_text_are_refused(cli, ws: Workspace, args: list[str], field: str) -> None:
    before = snapshot(ws.root)
    result = cli(*args)
    assert result.code == 2 and result.err.startswith(f"istui: {field}") and result.err.count("\n") == 1, result.err
    assert control_characters(result.err) == []
    assert snapshot(ws.root) == before


def test_every_command_that_takes_text_refuses_control_characters(cli, ws: Workspace, tmp_path: Path) -> None:
    lead = add_lead(cli, "Acme")
    note = cli("note", "add", "--title", "Script", "--json").json
    cli("rep", "add", "kimura", "--role", "field")
    body = tmp_path / "body.md"
    body.write_text(f"# Hello\n{TITLE}\n", "utf-8")
    before = snapshot(ws.root)
    for args, stdin, field in (
        (["lead", "set", lead["id"], f"memo=ok{CLEAR}"], None, "memo"),
        (["lead", "set", lead["id"], f"tags=a,b{TITLE}"], None, "tags"),
        (["log", "call", lead["id"], "-o", "2", "--note", f"left a message{CLEAR}"], None, "note"),
        (["log", "call", lead["id"], "-o", "2", "--next-action", f"call{TITLE}"], None, "next_action"),
        (["lead", "stage", lead["id"], "nurturing", "--note", f"later{CLEAR}"], None, "note"),
        (["handoff", lead["id"], "--to", "kimura", "--budget", f"300{TITLE}"], None, "budget"),
        (["handoff", lead["id"], "--to", "kimura", "--note", "x" * 5000], None, "note"),
        (["note", "add", "--title", "T", "--file", str(body)], None, "body"),
        (["note", "add", "--title", "T", "--file", "-"], f"stdin {CLIPBOARD}", "body"),
        (["note", "edit", note["id"], "--file", "-"], f"stdin {CLEAR}", "body"),
        (["note", "add", "--title", f"T{TITLE}"], None, "title"),
        (["note", "edit", note["id"], "--tag", f"t{TITLE}"], None, "tags"),
    ):
        result = cli(*args, stdin=stdin)
        assert result.code == 2 and result.err.startswith(f"istui: {field}"), (args, result.err)
        assert control_characters(result.err) == []
    assert snapshot(ws.root) == before


def test_bytes_that_are_not_utf8_are_refused_not_a_traceback(ws: Workspace) -> None:
    env = {"ISTUI_WORKSPACE": str(ws.root), "ISTUI_REP": "alice"}
    result = istui_process("lead", "add", "--company", "Acme \udcff Labs", env=env, check=False)  # argv byte 0xff
    assert result.returncode == 2 and result.stderr.startswith("istui: company contains a byte that is not UTF-8 (U+DCFF)")
    assert "Traceback" not in result.stderr


def test_a_team_name_is_text_too(cli, tmp_path: Path) -> None:
    result = cli("init", str(tmp_path / "new"), "--rep", "alice", "--team", f"Sales{TITLE}")
    assert result.code == 2 and result.err.startswith("istui: team contains a control character")
    assert not (tmp_path / "new" / "istui.toml").exists()


def test_multi_line_fields_keep_their_lines(cli) -> None:
    lead = add_lead(cli, "Acme\nLabs", "--memo", "first\r\nsecond\tcolumn")
    assert lead["company"] == "Acme Labs" and lead["memo"] == "first\nsecond\tcolumn"
    logged = cli("log", "call", lead["id"], "-o", "1", "--note", "asked for\nthe price list", "--json").json
    assert logged["activity"]["note"] == "asked for\nthe price list"
    shown = cli("lead", "show", lead["id"]).out
    assert "first\n" in shown and "second\tcolumn" not in shown  # on screen: indented lines, tabs as spaces
    assert control_characters(shown) == []


# --- CSV import --------------------------------------------------------------------------------------

def write_csv(tmp_path: Path, rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = tmp_path / "hostile.csv"
    path.write_text(out.getvalue(), "utf-8")
    return str(path)


def test_import_refuses_rows_with_control_characters_naming_the_column(cli, ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path, [
        ["会社名", "Email", "Notes", f"Evil{TITLE}"],
        ["Good Co", "good@co.com", "first\nsecond", f"{CLEAR}ignored"],
        [f"Bad{TITLE} Co", "bad@co.com", "", ""],
        ["Wrapped\nCompany", "wrap@co.com", f"memo {CLIPBOARD}", ""],
    ])
    before = snapshot(ws.root)
    dry = cli("import", "leads", path, "--dry-run")
    assert dry.code == 2  # as a real run: refused
    assert control_characters(dry.out) == [] and control_characters(dry.err) == []
    assert "row    2  ok" in dry.out
    assert "row    3  error     none   Bad\ufffd]0;PWNED\ufffd Co — column 会社名 (company) contains a control character " \
           "(U+001B)" in dry.out
    assert "row    4  error" in dry.out and "column Notes (memo) contains a control character (U+001B)" in dry.out
    report = cli("import", "leads", path, "--dry-run", "--json").json
    assert report["rows"][0]["lead"]["memo"] == "first\nsecond"  # a memo keeps its lines
    assert [row["status"] for row in report["rows"]] == ["ok", "error", "error"]
    real = cli("import", "leads", path)
    assert real.code == 2 and "2 row(s) have errors, so nothing was imported" in real.err
    assert control_characters(real.out) == []
    assert snapshot(ws.root) == before


def test_import_folds_line_breaks_in_one_line_fields(cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path, [["Company", "Title"], ["Wrapped\r\nCompany K.K.", "Head of\nSales"]])
    report = cli("import", "leads", path, "--json").json
    assert report["rows"][0]["lead"]["company"] == "Wrapped Company K.K."
    assert report["rows"][0]["lead"]["title"] == "Head of Sales"


def test_import_report_shows_hostile_header_names_safely(cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path, [[f"Firma{TITLE}", "Email"], ["Acme", "a@acme.com"]])
    missing = cli("import", "leads", path)
    assert missing.code == 2 and "Firma\ufffd]0;PWNED\ufffd" in missing.err and control_characters(missing.err) == []
    mapped = cli("import", "leads", path, "--map", f"Firma{TITLE}=company", "--dry-run")
    assert mapped.code == 0 and "Firma\ufffd]0;PWNED\ufffd→company" in mapped.out
    assert control_characters(mapped.out) == []


# --- export ------------------------------------------------------------------------------------------

def test_export_to_a_folder_or_a_missing_folder_is_one_sentence(cli, tmp_path: Path) -> None:
    add_lead(cli, "Acme")
    folder = cli("export", "leads", "-o", str(tmp_path))
    assert folder.code == 2 and folder.err.count("\n") == 1 and "is a folder" in folder.err
    missing = tmp_path / "reports" / "2026" / "leads.csv"
    result = cli("export", "leads", "-o", str(missing))
    assert result.code == 2 and result.err.count("\n") == 1
    assert f"the folder {missing.parent} does not exist" in result.err
    assert not (tmp_path / "reports").exists()  # never created silently


def test_export_to_an_unwritable_folder_is_one_sentence(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_lead(cli, "Acme")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.geteuid() == 0:  # root writes anywhere: let the file system say no as it would to a rep
        from istui.store import files

        def refuse(path: Path, content: bytes) -> Path:
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(files, "write_temp", refuse)
    result = cli("export", "leads", "-o", str(locked / "leads.csv"))
    assert result.code == 1 and result.err.count("\n") == 1
    assert f"cannot write {locked / 'leads.csv'}: permission denied" in result.err
    assert list(locked.iterdir()) == []


def test_csv_export_neutralises_formulas_and_control_characters() -> None:
    cells = {"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\t=1+1": "'\t=1+1",
             "\r=1+1": "'\n=1+1", "ok": "ok", f"a{TITLE}b": "a\ufffd]0;PWNED\ufffdb", "line\r\nbreak": "line\nbreak"}
    records = [{"id": f"n{i}", "title": cell, "body": cell} for i, cell in enumerate(cells)]
    rows = list(csv.DictReader(io.StringIO(to_csv("notes", records))))
    assert [row["title"] for row in rows] == list(cells.values())
    assert [row["body"] for row in rows] == list(cells.values())


def test_json_export_escapes_what_json_leaves_raw(hostile) -> None:
    out = hostile("export", "leads", "--json").out
    assert control_characters(out) == [] and "\\u009b" in out and "\\u202e" in out
    assert {lead["company"] for lead in json.loads(out)} == {HOSTILE, f"Other {CLEAR}"}
