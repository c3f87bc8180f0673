"""What a person sees, everywhere: every tab, the call block, the forms, the plan, the review and help, at the
smallest terminal every screen must be readable in (80x24) and at a roomy one (160x48), in English and Japanese.

Update the pictures after an intended change with `pytest tests/tui/test_tui_matrix.py --snapshot-update` and look
at them (tests/tui/__snapshots__/test_tui_matrix/) before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_support import SCENES, SIZE, SMALL, snapshot

SIZES = {"80x24": SMALL, "160x48": SIZE}


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("scene", list(SCENES))
def test_screen(snap_compare, tmp_path: Path, scene: str, size: str, lang: str) -> None:
    assert snapshot(snap_compare, tmp_path / "demo", scene, SIZES[size], lang)
