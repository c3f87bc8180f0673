"""Text edited in the person's editor: a draft file in the workspace's local folder (owner-only, removed after),
the editor run on it, the text read back. A mail (`outbox.edit_in_editor`) and a note's body (the Notes tab) both
go through here."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from istui import locations


def edit_text(root: Path, text: str, editor: str, *, suffix: str = ".txt", suspended: Any = None) -> tuple[int, str]:
    """(the editor's exit status, the text as the editor left it). `suspended`: a context manager the editor runs in
    (the TUI's, which hands it the terminal). OSError or ValueError when the editor cannot run, its command does not
    parse, or the draft is no longer UTF-8 text."""
    folder = locations.Local(root).folder
    folder.mkdir(mode=0o700, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=suffix, dir=folder, delete=False, encoding="utf-8") as draft:
        draft.write(text)
    try:
        with suspended or contextlib.nullcontext():
            code = subprocess.run([*shlex.split(editor), draft.name], check=False).returncode
        with open(draft.name, encoding="utf-8") as kept:
            return code, kept.read()
    finally:
        os.unlink(draft.name)
