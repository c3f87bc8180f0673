"""Durable file primitives: atomic replace, fsync'd appends, the workspace lock, change signatures.

Every file istui writes goes through here, created owner-only (0600 files, 0700 folders).
"""

from __future__ import annotations

import _thread  # (not threading: importing it costs a quick command 0.5 ms)
import contextlib
import errno
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from istui.domain.errors import WorkspaceError
from istui.i18n import _

FILE_MODE = 0o600
DIR_MODE = 0o700

Signature = tuple[int, int, int]


def signature(path: Path) -> Signature | None:
    """(inode, mtime_ns, size): changes whenever another process replaces or appends to the file."""
    try:
        st = os.stat(path, follow_symlinks=False)  # a symlink has its own signature: never the file it names
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def tree_signatures(folder: Path, suffix: str, depth: int = 0) -> list[tuple[str, Signature]]:
    """(relative name, signature) of every `suffix` file in `folder` (and, with depth 1, in its sub-folders), in
    name order: one scandir per folder and one lstat per file, cheap enough to poll. Hidden names and symlinked
    folders are skipped, as the readers skip them."""
    found: list[tuple[str, Signature]] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return found
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                if depth:
                    found += [(f"{entry.name}/{name}", sig) for name, sig in tree_signatures(Path(entry.path), suffix)]
            elif entry.name.endswith(suffix):
                st = entry.stat(follow_symlinks=False)
                found.append((entry.name, (st.st_ino, st.st_mtime_ns, st.st_size)))
        except FileNotFoundError:
            continue  # removed while listed: the next poll sees the folder as it is
    return found


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


def write_temp(path: Path, content: bytes, durable: bool = True) -> Path:
    """Write `content` to a temp file beside `path` (fsync'd when `durable`) and return the temp path."""
    ensure_dir(path.parent)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        _write_all(fd, content)
        if durable:
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
    _replace(write_temp(path, data), path)
    fsync_dir(path.parent)


def _replace(temp: Path, path: Path) -> None:
    """Rename `temp` over `path`; when that fails (a folder where the file should be …), no temp is left behind."""
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_cache(path: Path, content: bytes) -> None:
    """Replace a local cache file without fsync: a crash may lose it (it is rebuilt), never tear it."""
    _replace(write_temp(path, content, durable=False), path)


_SEAL = b"istui-sealed "


def seal(payload: bytes) -> bytes:
    """A local cache file's bytes with their digest in front (`unseal`): one edited by hand or cut short no longer
    matches, and is made again instead of trusted (a count edited inside it would read as plain data). The digest
    has no key: it tells a file istui wrote from one changed since, not a forger on this machine from istui."""
    import hashlib  # (imported here: its load, 2 ms, is not paid by a command that keeps no cache)

    return _SEAL + hashlib.blake2b(payload, digest_size=16).hexdigest().encode() + b"\n" + payload


def unseal(raw: bytes) -> bytes:
    """The bytes `seal` sealed; ValueError when they are not exactly those."""
    import hashlib

    end = raw.find(b"\n")
    payload = memoryview(raw)[end + 1:]
    if end < 0 or raw[:end] != _SEAL + hashlib.blake2b(payload, digest_size=16).hexdigest().encode():
        raise ValueError("not a file as istui kept it")
    return bytes(payload)


def read_cache_text(path: Path) -> str:
    """A local cache file's text, or "" when it is absent, a folder, a symlink or not UTF-8: a cache
    that cannot be read is rebuilt, never a reason to fail."""
    try:
        return read_bytes(path).decode("utf-8")
    except (OSError, ValueError, OutsideWorkspace):
        return ""


