"""Blobs written without their own fsync, made durable together by one ``sync``.

What must hold: a blob is whole under its hash name as soon as ``put_bytes`` returns (a killed
writer leaves at most a ``.part``), ``sync`` is what makes it durable, a good copy is never
swapped for one that is not durable yet, and a failed ``sync`` leaves the blobs pending.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hostclaim.storage import blobs as blobs_module
from hostclaim.storage.blobs import BlobStore


def _data(count: int) -> list[bytes]:
    return [f"message {n}\n".encode() * (50 + n) for n in range(count)]


def _hash_named(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts]


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every os.fsync of the blob module, counted (and still done)."""
    calls: list[int] = []
    real = os.fsync

    def counting(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(blobs_module.os, "fsync", counting)
    return calls


def test_a_batch_is_whole_at_once_and_durable_after_one_sync(store, fsyncs, monkeypatch) -> None:
    syncfs_calls: list[int] = []
    real_syncfs = blobs_module._syncfs

    def counting_syncfs(root: Path) -> bool:
        syncfs_calls.append(1)
        return real_syncfs(root)

    monkeypatch.setattr(blobs_module, "_syncfs", counting_syncfs)
    items = _data(40)
    stored = [store.put_bytes(data, durable=False) for data in items]
    assert fsyncs == [] and syncfs_calls == []  # no fsync per blob
    assert store.unsynced == 40
    # Whole under its name already: a killed writer cannot leave half a blob there.
    for data, blob in zip(items, stored, strict=True):
        assert not blob.existed and blob.sha256 == hashlib.sha256(data).hexdigest()
        path = store.path_for(blob.sha256)
        assert path.read_bytes() == data
        assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0  # read-only like every blob
    assert list(store.tmp.glob("*.part")) == []

    store.sync()
    assert syncfs_calls == [1] and store.unsynced == 0
    store.sync()  # nothing left: nothing done
    assert syncfs_calls == [1]
    for blob in stored:
        assert store.rehash(blob.sha256) == (blob.sha256, blob.size)
    assert len(_hash_named(store.root)) == 40


def test_without_syncfs_each_blob_and_each_directory_is_fsynced(store, fsyncs, monkeypatch) -> None:
    monkeypatch.setattr(blobs_module, "_syncfs_call", None)  # not Linux
    items = _data(12)
    stored = [store.put_bytes(data, durable=False) for data in items]
    assert fsyncs == []
    store.sync()
    directories = {store.path_for(b.sha256).parent for b in stored}
    assert len(fsyncs) == len(items) + len(directories)
    assert store.unsynced == 0


def test_a_failed_sync_keeps_the_blobs_pending(store, monkeypatch) -> None:
    for data in _data(3):
        store.put_bytes(data, durable=False)

    def failing(root: Path) -> bool:
        raise OSError(errno.EIO, "write-back failed")

    monkeypatch.setattr(blobs_module, "_syncfs", failing)
    with pytest.raises(OSError):
        store.sync()
    assert store.unsynced == 3  # the caller commits nothing, and a later sync does them
    monkeypatch.undo()
    store.sync()
    assert store.unsynced == 0


def test_a_good_copy_is_kept_and_a_damaged_one_replaced(store, fsyncs) -> None:
    data = b"the provider's reply\n" * 20
    first = store.put_bytes(data)  # durable: fsynced, as before
    path = store.path_for(first.sha256)
    inode = path.stat().st_ino
    fsyncs.clear()

    again = store.put_bytes(data, durable=False)
    assert again.existed and path.stat().st_ino == inode  # not swapped for a newer copy
    assert store.unsynced == 1  # it may be another writer's not yet synced copy

    # Same size, other bytes: what a power cut can leave of a blob never synced.
    path.chmod(0o600)
    path.write_bytes(b"\0" * len(data))
    fixed = store.put_bytes(data, durable=False)
    assert not fixed.existed and path.read_bytes() == data
    assert fsyncs  # the replacing copy was fsynced before it took the name

    path.chmod(0o600)
    path.write_bytes(b"\0" * len(data))
    assert not store.put_bytes(data).existed and path.read_bytes() == data  # durable, too


def test_durable_put_of_bytes_already_there_makes_them_durable(store, fsyncs) -> None:
    data = b"written by an import that has not synced yet\n"
    blob = store.put_bytes(data, durable=False)
    fsyncs.clear()
    again = store.put_bytes(data)
    assert again.existed and again.sha256 == blob.sha256
    assert len(fsyncs) == 2  # the blob and its directory


def test_a_writer_killed_before_sync_leaves_only_whole_blobs(tmp_path) -> None:
    root = tmp_path / "blobs"
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from hostclaim.storage.blobs import BlobStore\n"
        "store = BlobStore(Path(sys.argv[1]))\n"
        "for n in range(200):\n"
        "    store.put_bytes(f'message {n}\\n'.encode() * 500, durable=False)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
        "store.sync()\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(root)], timeout=60)
    assert done.returncode == -signal.SIGKILL
    found = _hash_named(root)
    assert len(found) == 200
    for path in found:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.parent.name + path.name
