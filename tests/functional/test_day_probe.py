"""What a fresh look at the working day (issue 12) found: files of the wrong type given to `import leads`
(UTF-16 "Unicode text", an Excel workbook renamed .csv, a PDF), a note body piped into `note edit`, amounts
in mixed Japanese units and currency words, figures rounded to the currency's unit, made-up currency
codes, people's local times in the activities export, an invisible company name, and every missing rate
of a plan named at once."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from istui.domain.errors import BadInput
from istui.domain.formatting import money, short_money
from istui.domain.parsing import parse_amount, parse_tags, require_text
from istui.i18n import set_language
from istui.services.plan import rate_lines
from istui.store.workspace import Workspace

from conftest import add_lead


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and ".istui" not in p.parts}


# --- A. files that are not (UTF-8 or CP932, comma-separated) CSV ------------------------------------------------

UNICODE_TEXT = "会社名\t担当者名\t電話番号\r\n株式会社東洋商事\t山田 太郎\t03-1234-5678\r\nAcme, Inc.\tJo\t03-2222-3333\r\n"


@pytest.mark.parametrize("encoded", [
    "\ufeff".encode("utf-16-le") + UNICODE_TEXT.encode("utf-16-le"),  # Excel's "Unicode text": LE with a BOM
    UNICODE_TEXT.encode("utf-16"),  # the BOM this machine writes
    b"\xfe\xff" + UNICODE_TEXT.encode("utf-16-be"),
], ids=["le-bom", "native", "be-bom"])
def test_excel_unicode_text_utf16_and_tab_separated_is_read(cli, tmp_path: Path, encoded: bytes) -> None:
    path = tmp_path / "leads.txt"
    path.write_bytes(encoded)
    report = cli("import", "leads", str(path), "--json").json
    assert report["encoding"] == "utf-16" and report["summary"]["added"] == 2
    assert report["columns"] == {"会社名": "company", "担当者名": "contact", "電話番号": "phone"}
    leads = {lead["company"]: lead for lead in cli("lead", "list", "--json").json}
    assert (leads["株式会社東洋商事"]["contact"], leads["株式会社東洋商事"]["phone"]) == ("山田 太郎", "03-1234-5678")
    assert leads["Acme, Inc."]["phone"] == "03-2222-3333"  # a comma inside a tab-separated cell stays in it


def test_semicolon_and_tab_separated_utf8_files_are_read(cli, tmp_path: Path) -> None:
    tabs = tmp_path / "tabs.tsv"
    tabs.write_text("Company\tPhone\nTab KK\t03-1111-2222\n", "utf-8")
    semis = tmp_path / "semis.csv"
    semis.write_text("Company;Phone\nSemi GmbH;03-3333-4444\n", "utf-8")
    for path in (tabs, semis):
        assert cli("import", "leads", str(path), "--json").json["summary"]["added"] == 1
    assert {lead["company"] for lead in cli("lead", "list", "--json").json} == {"Tab KK", "Semi GmbH"}


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet><c>Company</c></worksheet>")
    return out.getvalue()


def test_a_workbook_openpyxl_cannot_read_is_one_sentence(cli, ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    path.write_bytes(xlsx_bytes())  # a zip with xl/ parts, but no workbook in it
    before = files(ws.root)
    result = cli("import", "leads", str(path))
    assert result.code == 2 and result.out == "" and result.err.count("\n") == 1
    assert result.err.startswith("istui: The workbook could not be read (") and "save it again in Excel" in result.err
    assert files(ws.root) == before


@pytest.mark.parametrize(("raw", "kind"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "a PNG image"),
    (b"\x00\x01\x02\x03company\x00\xff", "a binary file"),
], ids=["pdf", "png", "binary"])
def test_a_file_that_is_not_text_is_named_in_one_sentence(cli, ws: Workspace, tmp_path: Path, raw: bytes,
                                                           kind: str) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(raw)
    before = files(ws.root)
    result = cli("import", "leads", str(path))
    assert result.code == 2 and result.out == ""
    assert result.err == f"istui: The file is {kind}, not CSV; save it as CSV (UTF-8) and import that.\n"
    assert cli("import", "leads", "-", stdin=raw.decode("latin-1")).code == 2  # the same read from standard input
    assert files(ws.root) == before


# --- B. a note body piped into `note edit`, or given two ways -----------------------------------------------------

def test_note_edit_takes_body_and_piped_text_and_refuses_nothing_or_both(cli, ws: Workspace) -> None:
    note = cli("note", "add", "--title", "Script", "--body", "old", "--json").json
    piped = cli("note", "edit", note["id"], "--json", stdin="# 新しい台本\n価格は最後に。\n")
    assert piped.code == 0 and piped.json["body"] == "# 新しい台本\n価格は最後に。\n"
    given = cli("note", "edit", note["id"], "--body", "given", "--title", "Script 2", "--json")
    assert given.code == 0 and (given.json["body"], given.json["title"]) == ("given", "Script 2")
    from_stdin = cli("note", "edit", note["id"], "--file", "-", "--json", stdin="from stdin")
    assert from_stdin.code == 0 and from_stdin.json["body"] == "from stdin"
    before = files(ws.root)
    nothing = cli("note", "edit", note["id"])
    assert nothing.code == 2 and nothing.out == "" and nothing.err == (
        "istui: Nothing to change: give --title, --body, --file, --tag, --kind, --subject or --pin, or pipe in a new "
        "body.\n")
    blank = cli("note", "edit", note["id"], stdin="\n")  # an empty line piped in is no new body
    assert blank.code == 2 and "Nothing to change" in blank.err
    both = cli("note", "edit", note["id"], "--body", "x", stdin="y")
    assert both.code == 2 and both.out == ""
    assert both.err == "istui: body: the body is given both as --body and as text piped in; give it one way.\n"
    add_both = cli("note", "add", "--title", "T", "--body", "b", stdin="piped")
    assert add_both.code == 2 and "given both as --body and as text piped in" in add_both.err
    assert files(ws.root) == before and ws.get_note(note["id"])["body"] == "from stdin"


def test_note_edit_reads_a_real_pipe_and_refuses_a_body_given_twice(ws: Workspace) -> None:
    env = {**os.environ, "ISTUI_WORKSPACE": str(ws.root), "ISTUI_REP": "alice",
           "PYTHONPATH": os.pathsep.join(p for p in (str(Path(__file__).parents[2] / "src"), os.environ.get("PYTHONPATH")) if p)}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "istui", *args], input=stdin, capture_output=True, text=True,
                              env=env, timeout=60, stdin=None if stdin is not None else subprocess.DEVNULL)

    note = json.loads(run("note", "add", "--title", "Piped", "--body", "old", "--json").stdout)
    edited = run("note", "edit", note["id"], "--json", stdin="new body\n")
    assert edited.returncode == 0, edited.stderr
    assert json.loads(edited.stdout)["body"] == "new body\n"
    both = run("note", "edit", note["id"], "--body", "x", stdin="y\n")
    assert both.returncode == 2 and both.stderr == ("istui: body: the body is given both as --body and as text piped "
                                                    "in; give it one way.\n")
    alone = run("note", "edit", note["id"], "--title", "Renamed", "--json")  # nothing piped (stdin /dev/null)
    assert alone.returncode == 0 and json.loads(alone.stdout)["body"] == "new body\n"


# --- C. amounts ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("1億2000万", 120_000_000), ("120万5000", 1_205_000), ("120万5千", 1_205_000), ("1億2000万円", 120_000_000),
    ("¥1億2,000万", 120_000_000), ("１億２０００万", 120_000_000), ("3億5千", 300_005_000), ("1億5", 100_000_005),
    ("2万3千400", 23_400), ("5 yen", 5), ("5円", 5),
])
def test_mixed_japanese_units_are_one_amount(text: str, value: int) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["120万12000", "1億10000万", "1億12千", "120万5千1000", "1.5億2000万", "万5千",
                                  "5千120万", "12,00"])
def test_mixed_units_out_of_order_or_overflowing_are_refused(text: str) -> None:
    with pytest.raises(BadInput, match=r"^amount: ") as caught:
        parse_amount(text)
    assert str(caught.value).count(". ") == 0 and str(caught.value).endswith(".")


@pytest.mark.parametrize(("text", "currency", "value"), [
    ("5 dollars", "USD", 5), ("5 USD", "USD", 5), ("US$5", "USD", 5), ("us$ 1,200.50", "USD", 1200.5),
    ("1 dollar", "USD", 1), ("5ドル", "USD", 5), ("5 euros", "EUR", 5), ("1 euro", "EUR", 1), ("5ユーロ", "EUR", 5),
    ("300 yen", "JPY", 300), ("300円", "JPY", 300), ("$99.99", "USD", 99.99), ("5 dollars", "CAD", 5),
])
def test_currency_words_say_the_currency(text: str, currency: str, value: float) -> None:
    assert parse_amount(text, currency=currency) == value


@pytest.mark.parametrize(("text", "currency"), [("5 dollars", "JPY"), ("US$5", "JPY"), ("US$5", "CAD"),
                                                ("5 euros", "USD"), ("300 yen", "USD"), ("5ドル", "JPY"),
                                                ("$5", "JPY")])
def test_a_currency_word_of_another_currency_is_refused(text: str, currency: str) -> None:
    with pytest.raises(BadInput, match=f"another currency than {currency}"):
        parse_amount(text, currency=currency)


def test_money_rounds_to_the_currencys_minor_unit() -> None:
    assert [money(v) for v in (1_391_304.4, 2_618_181.8, 2_618_181.5, 9_800.0, 0.49)] == [
        "¥1,391,304", "¥2,618,182", "¥2,618,182", "¥9,800", "¥0"]
    assert [money(v, "USD") for v in (99.99, 99.9, 100, 100.004, 12.345)] == [
        "$99.99", "$99.90", "$100", "$100", "$12.35"]
    assert money(1.2345, "KWD") == "1.235 KWD" and money(12.5, "CHF") == "12.50 CHF"
    assert short_money(9_800.6) == "¥9,801" and short_money(99.99, "USD") == "$100"


def test_kpi_by_now_and_the_plans_average_order_amount_are_whole_yen(cli) -> None:
    assert cli("target", "set", "amount", "300万", "--per", "month").code == 0
    lead = add_lead(cli, "Won KK")
    assert cli("lead", "stage", lead["id"], "won", "--amount", "100万").code == 0
    target = cli("kpi", "--period", "month", "--json").json["targets"][0]
    assert target["expected"] != int(target["expected"])  # 19 working days, 17 and 1.5 of 9 hours gone
    row = next(line for line in cli("kpi", "--period", "month").out.splitlines() if line.strip().startswith("amount"))
    assert f"¥{round(target['expected']):,} " in row and f"¥{round(target['expected']):,}." not in row
    result = {"rates": {"deal_size": 2_618_181.8, "order_rate": 0.5, "handoff_rate": 0.5, "meeting_rate": 0.5,
                        "connect_rate": 0.4},
              "rate_sources": {"deal_size": {"source": "history", "leads": 11, "window": "2026-08..2026-10"}}}
    assert rate_lines(result, "JPY")[1] == "  average order amount ¥2,618,182 (11 orders, Aug – Oct 2026)"


def test_only_iso_4217_currencies_are_a_workspace_currency(cli, ws: Workspace) -> None:
    from istui.domain.parsing import is_currency

    assert is_currency("JPY") and is_currency("USD") and is_currency("XCG") and not is_currency("BTC")
    before = files(ws.root)
    for code in ("BTC", "XXX", "ABC", "XAU"):
        result = cli("settings", f"currency={code}")
        assert result.code == 2 and result.err == (
            f"istui: currency: '{code}' is not an ISO 4217 currency code such as JPY or USD.\n")
    assert files(ws.root) == before
    assert cli("settings", "currency=chf").out.startswith("currency: JPY → CHF\n")


# --- D. the activities export for people ----------------------------------------------------------------------------

def test_people_read_the_local_time_and_scripts_the_iso_one(cli, ws: Workspace) -> None:
    lead = add_lead(cli, "Time KK")
    assert cli("log", "call", lead["id"], "-o", "no_answer", "--at", "2026-10-05T00:15:00+00:00").code == 0
    try:
        for language, header in (("en", "Date and time"), ("ja", "日時")):
            rows = list(csv.reader(io.StringIO(cli("--lang", language, "export", "activities", "--labels").out)))
            assert rows[0][1] == header and rows[1][1] == "2026-10-05 09:15"
            assert rows[1][-1] == "2026-10-05T09:15:00+09:00"  # Time (ISO): as stored, for formulas and scripts
    finally:
        set_language("en")


# --- E. a required text with no visible character ------------------------------------------------------------------

@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u200d", "\u2060", " \u200b\u200c ", "\u3000", "\u3164",
                                       "\u2800", "\ufe0f"])
def test_an_invisible_company_is_empty(cli, ws: Workspace, invisible: str) -> None:
    with pytest.raises(BadInput, match=r"^company is required and cannot be empty\.$"):
        require_text(invisible, "company")
    before = files(ws.root)
    result = cli("lead", "add", "--company", invisible)
    assert result.code == 2 and result.err == "istui: company is required and cannot be empty.\n"
    assert files(ws.root) == before


def test_joiners_inside_real_text_stay_zero_width_spaces_go(cli, ws: Workspace, tmp_path: Path) -> None:
    """A zero-width space, word joiner or BOM in a name only shifts columns and hides it from search: dropped. The
    zero-width joiner shapes emoji (and scripts): kept."""
    assert require_text("A\u200bB\u2060C\ufeff", "company") == "ABC"
    assert require_text("Acme\u200d Co\u200d", "company") == "Acme Co"  # a joiner that joins nothing goes
    assert require_text("\u0915\u094d\u200d\u0937", "company") == "\u0915\u094d\u200d\u0937"  # क्‍ष: a script's stays
    assert parse_tags(["ok,\u200bzw"]) == ["ok", "zw"]
    zero = add_lead(cli, "Zero\u200bWidth KK")
    assert zero["company"] == "ZeroWidth KK"
    assert [lead["id"] for lead in cli("lead", "list", "--search", "ZeroWidth", "--json").json] == [zero["id"]]
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji: three people joined by ZWJ
    lead = add_lead(cli, f"{family} Family KK")
    assert lead["company"] == f"{family} Family KK"
    note = cli("note", "add", "--title", "Emoji", "--body", f"team {family}", "--json").json
    assert note["body"] == f"team {family}"
    assert cli("note", "add", "--title", "\u200b").code == 2  # a note title is required text too
    path = tmp_path / "leads.csv"
    path.write_text("Company,Phone\n\ufeff,03-1234-5678\nReal KK,03-2222-3333\n", "utf-8")
    report = cli("import", "leads", str(path), "--json").json
    assert report["summary"]["error"] == 1 and report["rows"][0]["reason"] == "company is required and cannot be empty."
    assert not report["written"]