def append_bytes(path: Path, content: bytes) -> None:
    """Append to `path` and fsync. An unfinished last line is either a whole record saved without its
    newline (the newline is added) or a torn write (cut off); nothing else of the file is touched."""
    ensure_dir(path.parent)
    created = not os.path.lexists(path)
    fd = open_nofollow(path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
    try:
        size = os.fstat(fd).st_size
        if size:
            os.lseek(fd, size - 1, os.SEEK_SET)
            if os.read(fd, 1) != b"\n":
                content = _finish_last_line(fd, size) + content
                if not content:
                    os.fsync(fd)  # a torn line cut, nothing to add
        if content:
            _write_all(fd, content)
            os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


def _finish_last_line(fd: int, size: int) -> bytes:
    """For a file whose last line has no newline: b"\\n" when that line is a whole record (or a hand-edited
    line, which doctor reports: never cut), else the torn line is cut off and b"" returned."""
    start = _torn_tail_start(fd, size)
    if start is None:
        return b"\n"
    os.ftruncate(fd, start)
    return b""


def _torn_tail_start(fd: int, size: int) -> int | None:
    """Where the file's unfinished last line starts when it is an append cut short (`tail_kind`), else None.
    The search for the line's start goes back as far as it must."""
    from istui.store.fileformat import tail_kind

    start = _last_line_start(fd, size)
    os.lseek(fd, start, os.SEEK_SET)
    return start if tail_kind(os.read(fd, size - start)) == "torn" else None


def cut_torn_tail(path: Path) -> bool:
    """Cut an activity file's unfinished last line when it is an append cut short, so it is never committed;
    True when cut. A symlink is not followed."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        size = os.fstat(fd).st_size
        if not size:
            return False
        os.lseek(fd, size - 1, os.SEEK_SET)
        if os.read(fd, 1) == b"\n":
            return False
        start = _torn_tail_start(fd, size)
        if start is None:
            return False
        os.ftruncate(fd, start)
        os.fsync(fd)
        return True
    finally:
        os.close(fd)


def _last_line_start(fd: int, size: int) -> int:
    """The offset just after the last newline of the file (0 when it has none)."""
    end = size
    chunk = 1 << 16
    while end > 0:
        begin = max(0, end - chunk)
        os.lseek(fd, begin, os.SEEK_SET)
        data = os.read(fd, end - begin)
        cut = data.rfind(b"\n")
        if cut >= 0:
            return begin + cut + 1
        end = begin
    return 0


def _write_all(fd: int, content: bytes) -> None:
    view = memoryview(content)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def open_nofollow(path: Path, flags: int) -> int:
    """`os.open` that refuses a symlink with OutsideWorkspace (one sentence) instead of following it."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW, FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutsideWorkspace(path) from None
        raise


def read_bytes(path: Path) -> bytes:
    """The bytes of a workspace file, refusing to follow a symlink (FileNotFoundError when it is absent)."""
    fd = open_nofollow(path, os.O_RDONLY)
    try:
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


class OutsideWorkspace(WorkspaceError):
    """A path that is a symlink or leads out of the workspace: istui never follows it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(_("{path} is a symbolic link or leaves the workspace; istui never follows one. Remove it "
                           "(`git rm` it if a commit brought it) and restore the real file.").format(path=path))


def confine(root: Path, path: Path) -> None:
    """Refuse `path` unless it lies inside `root` with no symlinked folder on the way: a teammate's commit
    or a hand edit must not make istui write elsewhere. (The file itself is opened with O_NOFOLLOW.)"""
    try:
        relative = path.relative_to(root)
    except ValueError:
        raise OutsideWorkspace(path) from None
    current = root
    for part in relative.parts[:-1]:
        if part in ("..", ""):
            raise OutsideWorkspace(path)
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return
        if stat.S_ISLNK(mode):
            raise OutsideWorkspace(current)
        if not stat.S_ISDIR(mode):
            raise WorkspaceError(_("{path} is a file where istui keeps a folder; move it away (or restore the folder "
                                   "from git) and try again.").format(path=current))


def remove_stale_temps(folders: list[Path]) -> None:
    """Delete temp files (`.NAME.PID.N.tmp`) left by writers that died; this process's and a living
    writer's are kept. Called under the workspace lock, after any journal was recovered."""
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if not (name.startswith(".") and name.endswith(".tmp")) or not entry.is_file(follow_symlinks=False):
                continue
            parts = name.rsplit(".", 3)
            pid = int(parts[1]) if len(parts) == 4 and parts[1].isdigit() else None
            if pid == os.getpid() or (pid is not None and _alive(pid)):
                continue
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        pass
    return True


# --- the workspace lock --------------------------------------------------------------------------

class WorkspaceLock:
    """An exclusive lock held around each read-modify-write: between processes (`flock`), and
    between the threads of one process (the TUI writes on its UI thread while `sync` merges in a
    worker); re-entrant within one thread."""

    def __init__(self, path: Path, timeout: float = 10.0, on_acquire: Callable[[], None] | None = None,
                 on_release: Callable[[], None] | None = None) -> None:
        self.path = path
        self.timeout = timeout
        self.on_acquire = on_acquire  # run once the lock is taken (the workspace recovers its journal there)
        self.on_release = on_release  # run just before it is let go (the workspace writes its file checks)
        self._fd: int | None = None
        self._depth = 0
        self._threads = _thread.RLock()

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
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
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
        if self.on_acquire is not None:
            try:
                self.on_acquire()
            except BaseException:
                self.release()
                raise

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self.on_release is not None:
            with contextlib.suppress(Exception):
                self.on_release()
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
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
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


def secure_local_folder(folder: Path) -> None:
    """Take out any symlink among istui's local files (`.istui/` and its cache): istui never made one, so it
    came from git or a hand, and istui would write through it."""
    for place in (folder, folder / "cache"):
        try:
            entries = list(os.scandir(place))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_symlink():
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
