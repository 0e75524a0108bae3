"""The evidence locker's bytes: content-addressed, written once, never modified.

A blob is streamed into ``.tmp/<random>.part`` (held under an exclusive ``flock`` while it is
written), hashed in the same pass, fsynced and renamed to ``ab/cdef…``. A process killed half-way
leaves only a ``.part`` file, which is never a blob and is removed by the next process that opens
the locker — but only when no live writer still holds its lock.
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

    def put_bytes(self, data: bytes) -> StoredBlob:
        """Store bytes already in memory: hashed and written in one go, no pipeline threads."""
        self.ensure()
        digest = hashlib.sha256(data).hexdigest()
        part = self.tmp / f"{uuid.uuid4().hex}.part"
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            _write_all(fd, memoryview(data))
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            part.unlink(missing_ok=True)
            raise
        os.close(fd)
        return self._commit(part, digest, len(data))

    def _commit(self, part: Path, digest: str, size: int) -> StoredBlob:
        final = self.path_for(digest)
        if final.is_file() and final.stat().st_size == size:
            part.unlink()
            return StoredBlob(digest, size, existed=True)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(part, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
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


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
