"""KPI charts in Japanese: plotext counts one column per character, so labels carry a filler after each
full-width character while plotext lays them out; what reaches the terminal (and a copy of the screen)
holds no invisible character, and every line of every chart is still exactly the chart's width."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.text import Text

from istui.i18n import _, set_language
from istui.tui.app import IstuiApp
from istui.tui.panes.kpi import PLOT_FILLER, SafePlot, plot_text, without_fillers

from tui_support import SIZE, loaded, make_demo


def invisible(text: str) -> set[str]:
    """Characters a terminal draws in no cell: format characters (U+200B, U+200D, U+FEFF …), combining marks."""
    return {f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) in ("Cf", "Mn", "Me")}


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_japanese_kpi_charts_hold_no_invisible_characters_and_keep_their_width(tmp_path: Path, size) -> None:
    set_language("ja")
    try:
        app = IstuiApp(make_demo(tmp_path / "demo", "ja"), watch_interval=60, status_delay=0)
        async with app.run_test(size=size) as pilot:
            await loaded(pilot)
            await pilot.press("4", "m")
            await loaded(pilot)
            await pilot.pause(0.3)
            drawn = {plot.id: plot for plot in app.query(SafePlot) if plot.size.width and plot.size.height}
            assert drawn, "no chart was drawn"
            texts = {}
            for plot_id, plot in drawn.items():
                text = plot.render()
                assert isinstance(text, Text)
                lines = text.plain.rstrip("\n").split("\n")
                assert not invisible(text.plain), (plot_id, invisible(text.plain))
                if len(lines) > 1:  # a chart, not the one-line notice of one too small to draw
                    assert {cell_len(line) for line in lines} == {plot.size.width}, plot_id
                texts[plot_id] = text.plain
            title = _("Daily trend")
            assert any(title in plain for plain in texts.values()), "the Japanese title is drawn whole"
    finally:
        set_language("en")


def test_removing_the_fillers_keeps_every_cell_and_style() -> None:
    label = plot_text("架電数 42%")
    assert label.count(PLOT_FILLER) == 3 and len(label) == cell_len("架電数 42%")  # plotext's count = the cells
    drawn = Text.assemble(("│", "dim"), (label, "bold red"), ("│", "dim"))
    kept = without_fillers(drawn)
    assert kept.plain == "│架電数 42%│"
    assert cell_len(kept.plain) == len(drawn.plain)  # what plotext laid out still fills the same cells
    assert [str(kept[i].spans[0].style) for i in (0, 1, 8)] == ["dim", "bold red", "dim"]
