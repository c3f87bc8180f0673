"""What fits where: the screens at 80x24 and up, measured on the real widgets (regions, drawn cells), in English
and Japanese."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from istui.domain.formatting import money
from istui.i18n import set_language
from istui.tui.panes.kpi import KpiPane
from istui.tui.panes.leads import LeadsPane
from istui.tui.panes.today import TodayPane
from istui.tui.screens.callblock import CallBlockScreen
from istui.tui.widgets.cards import LeadDetail
from istui.tui.widgets.footer import IstuiFooter
from istui.tui.widgets.vtable import VirtualTable

from tui_support import SIZE, SMALL, demo_app, loaded, open_call_block, open_kpi_month, open_leads


@pytest.fixture(params=["en", "ja"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language("en")


def drawn_cells(table: VirtualTable) -> dict[str, list[str]]:
    """Each shown column's cells as the table draws them on screen (the visible rows), by column key."""
    widths = table.widths()
    columns = [(column, width) for column, width in zip(table.columns, widths, strict=True) if width]
    cells: dict[str, list[str]] = {column.key: [] for column, _width in columns}
    for y in range(1, min(table.size.height, len(table.rows) + 1)):
        text = "".join(segment.text for segment in table.render_line(y))
        x = 0
        for column, width in columns:  # cells are cut by cell width (full-width characters count two)
            cell, used = "", 0
            for char in text[x:]:
                if used + cell_len(char) > width:
                    break
                cell, used = cell + char, used + cell_len(char)
            cells[column.key].append(cell.rstrip())
            x += len(cell) + (width - used) + 1
    return cells


def assert_column_whole(table: VirtualTable, key: str) -> None:
    """Every row's value of column `key` fits its width, and the visible ones are drawn whole."""
    index = [column.key for column in table.columns].index(key)
    width = table.widths()[index]
    values = [table.cell(row, key) for row in table.rows]
    assert width, f"column {key} left out"
    assert all(cell_len(value) <= width for value in values), (key, width, max(values, key=cell_len))
    shown = drawn_cells(table)[key]
    assert shown and shown == [value for value in values[round(table.scroll_y):][:len(shown)]]


@pytest.mark.parametrize("size", [SMALL, (100, 30), SIZE, (250, 60)])
async def test_the_follow_up_time_is_always_whole(tmp_path: Path, lang: str, size: tuple[int, int]) -> None:
    app = demo_app(tmp_path / "demo", lang)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        today = app.query_one(TodayPane).table
        assert any(cell_len(today.cell(row, "next")) >= 11 for row in today.rows)  # `yesterday 15:00`, `11/22 15:30`
        assert_column_whole(today, "next")
        assert_column_whole(today, "phone")
        await open_leads(pilot)
        leads = app.query_one(LeadsPane).table
        leads.cursor = next(i for i, row in enumerate(leads.rows) if row.get("next_at"))  # rows with a follow-up shown
        await pilot.pause(0.1)
        assert_column_whole(leads, "next")


@pytest.mark.parametrize("size", [SIZE, (250, 60)])
async def test_wide_screens_show_every_column_whole(tmp_path: Path, lang: str, size: tuple[int, int]) -> None:
    app = demo_app(tmp_path / "demo", lang)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        today = app.query_one(TodayPane).table
        for key in ("reason", "temp", "source", "next"):
            assert_column_whole(today, key)
        await open_leads(pilot)
        leads = app.query_one(LeadsPane).table
        for key in ("phone", "stage", "temp", "source", "owner")[:None if size[0] >= 200 else 4]:  # at 160 the
            assert_column_whole(leads, key)  # owner's name gives up cells first


