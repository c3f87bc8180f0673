"""Japanese through the CLI: CP932 imports with readings, readings from options, the language chosen, the Japanese review."""

from __future__ import annotations

import json

from istui.domain.text import reading_key
from istui.store.workspace import Workspace

from conftest import add_lead


def test_cp932_csv_with_kana_columns_imports_and_sorts_by_reading(ws: Workspace, cli, tmp_path) -> None:
    rows = ["会社名,会社名（フリガナ）,姓,名,セイ,メイ,電話番号",
            "株式会社わかば物産,ワカバブッサン,佐藤,花子,サトウ,ハナコ,03-1111-2222",
            "㈱あおば商事,アオバショウジ,鈴木,一郎,スズキ,イチロウ,03-3333-4444",
            "山田商店,ﾔﾏﾀﾞｼｮｳﾃﾝ,山田,太郎,ﾔﾏﾀﾞ,ﾀﾛｳ,03-5555-6666"]
    path = tmp_path / "sfa.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp932"))
    result = cli("import", "leads", str(path), "--json")
    assert result.code == 0, result.err
    leads = {lead["company"]: lead for lead in ws.leads()}
    assert leads["株式会社わかば物産"]["company_kana"] == "ワカバブッサン"
    assert leads["株式会社わかば物産"]["contact"] == "佐藤 花子"
    assert leads["株式会社わかば物産"]["contact_kana"] == "サトウ ハナコ"
    assert leads["山田商店"]["company_kana"] == "ﾔﾏﾀﾞｼｮｳﾃﾝ"
    by_reading = sorted(ws.leads(), key=lambda lead: reading_key(lead["company"], lead.get("company_kana")))
    assert [lead["company"] for lead in by_reading] == ["㈱あおば商事", "山田商店", "株式会社わかば物産"]
    found = cli("lead", "list", "--search", "ﾜｶﾊﾞ", "--json").json
    assert [lead["company"] for lead in found] == ["株式会社わかば物産"]
    found = cli("lead", "list", "--search", "(株)あおば", "--json").json
    assert [lead["company"] for lead in found] == ["㈱あおば商事"]


def test_readings_from_the_cli(ws: Workspace, cli) -> None:
    lead = add_lead(cli, "株式会社東洋商事", "--company-kana=トウヨウショウジ", "--contact=山田 太郎",
                    "--contact-kana=ヤマダ タロウ")
    assert (lead["company_kana"], lead["contact_kana"]) == ("トウヨウショウジ", "ヤマダ タロウ")
    assert cli("lead", "set", lead["id"], "contact_kana=ヤマダ タロー").code == 0
    assert ws.get_lead(lead["id"])["contact_kana"] == "ヤマダ タロー"


def test_language_from_flag_config_and_locale(monkeypatch) -> None:
    from istui.i18n import detect

    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "ISTUI_LANG"):
        monkeypatch.delenv(name, raising=False)
    assert detect() == "en"
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert detect() == "ja"
    assert detect(configured="en") == "en"
    assert detect(explicit="ja", configured="en") == "ja"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert detect() == "en"  # LC_ALL overrides LANG, as in every POSIX program


def test_japanese_review_reads_in_japanese(tmp_path, monkeypatch) -> None:
    from conftest import istui_process

    env = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"), "LANG": "ja_JP.UTF-8"}
    istui_process("demo", str(tmp_path / "demo"), "--no-open", env=env)
    review = istui_process("--workspace", str(tmp_path / "demo"), "review", "--team", "--period", "month", "--format", "md",
                           env=env).stdout
    assert review.startswith("# 振り返り · チーム · 2026年11月 (2026年10月（2026年10月27日(火) 10:30 まで） と比較)")
    for heading in ("## 達成した目標", "## 現時点でペースより遅れている目標", "## ファネルの課題", "## 次の期間の重点"):
        assert heading in review
    leads = json.loads(istui_process("--workspace", str(tmp_path / "demo"), "lead", "list", "--json", env=env).stdout)
    assert all(lead.get("company_kana") for lead in leads)  # the Japanese team: every company has its reading


def test_help_lead_show_and_errors_in_japanese(ws: Workspace, cli) -> None:
    """Item 7 and 10 of issue 13: argparse's own words, `commands:` and `--version` in the language in force;
    `lead show` names the job title 役職 and the motion in Japanese, its values in one column whatever the
    labels' widths (cells, not characters); a refused value names its field in Japanese."""
    import re

    from istui.cli.render import width
    from istui.i18n import set_language

    lead = add_lead(cli, "株式会社東洋商事", "--contact=山田 太郎", "--contact-kana=ヤマダ タロウ", "--title=営業部長",
                    "--motion=bdr", "--phone=03-1234-5678")
    try:
        shown = cli("--lang", "ja", "--help").out
        assert "コマンド:" in shown and "commands:" not in shown
        assert re.search(r"--version +バージョンを表示して終了", shown) and "show program's" not in shown
        card = cli("--lang", "ja", "lead", "show", lead["id"]).out
        assert "役職" in card and "タイトル" not in card and "新規開拓型" in card
        rows = card.split("\n\n")[0].splitlines()[1:]
        starts = {width(re.match(r"^  \S+ +", row)[0]) for row in rows}
        assert len(rows) >= 6 and len(starts) == 1, card  # 担当者カナ (10 cells) and 電話 (4) align their values
        refused = cli("--lang", "ja", "lead", "set", lead["id"], "phone=abc")
        assert refused.code == 2 and refused.err.startswith("istui: 電話番号: 「abc」は地域 JP の電話番号として読めません")
    finally:
        set_language("en")
    card = cli("lead", "show", lead["id"]).out
    rows = card.split("\n\n")[0].splitlines()[1:]
    assert {width(re.match(r"^  .+?  +", row)[0]) for row in rows} == {len("  Contact reading  ")}
    assert "Job title" in card and "bdr" in card
