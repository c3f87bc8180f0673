"""The layout rules on plain numbers: table columns by content and rank, KPI panels side by side as far as they
fit, and lines of items that wrap between items."""

from __future__ import annotations

from rich.cells import cell_len

from istui.tui.panes.kpi import grid_columns
from istui.tui.widgets.flow import flow
from istui.tui.widgets.vtable import Column, fit_columns

QUEUE = [Column("reason", "Why", 10), Column("company", "Company", 30, min=18), Column("contact", "Contact", 16, min=12, drop=4),
         Column("phone", "Phone", 18), Column("temp", "Temp", 8, drop=3), Column("source", "Source", 20, drop=1),
         Column("next", "Next", 24), Column("todo", "To do", 28, min=10, drop=2)]
CONTENT = [7, 28, 13, 15, 4, 13, 15, 18]  # overdue, 株式会社富士エンジニアリング, …, outbound_list, yesterday 15:00


def test_columns_take_their_content_when_there_is_room_and_leave_the_rest_blank() -> None:
    widths = fit_columns(QUEUE, CONTENT, 200)
    assert widths == CONTENT  # "To do" does not eat the spare cells
    assert sum(widths) + len(widths) - 1 < 200


def test_a_narrower_table_shrinks_the_columns_left_out_first_and_never_cuts_next_phone_or_source() -> None:
    widths = fit_columns(QUEUE, CONTENT, 106)  # the Today table beside the detail pane at 160 columns
    assert sum(widths) + len(widths) - 1 <= 106
    assert [widths[i] for i in (0, 3, 4, 5, 6)] == [7, 15, 4, 13, 15]  # why, phone, temp, source, next: whole
    assert (widths[7], widths[2], widths[1]) == (10, 12, 23)  # To do gives up cells first, then contact, company last


def test_at_80_columns_columns_are_left_out_by_rank_and_the_rest_fit() -> None:
    widths = fit_columns(QUEUE, CONTENT, 78)
    shown = [column.key for column, width in zip(QUEUE, widths, strict=True) if width]
    assert shown == ["reason", "company", "contact", "phone", "temp", "next"]  # source, then To do, left out
    assert sum(widths) + len(shown) - 1 <= 78
    assert widths[6] == 15 and widths[3] == 15  # the follow-up time and the phone number whole


def test_a_column_capped_by_its_width_shows_more_when_there_is_room_to_spare() -> None:
    columns = [Column("title", "Title", 10), Column("n", "N", 3)]
    assert fit_columns(columns, [25, 3], 20) == [16, 3]
    assert fit_columns(columns, [25, 3], 40) == [25, 3]


def test_when_nothing_more_can_go_columns_are_cut_below_their_minimum() -> None:
    columns = [Column("a", "A", 20), Column("b", "B", 20)]
    widths = fit_columns(columns, [20, 20], 21)
    assert sum(widths) + 1 == 21 and min(widths) >= 9


def test_panels_go_side_by_side_as_far_as_they_fit() -> None:
    assert grid_columns([50, 48, 54], [50, 48, 54], 160) == [50, 48, 54]
    assert grid_columns([50, 48, 54], [50, 48, 54], 120) == [54, 48]  # the third on the next row, under the first
    assert grid_columns([50, 48, 54], [50, 48, 54], 76) == [54]
    assert grid_columns([90, 70], [72, 60], 100) == [90]  # too much to squeeze: one above the other


def test_panels_are_squeezed_to_their_floor_before_they_are_stacked() -> None:
    columns = grid_columns([90, 75], [72, 68], 156)
    assert len(columns) == 2 and sum(columns) + 2 <= 156 and columns[0] >= 72 and columns[1] >= 68


def test_a_panel_wider_than_the_screen_is_drawn_at_the_screen_width() -> None:
    assert grid_columns([120], [100], 76) == [76]


def test_items_share_a_line_when_they_fit_and_wrap_between_items_when_not() -> None:
    sections = [("Today: ", ["calls 13/60", "connects 6/12", "meetings 0/1"]), ("Month: ", ["emails 76/60 ahead by 22"])]
    assert flow(sections, 200) == "Today: calls 13/60 · connects 6/12 · meetings 0/1   │   Month: emails 76/60 ahead by 22"
    assert flow(sections, 50).splitlines() == ["Today: calls 13/60 · connects 6/12 · meetings 0/1",
                                               "Month: emails 76/60 ahead by 22"]
    narrow = flow(sections, 30).splitlines()
    assert narrow == ["Today: calls 13/60 ·", "  connects 6/12 · meetings 0/1", "Month: emails 76/60 ahead by 22"]
    assert all(cell_len(line) <= 31 for line in narrow)  # an item longer than the room is kept whole


def test_full_width_items_are_measured_in_cells() -> None:
    lines = flow([("今日: ", ["架電 13/60", "接続 2/12", "商談 0/1", "接続率 15.4%"])], 30).splitlines()
    assert all(cell_len(line) <= 30 for line in lines) and len(lines) == 2