async def test_below_120_columns_the_detail_is_below_the_table_and_i_hides_it(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo")
    async with app.run_test(size=SMALL) as pilot:
        await loaded(pilot)
        table, detail = app.query_one("#today-table", VirtualTable), app.query_one("#today-detail", LeadDetail)
        assert detail.region.y >= table.region.bottom and detail.region.width >= 78  # below, the whole width
        assert table.region.width >= 78 and table.region.height >= 6
        await pilot.press("i")
        await pilot.pause(0.1)
        assert not detail.display and table.region.height > 12  # the table takes the room
        await pilot.press("i")
        await pilot.pause(0.1)
        assert detail.display
        await open_leads(pilot)
        table, detail = app.query_one("#leads-table", VirtualTable), app.query_one("#lead-detail", LeadDetail)
        assert detail.region.y >= table.region.bottom and detail.region.width >= 78
    async with demo_app(tmp_path / "again").run_test(size=SIZE) as pilot:
        await loaded(pilot)
        table, detail = pilot.app.query_one("#today-table"), pilot.app.query_one("#today-detail")
        assert detail.region.x >= table.region.right and detail.region.y == table.region.y  # beside it


async def test_the_call_block_fits_in_80x24_with_its_note_and_when_box(tmp_path: Path, lang: str) -> None:
    app = demo_app(tmp_path / "demo", lang)
    async with app.run_test(size=SMALL) as pilot:
        await open_call_block(pilot)  # c, then 3: voicemail logged, the box open
        screen = app.screen
        assert isinstance(screen, CallBlockScreen) and screen.pending is not None
        prompt = screen.query_one("#block-prompt")
        note, when = screen.query_one("#prompt-note", Input), screen.query_one("#prompt-next", Input)
        footer_top = SMALL[1] - 1
        assert prompt.has_class("open") and prompt.region.bottom <= footer_top
        for field in (note, when):
            assert field.region.height >= 1 and field.region.y >= prompt.region.y and field.region.bottom <= footer_top
        assert app.focused is note
        card = screen.query_one("#block-card", Static)
        assert card.region.y < prompt.region.y and card.region.height >= 8  # the lead's card shows above it
        keys = screen.query_one("#block-keys", Static)
        assert keys.region.bottom <= footer_top and keys.region.height == 10  # one line per outcome key
        await pilot.press(*"tomorrow 10:00" if lang == "en" else "明日 10時", "enter")
        await pilot.pause(0.2)
        assert screen.pending is None and screen.index == 1  # logged, the next lead up


PANELS = ("#kpi-metrics", "#kpi-sources", "#kpi-funnel", "#kpi-heatmap", "#kpi-board")


def assert_nothing_cut(app) -> None:
    for selector in PANELS:
        panel = app.query_one(selector, Static)
        text = str(panel.content)
        assert "…" not in text, (selector, text)
        assert max(cell_len(line) for line in text.splitlines()) <= panel.region.width


@pytest.mark.parametrize("size", [SMALL, SIZE])
async def test_kpi_panels_reflow_and_never_cut_a_figure(tmp_path: Path, lang: str, size: tuple[int, int]) -> None:
    app = demo_app(tmp_path / "demo", lang)
    async with app.run_test(size=size) as pilot:
        await open_kpi_month(pilot)
        metrics, sources = app.query_one("#kpi-metrics", Static), app.query_one("#kpi-sources", Static)
        charts = [app.query_one(f"#{name}") for name in ("kpi-targets", "kpi-trend", "kpi-source-chart")]
        if size == SMALL:  # one above the other
            assert sources.region.y >= metrics.region.bottom
            assert len({chart.region.x for chart in charts}) == 1 and all(chart.region.width >= 70 for chart in charts)
        else:  # side by side
            assert sources.region.x >= metrics.region.right and sources.region.y == metrics.region.y
            assert len({chart.region.y for chart in charts}) == 1
        assert_nothing_cut(app)  # the rep's talk notes
        await pilot.press("T")  # the team: the leaderboard
        await loaded(pilot)
        await pilot.pause(0.2)
        assert_nothing_cut(app)
        lines = [line.strip() for line in str(metrics.content).splitlines()]  # the team's ¥ targets: long paces
        assert not [line for line in lines if line.endswith(("behind by", "ahead by")) or line in ("遅れ", "先行")]
        board = str(app.query_one("#kpi-board", Static).content)
        for row in app.query_one(KpiPane).report["leaderboard"][:10]:
            assert money(row["amount"], "JPY") in board


async def test_the_month_trend_stops_at_today(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo")
    async with app.run_test(size=SIZE) as pilot:
        await open_kpi_month(pilot)
        days = app.query_one(KpiPane).report["trend"]
        today = app.state.now.date().isoformat()
        plot = app.query_one("#kpi-trend")
        lines = plot.plt.monitor.x  # one list of x positions per metric drawn
        assert len(lines) == 3 and len(days) == 30
        assert all(len(xs) == sum(1 for day in days if day["day"] <= today) == 27 for xs in lines)  # 1st..27th


async def test_the_header_strip_wraps_between_items(tmp_path: Path, lang: str) -> None:
    app = demo_app(tmp_path / "demo", lang)
    async with app.run_test(size=SMALL) as pilot:
        await loaded(pilot)
        strip = app.query_one("#istui-strip", Static)
        lines = str(strip.content).splitlines()
        assert len(lines) >= 2 and strip.region.height == len(lines)
        assert all(cell_len(line) <= strip.content_region.width for line in lines)
        assert "/60" in lines[0] and "/18" in "".join(lines[1:])  # today's calls, then the month's meetings


@pytest.mark.parametrize("tab", ["today", "leads"])
async def test_at_80x24_the_cursor_row_stays_in_sight(tmp_path: Path, tab: str) -> None:
    """Down past the last drawn row scrolls the table: the highlighted row is one of the rows drawn (no horizontal
    scrollbar takes a row's line), and the detail shows that row's lead."""
    app = demo_app(tmp_path / "demo")
    async with app.run_test(size=SMALL) as pilot:
        await loaded(pilot)
        if tab == "leads":
            await open_leads(pilot)
        table = app.query_one(f"#{tab}-table", VirtualTable)
        assert not table.show_horizontal_scrollbar
        shown = table.scrollable_content_region.height - 1
        for _ in range(shown + 3):
            await pilot.press("down")
        await pilot.pause(0.1)
        top = round(table.scroll_y)
        assert table.cursor == shown + 3 and top <= table.cursor < top + shown
        drawn = "".join(segment.text for segment in table.render_line(table.cursor - top + 1))
        company = table.current["company"]
        assert company[:4] in drawn


async def test_the_footer_keeps_no_watcher_per_compose_and_follows_the_width(tmp_path: Path) -> None:
    """The footer is composed again at every tab and focus change; Textual's own keys each left a watcher on it for
    good (a soak grew by 200 MB and spent each key scanning them). Ours leave none, and still turn compact with
    the width."""
    app = demo_app(tmp_path / "demo")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        footer = app.screen.query_one(IstuiFooter)

        def watchers() -> int:
            return sum(len(callbacks) for callbacks in getattr(footer, "__watchers", {}).values())

        def compact_keys() -> set[bool]:
            keys = [key for key in footer.query(FooterKey) if not key.has_class("-command-palette")]
            assert keys
            return {key.has_class("-compact") for key in keys}

        before = watchers()
        assert compact_keys() == {False}
        for _ in range(4):
            await pilot.press("2", "3", "4", "1")
            await pilot.pause(0.1)
        await pilot.pause(0.3)
        assert watchers() == before
        await pilot.resize_terminal(*SMALL)
        await pilot.pause(0.3)
        assert compact_keys() == {True}
        await pilot.press("2")
        await pilot.pause(0.3)
        assert compact_keys() == {True}
        # Textual's per-widget lru_cache (`StylesCache.get_inner_outer`) keeps removed widgets' lines: the
        # half-minute tick empties it
        from textual._styles_cache import StylesCache

        assert StylesCache.get_inner_outer.cache_info().currsize > 0
        import istui.tui.app as app_module

        app_module.give_back_free_memory()  # found: glibc's malloc_trim, or False elsewhere
        trims: list[int] = []
        real_trim = app_module._trim
        if real_trim:
            app_module._trim = lambda pad: trims.append(pad) or real_trim(pad)
        try:
            app.tick()
        finally:
            app_module._trim = real_trim
        assert StylesCache.get_inner_outer.cache_info().currsize == 0
        assert trims == ([0] if real_trim else [])  # glibc is asked to give the heap's free pages back
