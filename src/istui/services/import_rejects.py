"""The rows an import with `--skip-invalid` leaves out: a CSV beside the input, each row as read plus its reason.

The file is safe to open in a spreadsheet (`services.export.neutralise`) and to import again once fixed
(the importer undoes the guard and ignores the `reason` column). An existing file is never overwritten:
the next free name is taken (`leads.rejected.csv`, `leads.rejected-2.csv`, …).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from istui.domain.text import terminal_safe
from istui.services.export import neutralise

REASON_COLUMN = "reason"


def rejected_path(source: Path) -> Path:
    """`<stem>.rejected.csv` beside `source`, or the first `<stem>.rejected-N.csv` that does not exist."""
    candidate = source.with_name(f"{source.stem}.rejected.csv")
    number = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = source.with_name(f"{source.stem}.rejected-{number}.csv")
        number += 1
    return candidate


def rejected_csv(header: list[str], rows: Iterable[tuple[list[str], str]]) -> bytes:
    """The header plus `reason`, then each rejected row's cells as read and its reason (UTF-8 with a BOM, as
    the exports: Excel reads Japanese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    width = len(header)
    writer.writerow([neutralise(terminal_safe(name)) for name in header] + [REASON_COLUMN])
    for cells, reason in rows:
        padded = (list(cells) + [""] * width)[:width]  # cells past the header are read by no import
        writer.writerow([neutralise(terminal_safe(cell, multiline=True)) for cell in padded] + [neutralise(terminal_safe(reason))])
    return out.getvalue().encode("utf-8-sig")
