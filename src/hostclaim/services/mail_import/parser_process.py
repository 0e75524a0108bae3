"""The parser process: reading and parsing the files in a second process, and its pipe protocol.

Like :mod:`.describe`, which it runs, it keeps clear of the database layer, so the second
process stays small.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from hostclaim.errors import HostclaimError
from hostclaim.i18n import current_language, set_language
from hostclaim.mail import DkimKeySource, OwnAddresses
from hostclaim.services.mail_import.describe import _Event, _Pending, _produce

if TYPE_CHECKING:
    from hostclaim.services.mail_import.store import _Importer

PARALLEL_MIN_BYTES = 16 * 1024 * 1024  # smaller imports end before a second process pays off
FRAME_EVENTS = 128  # events per frame sent by the parser process …
FRAME_BYTES = 1024 * 1024  # … or fewer once their messages' bytes reach this
FRAMES_AHEAD = 32  # frames received but not yet taken, at most: memory stays bounded
_READY, _END, _DONE = "ready", "end", "done"
_BOOT = (
    "import pickle, sys; stream = sys.stdin.buffer; sys.path[:] = pickle.load(stream); "
    "from hostclaim.services.mail_import.parser_process import _parser_main; _parser_main(stream)"
)


class _ParserGone(Exception):
    """The parser process ended without saying it was done."""


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _use_parser(total_bytes: int, wanted: bool | None) -> bool:
    if not sys.executable or getattr(sys, "frozen", False):
        return False  # no interpreter to start
    if wanted is not None:
        return wanted
    return total_bytes >= PARALLEL_MIN_BYTES and _cpus() >= 2


class _ParserProcess:
    """Reads and parses the files in a second process while this one stores and records.

    Parsing (the e-mail package and DKIM) is most of an import's work and needs nothing of
    the case but the hashes of the messages it holds, so on a machine with two cores it runs
    beside storing and committing. The child runs ``_produce`` over the files and sends what
    it yields back in frames (pickled lists) on its stdout, in file order; a thread here reads
    them ahead, at most ``FRAMES_AHEAD``. The child writes nothing: blobs and rows are this
    process's, so whatever becomes of the child the locker's rule holds. It ignores Ctrl-C
    (stopping is the importer's decision) and is killed when the import stops early.
    """

    def __init__(
        self,
        files: Sequence[Path],
        owner: OwnAddresses,
        keys: DkimKeySource | None,
        held: set[str],
    ) -> None:
        setup = pickle.dumps(
            {
                "paths": list(files),
                "owner": owner,
                "keys": keys,
                "held": held,
                "lang": current_language(),
            },
            pickle.HIGHEST_PROTOCOL,
        )  # raises when the key source cannot be sent: the caller parses here then
        self.frames: queue.Queue[list[Any] | BaseException | None] = queue.Queue(FRAMES_AHEAD)
        self.stopping = threading.Event()
        self.done = False
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdout = self.proc.stdout
        _widen_pipe(self.stdout.fileno())
        self.reader = threading.Thread(target=self._pump, name="mail-parser-reader", daemon=True)
        self.reader.start()
        try:
            with self.proc.stdin as stdin:
                stdin.write(pickle.dumps(sys.path))
                stdin.write(setup)
        except BrokenPipeError:
            pass  # it did not start; start() says so
        self.stream = self._events()

    def _pump(self) -> None:
        item: list[Any] | BaseException | None
        try:
            while True:
                item = pickle.load(self.stdout)
                if not self._put(item):
                    return
        except (EOFError, pickle.UnpicklingError):
            item = None  # ended, whole or cut
        except BaseException as exc:  # handed to the importer, raised there
            item = exc
        self._put(item)

    def _put(self, item: list[Any] | BaseException | None) -> bool:
        while not self.stopping.is_set():
            try:
                self.frames.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _events(self) -> Iterator[Any]:
        while True:
            frame = self.frames.get()
            if frame is None:
                raise _ParserGone
            if isinstance(frame, BaseException):
                raise frame
            for event in frame:
                if isinstance(event, tuple):
                    raise _rebuild(event)
                yield event

    def start(self) -> bool:
        """Wait until the child is ready; False when it could not start."""
        try:
            return next(self.stream) == _READY
        except _ParserGone:
            return False

    def file(self) -> Iterator[_Event]:
        """The events of the next file, as ``_produce`` gives them."""
        try:
            for event in self.stream:
                if event == _END:
                    return
                yield event
        except _ParserGone:
            raise self._gone() from None

    def finish(self) -> None:
        try:
            self.done = next(self.stream) == _DONE
        except _ParserGone:
            raise self._gone() from None

    def _gone(self) -> RuntimeError:
        return RuntimeError(f"the mail parser process ended early (exit status {self.proc.wait()})")

    def close(self) -> None:
        self.stopping.set()
        if not self.done and self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.reader.join()
        self.stdout.close()


def _widen_pipe(fd: int) -> None:
    """A bigger pipe (Linux) lets the parser run further ahead between two reads."""
    setter = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setter is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, setter, FRAME_BYTES)


def _failure(exc: BaseException) -> tuple[Any, ...]:
    """An exception of the parser process, as something the importer can raise again."""
    detail = "".join(traceback.format_exception(exc))
    payload: Any = (type(exc), exc.key, exc.params) if isinstance(exc, HostclaimError) else exc
    try:
        pickle.loads(pickle.dumps(payload))
    except Exception:
        payload = RuntimeError(f"{type(exc).__name__}: {exc}")
    return ("error", payload, detail)


def _rebuild(event: tuple[Any, ...]) -> BaseException:
    _, payload, detail = event
    exc: BaseException = (
        payload[0](payload[1], **payload[2]) if isinstance(payload, tuple) else payload
    )
    exc.add_note(f"in the mail parser process:\n{detail}")
    return exc


def _parser_main(stream: BinaryIO) -> None:
    """The parser process (see ``_ParserProcess``): its setup on stdin, frames on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    setup = pickle.load(stream)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print goes to stderr and cannot cut into the frames
    set_language(setup["lang"])
    held: set[str] = setup["held"]
    frame: list[Any] = [_READY]
    size = 0

    def send() -> None:
        nonlocal frame, size
        pickle.dump(frame, out, pickle.HIGHEST_PROTOCOL)
        out.flush()
        frame, size = [], 0

    with contextlib.suppress(BrokenPipeError):  # the importer is gone: so is the point
        try:
            send()
            for path in setup["paths"]:
                for event in _produce(path, setup["owner"], setup["keys"], held):
                    frame.append(event)
                    if isinstance(event, _Pending):
                        size += len(event.raw)
                        if event.by_hash:
                            held.add(event.sha256)  # a later copy is a duplicate: not parsed
                    if len(frame) >= FRAME_EVENTS or size >= FRAME_BYTES:
                        send()
                frame.append(_END)
            frame.append(_DONE)
        except Exception as exc:
            frame.append(_failure(exc))
        send()
        out.close()


def _start_parser(
    files: Sequence[Path], importer: _Importer, total_bytes: int, wanted: bool | None
) -> _ParserProcess | None:
    """The parser process, or None to parse in this process."""
    if not _use_parser(total_bytes, wanted):
        return None
    try:
        parser = _ParserProcess(files, importer.owner, importer.keys, set(importer.by_sha))
    except Exception:  # a key source that cannot be sent, no process to start: parse here
        return None
    try:
        started = parser.start()
    except BaseException:
        parser.close()
        raise
    if started:
        return parser
    parser.close()
    return None
