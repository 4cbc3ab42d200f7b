"""The pipes between a sandbox and the process that started it, and the messages on them.

Five pipes per sandbox. ``result``: the student process's tagged return value.
``output``: its stdout and stderr. ``control``: the sandbox's root processes
(A and B, see ``autograder.sandbox.isolated``) tell the parent B's pid, the
commit, when the sandbox waits for its turn at the phase gate, the student
process's wait status, or why setup failed.
``request``/``reply``: the student process and the broker (commit, then secret).
"""

from __future__ import annotations

import enum
import os
import select
import struct
import time
from dataclasses import dataclass, field

LENGTH = struct.Struct("!Q")
STATUS = struct.Struct("!i")


@dataclass
class Pipes:
    """Read (``_r``) and write (``_w``) ends of the five pipes."""

    result_r: int
    result_w: int
    output_r: int
    output_w: int
    control_r: int
    control_w: int
    request_r: int
    request_w: int
    reply_r: int
    reply_w: int

    @classmethod
    def open(cls) -> "Pipes":
        fds = []
        for _ in range(5):
            fds.extend(os.pipe())
        return cls(*fds)

    def close_child_ends(self) -> None:
        for fd in (self.result_w, self.output_w, self.request_w, self.reply_r):
            os.close(fd)

    def close_broker_ends(self) -> None:
        for fd in (self.request_r, self.reply_w):
            os.close(fd)

    def close_parent_ends(self) -> None:
        for fd in (self.result_r, self.output_r, self.control_r):
            os.close(fd)


# The result message: one tag byte, then the payload; the student process's last write.


class ResultKind(enum.Enum):
    RETURNED = b"O"  # the function's return value
    OUT_OF_MEMORY = b"M"
    RAISED = b"E"  # the traceback's text
    SETUP_FAILED = b"S"  # why the sandbox could not be set up
    NOTHING = b"X"  # the process reached its end without a result


def result_message(kind: ResultKind, payload: bytes = b"") -> bytes:
    return kind.value + bytes(payload)


def parse_result(data: bytes) -> tuple[ResultKind | None, bytes]:
    """The result message's kind (None for none, or a tag no writer uses) and its payload."""
    try:
        return ResultKind(data[:1]), data[1:]
    except ValueError:
        return None, data[1:]


# Control messages: one tag byte, then a body. E and S mean something else here than on the result pipe.


def pid_message(pid: int) -> bytes:
    return b"P" + STATUS.pack(pid)


def commit_message(commit: bytes) -> bytes:
    return b"C" + LENGTH.pack(len(commit)) + commit


def gate_message(*, waiting: bool) -> bytes:
    return b"W" + STATUS.pack(int(waiting))


def status_message(status: int) -> bytes:
    return b"S" + STATUS.pack(status)


def setup_failure_message(error: BaseException) -> bytes:
    return b"E" + repr(error).encode(errors="backslashreplace")[:500]


@dataclass
class ControlMessages:
    """What the control pipe said, each message read once whole (a cut-off message is left out).

    ``gate``: each gate message in order, True when the sandbox began waiting for its turn.
    """

    pid: int | None = None
    commit: bytes | None = None
    gate: list[bool] = field(default_factory=list)
    status: int | None = None
    setup_error: str | None = None


def parse_control(buffer: bytes) -> ControlMessages:
    """The control messages in ``buffer``: B's pid, the commit, the gate messages, a wait status, a setup error."""
    messages, at = ControlMessages(), 0
    while at < len(buffer):
        tag = chr(buffer[at])
        if tag == "E":
            messages.setup_error = buffer[at + 1 :].decode(errors="replace")
            break
        if tag == "C":
            if at + 1 + LENGTH.size > len(buffer):
                break
            (size,) = LENGTH.unpack_from(buffer, at + 1)
            start = at + 1 + LENGTH.size
            if start + size > len(buffer):
                break
            messages.commit = buffer[start : start + size]
            at = start + size
            continue
        if at + 1 + STATUS.size > len(buffer):
            break
        (value,) = STATUS.unpack_from(buffer, at + 1)
        if tag == "W":
            messages.gate.append(bool(value))
        elif tag == "P":
            messages.pid = value
        elif tag == "S":
            messages.status = value
        at += 1 + STATUS.size
    return messages


class Deadline:
    """A sandbox's wall-clock limit, which stops counting while the sandbox waits for its turn at the phase gate."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._left, self._since, self._paused = seconds, time.monotonic(), False

    def left(self) -> float:
        return self._left if self._paused else self._left - (time.monotonic() - self._since)

    def elapsed(self) -> float:
        """The time that counted."""
        return self.seconds - self.left()

    def pause(self) -> None:
        if not self._paused:
            self._left, self._paused = self.left(), True

    def resume(self) -> None:
        if self._paused:
            self._since, self._paused = time.monotonic(), False


class ControlReader:
    """The control pipe, read as it comes: its bytes (up to ``cap``), and the gate messages acted on at once.

    While the sandbox waits at the phase gate its ``deadline`` is paused and ``on_gate(True)`` is
    told; ``on_gate(False)`` when it has its turn.
    """

    def __init__(self, cap: int, deadline: Deadline, on_gate=None):
        self.cap, self.deadline, self.on_gate = cap, deadline, on_gate
        self.buffer = bytearray()
        self._gate_messages = 0

    def feed(self, chunk: bytes) -> bool:
        """Take bytes read from the pipe (b"" at its end); False once it has ended."""
        self.buffer += chunk[: max(self.cap - len(self.buffer), 0)]
        for waiting in parse_control(bytes(self.buffer)).gate[self._gate_messages :]:
            self._gate_messages += 1
            self.deadline.pause() if waiting else self.deadline.resume()
            if self.on_gate:
                self.on_gate(waiting)
        return bool(chunk)


def drain(caps: dict, output_fd: int, deadline: Deadline, *, handlers: dict | None = None):
    """Read every fd until all close or the deadline passes; keep at most caps[fd] bytes.

    Chunks from fds in ``handlers`` go to their handler instead of a buffer.
    Returns (buffers, output truncated?, timed out?).
    """
    handlers = handlers or {}
    open_fds = set(caps) | set(handlers)
    for fd in open_fds:
        os.set_blocking(fd, False)
    buffers = {fd: bytearray() for fd in caps}
    truncated = False
    while open_fds:
        left = deadline.left()
        if left <= 0:
            return buffers, truncated, True
        ready, _, _ = select.select(list(open_fds), [], [], min(left, 0.5))
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if fd in handlers:
                if not handlers[fd](chunk):  # the handler is done with (and closed) its fd
                    open_fds.discard(fd)
                continue
            room = caps[fd] - len(buffers[fd])
            buffers[fd] += chunk[: max(room, 0)]
            truncated |= fd == output_fd and len(chunk) > room  # keep draining, drop the excess
            if not chunk:
                open_fds.discard(fd)
    return buffers, truncated, False


def read_rest(fd: int) -> bytes:
    """What is left in a pipe whose writers are gone."""
    os.set_blocking(fd, False)
    rest = bytearray()
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        rest += chunk
    return bytes(rest)


def write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


def read_exact(fd: int, size: int) -> bytes | None:
    """``size`` bytes from ``fd``, or None if it closes first."""
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)
