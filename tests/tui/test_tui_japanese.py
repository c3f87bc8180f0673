"""The app in Japanese (the Japanese demo team): snapshots of each tab and the call card, and tables
that keep their columns with full-width and ambiguous-width text (①, ※, ○, ―, ㈱, ﾊﾝｶｸ)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len

from istui.i18n import set_language
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import LeadsPane
from istui.tui.panes.today import TodayPane
from istui.tui.screens.callblock import BlockStats

from tui_support import SIZE, loaded, make_demo, start_lead_form

WIDE = {"company": "①株式会社※テスト○○工業―東日本支社", "contact": "ﾔﾏﾀﾞ ﾀﾛｳ（山田太郎）", "next_action": "※要確認①"}


@pytest.fixture(autouse=True)
def japanese() -> Iterator[None]:
    set_language("ja")
    yield
    set_language("en")


def ja_app(tmp_path: Path, wide: bool = False) -> IstuiApp:
    ws = make_demo(tmp_path / "demo", "ja")
    if wide:
        for lead in list(ws.leads())[:5]:
            ws.update_lead(lead["id"], {**WIDE, "next_at": "2026-11-20T09:00:00+09:00", "owner": "sato", "stage": "working",
                                         "temp": "hot"})
    return IstuiApp(ws, watch_interval=60, status_delay=0)


def test_today_tab_ja(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(ja_app(tmp_path, wide=True), terminal_size=SIZE, run_before=loaded)


def test_leads_tab_ja(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("1", "slash", *"ﾎｸﾄ", "enter")  # half-width kana finds 北斗 by its reading
        await pilot.pause(0.2)

    assert snap_compare(ja_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_call_card_ja(snap_compare, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(BlockStats, "clock", staticmethod(lambda: 1000.0))

    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("c")
        await pilot.pause(0.3)

    assert snap_compare(ja_app(tmp_path, wide=True), terminal_size=SIZE, run_before=run_before)


async def test_wide_text_keeps_every_table_row_exactly_the_table_width(tmp_path: Path) -> None:
    app = ja_app(tmp_path, wide=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for pane, keys in ((TodayPane, ()), (LeadsPane, ("1", "slash", *"ﾃｽﾄ", "enter"))):  # half-width kana finds テスト
            await pilot.press(*keys)
            await pilot.pause(0.2)
            table = app.query_one(pane).table
            width = table.size.width
            lines = [table.render_line(y) for y in range(table.size.height)]
            texts = ["".join(segment.text for segment in line) for line in lines]
            assert any("①株式会社※テスト" in text for text in texts)
            assert all(line.cell_length == width for line in lines)
            assert all(cell_len(text) == width for text in texts)
        assert app.query_one(LeadsPane).query_one("#lead-filter").placeholder.startswith("/ 絞り込み")


async def test_every_text_the_app_shows_in_japanese_has_an_entry(tmp_path: Path) -> None:
    """Walk the app in Japanese (tabs, call block, forms, review, plan, help); nothing asked of the
    catalog may be missing (a string passed through `_()` twice or never added shows up here)."""
    from istui import i18n
    from istui.tui.screens.forms import FormScreen

    i18n._misses.clear()
    app = ja_app(tmp_path, wide=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("c")
        await pilot.pause(0.3)
        await pilot.press("2")
        await pilot.pause(0.2)
        await pilot.press("enter", "escape")
        await pilot.pause(0.3)
        await pilot.press("enter")
        for keys in (("1",), ("1", "n"), ("escape", "3"), ("4", "m", "T"), ("R",), ("escape", "P"), ("escape", "question_mark")):
            await pilot.press(*keys)
            await loaded(pilot)
        assert not isinstance(app.screen, FormScreen)
    assert not i18n.missing(), sorted(i18n.missing())


def choices(widget) -> list[str]:
    """The labels a Select offers (without its blank prompt)."""
    return [str(label) for label, value in widget._options if value is not widget.NULL]


async def test_forms_offer_their_choices_and_hints_in_japanese(tmp_path: Path) -> None:
    """Item 7 of issue 13: the lead form's source, motion and temperature, the stage form's stages and the log
    form's outcomes read as the tables do; the WHEN hints are Japanese examples the parser takes; a refused
    value names its field in Japanese."""
    from textual.widgets import Select

    app = ja_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        form = await start_lead_form(pilot)
        widgets = {field.name: field.widget for field in form.fields}
        assert choices(widgets["temp"]) == ["ホット", "ウォーム", "コールド"]
        assert choices(widgets["motion"]) == ["反響型 (SDR)", "新規開拓型 (BDR)"]
        assert "Webお問い合わせ" in choices(widgets["source"]) and not any("_" in label for label in choices(widgets["source"]))
        assert widgets["next"].placeholder == "明日 10時, +3d, 月曜 9:30"
        shown = [str(label.render()) for label in form.query("Label")]
        assert shown[4] == "役職" and "タイトル" not in shown  # a lead's job title
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert str(form.query_one("#error-company").render()).startswith("会社名 は必須です")
        await pilot.press("escape", "s")
        await pilot.pause(0.2)
        stage = app.screen.fields[0].widget
        assert isinstance(stage, Select) and stage.prompt == "選択してください"  # Textual's prompt, translated
        assert set(choices(stage)) <= {"新規", "対応中", "育成中", "商談化", "引き渡し済", "受注", "失注", "対象外"}
        await pilot.press("escape", "l")
        await pilot.pause(0.2)
        outcomes = app.screen.fields[0].widget
        assert choices(outcomes)[:2] == ["1 通話", "2 不通"]
        assert app.screen.fields[2].widget.placeholder == "明日 10時"


async def test_the_undo_toast_names_the_outcome_in_japanese(tmp_path: Path) -> None:
    app = ja_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1", "l")
        await pilot.pause(0.2)
        app.screen.fields[0].widget.value = "no_answer"
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        await pilot.press("ctrl+z")
        await pilot.pause(0.2)
        assert "元に戻しました: 不通 の記録。" in [str(n.message) for n in app._notifications]


def test_screens_opened_on_first_use_name_their_keys_in_japanese(tmp_path: Path) -> None:
    """The call block's module is imported when the first block starts, after the app translated its keys:
    its footer must not stay English (it did: `u Undo last log  s Skip`)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from istui.i18n import set_language\n"
        "set_language('ja')\n"
        "from istui.tui.localize import localize_bindings\n"
        "assert 'istui.tui.screens.callblock' not in sys.modules\n"
        "localize_bindings()\n"
        "from istui.tui.screens.callblock import CallBlockScreen\n"
        "from istui.tui.screens.plan import PlanScreen\n"
        "print('|'.join(b.description for b in CallBlockScreen.BINDINGS + PlanScreen.BINDINGS))\n"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert "直前の記録を取り消す" in shown and "スキップ" in shown and "ブロック終了" in shown
    assert not any(word in shown for word in ("Undo", "Skip", "End block", "Close", "Save"))


async def test_the_palette_says_no_match_in_japanese(tmp_path: Path) -> None:
    from textual.command import CommandList

    app = ja_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p", *"zzzq")
        await pilot.pause(0.9)
        options = app.screen.query_one(CommandList)
        shown = [str(options.get_option_at_index(i).prompt.renderable) for i in range(options.option_count)]
        assert shown == ["一致するものはありません"]


async def test_a_toast_over_the_call_block_keeps_every_wide_character(tmp_path: Path) -> None:
    """The toast lies over the call block's divider (a widget's edge): Textual 8 would turn a wide character
    straddling that edge into two spaces (upstream issue 6357); `tui.wide_chars` keeps it whole."""
    from tui_support import SMALL, open_call_block

    message = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろ"
    app = ja_app(tmp_path)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await open_call_block(pilot)
        app.notify(message, timeout=30)
        await pilot.pause(0.5)
        screen = "".join(strip.text for strip in app.screen._compositor.render_strips())
        assert [ch for ch in message if ch not in screen] == []
