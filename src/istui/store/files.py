"""Durable file primitives: atomic replace, fsync'd appends, the workspace lock, change signatures.

Every file istui writes goes through here, created owner-only (0600 files, 0700 folders).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from istui.domain.errors import WorkspaceError
from istui.i18n import _

FILE_MODE = 0o600
DIR_MODE = 0o700

Signature = tuple[int, int, int]


def signature(path: Path) -> Signature | None:
    """(inode, mtime_ns, size): changes whenever another process replaces or appends to the file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def ensure_dir(path: Path) -> None:
    """Create `path` and its missing parents owner-only."""
    if path.is_dir():
        return
    ensure_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, DIR_MODE)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temp(path: Path, content: bytes) -> Path:
    """Write `content` to a fsync'd temp file beside `path` and return the temp path."""
    ensure_dir(path.parent)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        view = memoryview(content)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    os.close(fd)
    return temp


def atomic_write(path: Path, content: bytes | str) -> None:
    """Replace `path` with `content` so that a crash leaves either the old or the new file."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    temp = write_temp(path, data)
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    fsync_dir(path.parent)


def append_bytes(path: Path, content: bytes) -> None:
    """Append to `path` and fsync; a torn last line from an earlier crash is cut off first."""
    ensure_dir(path.parent)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, FILE_MODE)
    try:
        size = os.fstat(fd).st_size
        if size:
            os.lseek(fd, size - 1, os.SEEK_SET)
            if os.read(fd, 1) != b"\n":
                _cut_torn_tail(fd, size)
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


def _cut_torn_tail(fd: int, size: int) -> None:
    """Drop the bytes after the last newline (a record whose write was interrupted)."""
    chunk = min(size, 1 << 20)
    os.lseek(fd, size - chunk, os.SEEK_SET)
    tail = os.read(fd, chunk)
    cut = tail.rfind(b"\n")
    os.ftruncate(fd, size - chunk + cut + 1 if cut >= 0 else 0)


# --- the workspace lock --------------------------------------------------------------------------

class WorkspaceLock:
    """An exclusive lock held around each read-modify-write: between processes (`flock`), and
    between the threads of one process (the TUI writes on its UI thread while `sync` merges in a
    worker); re-entrant within one thread."""

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout
        self._fd: int | None = None
        self._depth = 0
        self._threads = threading.RLock()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def acquire(self) -> None:
        if not self._threads.acquire(timeout=self.timeout):
            raise WorkspaceError(_("The workspace is busy (a sync or another write in this istui); waited {seconds} s. "
                                   "Try again when it has finished.").format(seconds=f"{self.timeout:.0f}"))
        if self._depth:
            self._depth += 1
            return
        try:
            ensure_dir(self.path.parent)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
            deadline = time.monotonic() + self.timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                        os.close(fd)
                        raise WorkspaceError(_(
                            "The workspace is locked by another istui process (see {path}); waited {seconds} s. "
                            "Try again when it has finished.").format(path=self.path, seconds=f"{self.timeout:.0f}")) from None
                    time.sleep(0.005)
        except BaseException:
            self._threads.release()
            raise
        self._fd = fd
        self._depth = 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._threads.release()

    def busy(self) -> bool:
        """Whether anyone (another process, or another thread here) holds the lock right now."""
        if not self._threads.acquire(blocking=False):
            return True
        try:
            if self._depth:
                return False  # this very thread holds it
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
            except OSError:
                return False
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
                return False
            except OSError:
                return True
            finally:
                os.close(fd)
        finally:
            self._threads.release()


# --- multi-file transactions ---------------------------------------------------------------------

class Journal:
    """All-or-nothing replacement of several files: stage temps, record the plan, then rename.

    After a crash between the plan and the last rename, `recover` finishes the renames, so either
    none of the files changed (no plan on disk) or all of them did.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def commit(self, contents: dict[Path, bytes]) -> None:
        staged: list[tuple[Path, Path]] = []
        try:
            for target, data in contents.items():
                staged.append((write_temp(target, data), target))
        except BaseException:
            for temp, _target in staged:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
            raise
        plan = [[str(temp), str(target)] for temp, target in staged]
        atomic_write(self.path, json.dumps(plan))
        self.recover()

    def recover(self) -> bool:
        """Finish an interrupted commit; True when there was one."""
        try:
            plan = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return False
        except ValueError:  # the plan itself was torn: no rename had started
            self.path.unlink()
            return False
        folders = set()
        for temp, target in plan:
            if os.path.exists(temp):
                os.replace(temp, target)
                folders.add(Path(target).parent)
        for folder in folders:
            fsync_dir(folder)
        self.path.unlink()
        return True
