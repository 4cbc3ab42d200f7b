"""A spawned process's stderr, passed on to ours as it comes and remembered for an error message.

The warm process is started with this pipe as its stderr, and so are the
workers it forks. Everything they write reaches this process's stderr as
before; the last lines are kept, so when the warm process fails the grader's
own error can quote them (a TA whose stderr goes elsewhere, a server's log or
a test's capture, still reads why).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import Iterator

KEPT_BYTES = 8192
KEPT_LINES = 25


class ErrorRelay:
    """A pipe for a child's stderr (``as_stderr``) and a thread that relays it to this process's stderr."""

    def __init__(self):
        self._read, self._write = os.pipe()
        self._out = os.dup(2)  # where the relay writes, even while fd 2 is the pipe (as_stderr)
        self._kept = b""
        self._thread = threading.Thread(target=self._relay, name="autograder-stderr-relay", daemon=True)
        self._thread.start()

    @contextlib.contextmanager
    def as_stderr(self) -> Iterator[None]:
        """While inside, this process's fd 2 is the pipe, so a process started here writes to it.
        On leaving, this process keeps no end to write to: the relay ends when the child's side closes."""
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(self._write, 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(self._write)

    def last_words(self, *, wait_s: float = 5.0) -> str:
        """The last lines written, once every writer has closed the pipe (or after ``wait_s``)."""
        self._thread.join(wait_s)
        lines = self._kept.decode("utf-8", errors="replace").strip().splitlines()
        return "\n".join(lines[-KEPT_LINES:])

    def _relay(self) -> None:
        try:
            while chunk := os.read(self._read, 65536):
                self._kept = (self._kept + chunk)[-KEPT_BYTES:]
                _write_all(self._out, chunk)
        finally:
            os.close(self._read)
            os.close(self._out)


def _write_all(fd: int, data: bytes) -> None:
    try:
        while data:
            data = data[os.write(fd, data) :]
    except OSError:
        pass  # our own stderr is gone: the lines are still kept for the error message
