"""The evidence locker's bytes: content-addressed, written once, never modified.

A blob is streamed into ``.tmp/<random>.part`` (held under an exclusive ``flock`` while it is
written), hashed in the same pass, fsynced and renamed to ``ab/cdef…``. A process killed half-way
leaves only a ``.part`` file, which is never a blob and is removed by the next process that opens
the locker — but only when no live writer still holds its lock.

Many small blobs (an mbox import) are written with ``put_bytes(data, durable=False)``: written
and renamed into place, but not fsynced. :meth:`BlobStore.sync` then makes every blob written so
far durable in one go, and the caller commits its database records only after it returned. A
killed process still leaves only whole blobs under hash names (the rename comes after the last
byte); a power cut before ``sync`` may lose such a blob, but no record points to it yet.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import os
import queue
import stat
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 4 * 1024 * 1024
_READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
BUFFERS = 4
SYNC_EVERY = 16 * 1024 * 1024
Progress = Callable[[int], None]


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    existed: bool  # the same bytes were already in the locker


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / ".tmp"
        self._pending: list[Path] = []  # blobs written with durable=False, not yet synced
        self._pending_lock = threading.Lock()
        self._sync_lock = threading.Lock()

    def ensure(self) -> None:
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_stream(self, source: BinaryIO, progress: Progress | None = None) -> StoredBlob:
        """Hash and store ``source`` in one pass; hashing and writing overlap on two threads."""
        self.ensure()
        part = self.tmp / f"{uuid.uuid4().hex}.part"
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            digest, size = _copy_hashing(source, fd, progress)
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            part.unlink(missing_ok=True)
            raise
        os.close(fd)
        return self._commit(part, digest, size)

    def put_bytes(self, data: bytes, *, durable: bool = True) -> StoredBlob:
        """Store bytes already in memory: hashed and written in one go, no pipeline threads.

        ``durable=False`` skips the fsyncs: the blob is whole under its name once this
        returns (a killed process cannot leave it half-written), but it is durable only after
        :meth:`sync`, which must come before any record that points to it is committed.
        """
        self.ensure()
        digest = hashlib.sha256(data).hexdigest()
        final = self.path_for(digest)
        if _holds(final, data):
            # Already stored; it may come from a writer that has not synced yet (another
            # import, in this process or another), so it is made durable like a new one.
            if durable:
                _fsync_path(final)
                _fsync_dir(final.parent)
            else:
                self._remember(final)
            return StoredBlob(digest, len(data), existed=True)
        part = self.tmp / f"{uuid.uuid4().hex}.part"
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            _write_all(fd, memoryview(data))
            if durable:
                os.fsync(fd)
            else:
                self._place(fd, part, final, data)
        except BaseException:
            os.close(fd)
            part.unlink(missing_ok=True)
            raise
        os.close(fd)
        if durable:
            return self._commit(part, digest, len(data), trust_existing=False)
        self._remember(final)
        return StoredBlob(digest, len(data), existed=False)

    def _place(self, fd: int, part: Path, final: Path, data: bytes) -> None:
        """Give a blob written without fsync its name — never in place of a good copy.

        A hard link only adds a name that does not exist yet, so a durable copy another writer
        put there meanwhile is kept (this one is dropped). A damaged copy is replaced, but
        only by bytes fsynced first: the name then never stands for bytes less durable than
        before. File systems without hard links take that path too.
        """
        final.parent.mkdir(parents=True, exist_ok=True)
        os.fchmod(fd, _READ_ONLY)
        try:
            os.link(part, final)
        except FileExistsError:
            if _holds(final, data):
                part.unlink()
                return
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
        else:
            part.unlink()
            return
        os.fsync(fd)
        os.replace(part, final)

    def _remember(self, final: Path) -> None:
        with self._pending_lock:
            self._pending.append(final)

    @property
    def unsynced(self) -> int:
        """How many blobs written with ``durable=False`` wait for :meth:`sync`."""
        with self._pending_lock:
            return len(self._pending)

    def sync(self) -> None:
        """Make every blob written so far with ``durable=False`` durable, with its name.

        On Linux one ``syncfs`` of the locker's file system does it (one journal commit for a
        whole batch instead of two fsyncs per blob); elsewhere, or when ``syncfs`` fails, each
        pending blob and its directory are fsynced. Returns only once that is done; on an
        error the blobs stay pending and the error is raised, so the caller commits nothing.
        Concurrent callers are serialised, so a ``sync`` that finds nothing left to do returns
        only after the one that took its blobs has finished.
        """
        with self._sync_lock:
            with self._pending_lock:
                pending, self._pending = self._pending, []
            if not pending:
                return
            try:
                if not _syncfs(self.root):
                    _fsync_each(pending)
            except BaseException:
                with self._pending_lock:
                    self._pending[:0] = pending
                raise

    def _commit(
        self, part: Path, digest: str, size: int, *, trust_existing: bool = True
    ) -> StoredBlob:
        """Rename a fsynced ``.part`` to its name; a copy already there of the right size is
        kept unless ``trust_existing`` is off (the caller compared its bytes: damaged)."""
        final = self.path_for(digest)
        if trust_existing and final.is_file() and final.stat().st_size == size:
            part.unlink()
            _fsync_path(final)  # it may come from a writer that has not synced yet
            _fsync_dir(final.parent)
            return StoredBlob(digest, size, existed=True)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(part, _READ_ONLY)
        # os.replace is atomic; a damaged blob of the wrong size is replaced by the good copy.
        os.replace(part, final)
        _fsync_dir(final.parent)
        return StoredBlob(digest, size, existed=False)

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")

    def rehash(self, sha256: str) -> tuple[str, int] | None:
        """The blob's actual hash and size, or None when it is missing."""
        path = self.path_for(sha256)
        try:
            with path.open("rb") as handle:
                hasher = hashlib.sha256()
                size = 0
                while chunk := handle.read(CHUNK):
                    hasher.update(chunk)
                    size += len(chunk)
        except FileNotFoundError:
            return None
        return hasher.hexdigest(), size

    def clean_partials(self, min_age_s: float = 5.0) -> int:
        """Remove ``.part`` files of writers that died; live writers keep theirs (flock)."""
        if not self.tmp.is_dir():
            return 0
        removed = 0
        now = time.time()
        for part in self.tmp.glob("*.part"):
            try:
                if now - part.stat().st_mtime < min_age_s:
                    continue
                fd = os.open(part, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    os.close(fd)
                    continue
                os.close(fd)
                raise
            try:
                part.unlink(missing_ok=True)
                removed += 1
            finally:
                os.close(fd)
        return removed

    def all_digests(self) -> set[str]:
        found: set[str] = set()
        if not self.root.is_dir():
            return found
        for sub in self.root.iterdir():
            if len(sub.name) == 2 and sub.is_dir():
                found.update(sub.name + p.name for p in sub.iterdir() if p.is_file())
        return found


def _copy_hashing(source: BinaryIO, fd: int, progress: Progress | None) -> tuple[str, int]:
    """Read, hash and write in a three-stage pipeline over a few reused buffers.

    Reading and writing run on two helper threads while this thread hashes; all three release
    the GIL on large buffers, so the add costs about as much as hashing alone. The writer
    flushes to disk every ``SYNC_EVERY`` bytes so the final fsync has little left to do.
    """
    hasher = hashlib.sha256()
    free: queue.Queue[bytearray] = queue.Queue()
    for _ in range(BUFFERS):
        free.put(bytearray(CHUNK))
    to_hash: queue.Queue[tuple[bytearray, int] | BaseException | None] = queue.Queue()
    to_write: queue.Queue[tuple[bytearray, int] | None] = queue.Queue()
    failure: list[BaseException] = []

    def reader() -> None:
        try:
            while True:
                buffer = free.get()
                if failure:
                    break
                count = source.readinto(buffer)  # type: ignore[attr-defined]
                if not count:
                    break
                to_hash.put((buffer, count))
        except BaseException as exc:  # handed to the hashing thread, raised there
            to_hash.put(exc)
            return
        to_hash.put(None)

    def writer() -> None:
        unsynced = 0
        try:
            while (item := to_write.get()) is not None:
                buffer, count = item
                _write_all(fd, memoryview(buffer)[:count])
                free.put(buffer)
                unsynced += count
                if unsynced >= SYNC_EVERY:
                    _start_writeback(fd)
                    unsynced = 0
        except BaseException as exc:
            failure.append(exc)
            free.put(bytearray(0))  # unblock the reader

    size = 0
    threads = [
        threading.Thread(target=reader, name="blob-reader", daemon=True),
        threading.Thread(target=writer, name="blob-writer", daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        while (item := to_hash.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            if failure:
                raise failure[0]
            buffer, count = item
            hasher.update(memoryview(buffer)[:count])
            to_write.put((buffer, count))
            size += count
            if progress is not None:
                progress(count)
    finally:
        to_write.put(None)
        threads[1].join()
        failure.append(RuntimeError("stopped"))  # tells a still-running reader to stop
        free.put(bytearray(CHUNK))
        threads[0].join()
    if len(failure) > 1:
        raise failure[0]
    return hasher.hexdigest(), size


def _start_writeback(fd: int) -> None:
    """Ask the kernel to start writing dirty pages now, without waiting (Linux).

    The final fsync then has little left to flush, so storing costs about what hashing costs.
    Elsewhere this is a no-op and the final fsync does all the work.
    """
    if _sync_file_range is not None:
        _sync_file_range(fd, 0, 0, _SYNC_FILE_RANGE_WRITE)


def _load_sync_file_range() -> Callable[[int, int, int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint)
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return,unused-ignore]


_SYNC_FILE_RANGE_WRITE = 2
_sync_file_range = _load_sync_file_range()


def _write_all(fd: int, view: memoryview) -> None:
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_path(path: Path) -> None:
    """Fsync a file or a directory (both can be opened read-only for it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_fsync_dir = _fsync_path


def _fsync_each(paths: list[Path]) -> None:
    """Fsync every file, then every directory holding one (once each): data, then names."""
    for path in paths:
        _fsync_path(path)
    for directory in dict.fromkeys(path.parent for path in paths):
        _fsync_dir(directory)


def _holds(final: Path, data: bytes) -> bool:
    """Whether the blob ``final`` exists and holds exactly ``data``.

    The size alone is not trusted: a blob written without fsync before a power cut may have
    its size but not its bytes. Comparing costs one read of bytes already small enough to be
    in memory, and only when the blob is there at all.
    """
    try:
        with final.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size != len(data):
                return False
            return handle.read(len(data) + 1) == data
    except FileNotFoundError:
        return False


def _syncfs(root: Path) -> bool:
    """``syncfs`` of the file system holding ``root`` (Linux); False where it is unavailable.

    It returns once all of that file system's dirty data and metadata are on disk, and
    reports write-back errors (Linux 5.8 and later).
    """
    if _syncfs_call is None:
        return False
    fd = os.open(root, os.O_RDONLY)
    try:
        if _syncfs_call(fd) == 0:
            return True
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            return False  # fsync each blob instead
        raise OSError(code, f"syncfs: {os.strerror(code)}", str(root))
    finally:
        os.close(fd)


def _load_syncfs() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int,)
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return,unused-ignore]


_syncfs_call = _load_syncfs()
