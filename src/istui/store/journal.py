"""All-or-nothing changes of several workspace files (the journal in `.istui/journal.json`)."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from istui.domain.errors import WorkspaceError
from istui.store import fileformat, files
from istui.store.files import (
    _write_all,
    confine,
    fsync_dir,
    signature,
    write_temp,
)


class Journal:
    """All-or-nothing change of several files: stage the new contents, record the plan, then apply it.

    A plan replaces files (with temps written beside them) and appends to files (JSON-lines activity
    files are appended to, never rewritten, so a transaction costs what its own records cost). Once the
    plan is on disk the change is decided: `recover` applies whatever part a crash left undone, under
    the workspace lock and before any other write. A file that changed after the plan was written
    (by hand, by git) is never overwritten: that part is dropped and reported.
    """

    def __init__(self, path: Path, root: Path | None = None) -> None:
        self.path = path
        self.root = root  # every file a plan names must lie in it (a plan is local, but git can deliver one)

    def commit(self, replace: dict[Path, bytes], append: dict[Path, bytes] | None = None) -> list[str]:
        """Apply the change; returns the parts a concurrent outside change made impossible (normally none)."""
        staged: list[tuple[Path, Path]] = []
        try:
            for target, data in replace.items():
                staged.append((write_temp(target, data), target))
        except BaseException:
            for temp, _target in staged:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
            raise
        ops: list[dict[str, object]] = [
            {"replace": str(target), "temp": str(temp), "before": _as_json(signature(target))} for temp, target in staged]
        for target, data in (append or {}).items():
            ops.append({"append": str(target), "at": _prepare_append(target), "data": data.decode("utf-8")})
        files.atomic_write(self.path, json.dumps({"version": 2, "ops": ops}, ensure_ascii=False))
        for op, data in zip(ops[len(staged):], (append or {}).values(), strict=True):
            op["data"] = data  # the plan is on disk: applied from memory, not read back (a big import's bytes)
        return self._apply(ops)

    def recover(self) -> list[str]:
        """Finish an interrupted change, if a plan is on disk; returns what could not be applied."""
        try:
            plan = fileformat.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return []
        except ValueError:  # the plan itself was torn: nothing had been applied
            self.path.unlink()
            return []
        ops = plan["ops"] if isinstance(plan, dict) else [{"replace": target, "temp": temp, "before": "any"}
                                                           for temp, target in plan]  # a plan of istui 0.x
        if not self._confined(ops):
            self.path.unlink()
            return [str(self.path)]
        return self._apply(ops)

    def _apply(self, ops: list[dict[str, Any]]) -> list[str]:
        """Carry out a plan that is on disk (an append's data as text, read back, or bytes, from memory), then
        remove the plan; returns what could not be applied."""
        skipped: list[str] = []
        folders = set()
        for op in ops:
            if "replace" in op:
                done = _apply_replace(Path(op["temp"]), Path(op["replace"]), op.get("before"))
            else:
                data = op["data"]
                done = _apply_append(Path(op["append"]), int(op["at"]), data if isinstance(data, bytes) else data.encode("utf-8"))
            target = Path(op.get("replace") or op["append"])
            if done is False:
                skipped.append(str(target))
            if "replace" in op:
                folders.add(target.parent)  # a rename is durable once its folder is synced
        for folder in folders:
            with contextlib.suppress(FileNotFoundError):
                fsync_dir(folder)
        # the plan goes last; should its removal not reach the disk, applying it again changes nothing
        self.path.unlink()
        return skipped

    def _confined(self, ops: list[dict[str, object]]) -> bool:
        """Whether a plan is one istui could have written: each op names files inside the workspace (not in
        `.git/`), and a replacement's temp is a temp file beside its target."""
        if self.root is None:
            return True
        try:
            for op in ops:
                target = Path(str(op.get("replace") or op["append"]))
                confine(self.root, target)
                if ".git" in target.relative_to(self.root).parts[:1]:
                    return False
                if "replace" in op:
                    temp = Path(str(op["temp"]))
                    if temp.parent != target.parent or not (temp.name.startswith(f".{target.name}.") and
                                                            temp.name.endswith(".tmp")):
                        return False
                elif not isinstance(op.get("data"), str) or not isinstance(op.get("at"), int):
                    return False
        except (WorkspaceError, ValueError, TypeError, AttributeError, KeyError):
            return False
        return True


def _as_json(value: Any) -> Any:
    """A signature as the plan on disk holds it (a list, not a tuple), so that the plan applied from memory and the
    plan read back compare alike."""
    return list(value) if isinstance(value, tuple) else value


def _prepare_append(path: Path) -> int:
    """Make `path` end with a newline (finishing or cutting its last line, the file created when new, both
    durable) and return its size: where a planned append starts."""
    files.append_bytes(path, b"")
    return os.stat(path, follow_symlinks=False).st_size


def _apply_replace(temp: Path, target: Path, before: object) -> bool | None:
    """Rename the staged temp over the target unless the target changed since the plan (then drop the
    temp: False); None when it was done already."""
    if not os.path.exists(temp):
        return None
    current = signature(target)
    if before != "any" and (list(current) if current else None) != before:
        os.unlink(temp)
        return False
    os.replace(temp, target)
    return True


def _apply_append(target: Path, at: int, data: bytes) -> bool | None:
    """Append `data` at offset `at` unless it is there already (None) or the file changed since (False);
    a part of it left by a crash is replaced."""
    try:
        fd = os.open(target, os.O_RDWR | os.O_NOFOLLOW)
    except FileNotFoundError:
        return False
    try:
        size = os.fstat(fd).st_size
        if size > at:
            os.lseek(fd, at, os.SEEK_SET)
            present = os.read(fd, min(size - at, len(data)))
            if size >= at + len(data) and present == data:
                return None
            if size > at + len(data) or not data.startswith(present):
                return False
            os.ftruncate(fd, at)
        elif size < at:
            return False
        os.lseek(fd, 0, os.SEEK_END)
        _write_all(fd, data)
        os.fsync(fd)
        return True
    finally:
        os.close(fd)
