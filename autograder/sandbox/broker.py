"""Commit, then reveal: the student process hands over a commit before it may read the secret.

The broker side runs in a process that runs no student code (the namespace's
PID 1, or the parent in reduced mode); ``reveal_function`` is what the
student process calls.
"""

from __future__ import annotations

import os
from typing import Callable

from autograder.sandbox.protocol import LENGTH, read_exact, write_all

SECRET_CAP = 60 * 1024  # fits a pipe's buffer, so the broker never blocks on a silent reader


class RevealRefused(RuntimeError):
    """reveal() was called twice, or the broker closed without a secret (commit too large, or the sandbox would not
    stop)."""


class Broker:
    """Takes one commit from the request pipe, records it, then writes the secret to the reply pipe.

    ``before_reveal()`` runs between the two; False refuses the secret.
    """

    def __init__(
        self,
        request_r: int,
        reply_w: int,
        secret_fd: int,
        cap: int,
        *,
        on_commit: Callable[[bytes], None] | None = None,
        before_reveal: Callable[[], bool] | None = None,
    ):
        self.request_r, self.reply_w, self.secret_fd, self.cap = request_r, reply_w, secret_fd, cap
        self.on_commit, self.before_reveal = on_commit, before_reveal
        self.buffer = bytearray()
        self.commit: bytes | None = None
        self.closed = False

    def feed(self, chunk: bytes) -> bool:
        """Take bytes read from the request pipe (b"" at its end); False once done."""
        if self.closed:
            return False
        self.buffer += chunk
        if len(self.buffer) >= LENGTH.size:
            (size,) = LENGTH.unpack_from(self.buffer)
            if size > self.cap:
                self.close()  # refused: the student process sees the reply pipe close empty
            elif len(self.buffer) >= LENGTH.size + size:
                self.commit = bytes(self.buffer[LENGTH.size : LENGTH.size + size])
                if self.on_commit:
                    self.on_commit(self.commit)  # recorded before anything is revealed
                if self.before_reveal is None or self.before_reveal():
                    secret = read_secret(self.secret_fd)
                    write_all(self.reply_w, LENGTH.pack(len(secret)) + secret)
                self.close()
        if not chunk:
            self.close()
        return not self.closed

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.request_r)
            os.close(self.reply_w)


def read_secret(fd: int) -> bytes:
    secret = os.pread(fd, SECRET_CAP + 1, 0)
    if len(secret) > SECRET_CAP:
        raise ValueError(f"the secret is over {SECRET_CAP} bytes")
    return secret


def reveal_function(request_w: int, reply_r: int) -> Callable[[bytes], bytes]:
    """The student side: ``reveal(commit)`` sends the commit, then returns the secret. Once."""
    used = []

    def reveal(commit: bytes) -> bytes:
        """Hand ``commit`` to the grader, then receive the secret."""
        if used:
            raise RevealRefused("reveal() may be called once per sandbox")
        used.append(True)
        refused = RevealRefused(
            "the grader refused the commit (is it over the result cap, or would a process of the sandbox not stop?)"
        )
        try:
            write_all(request_w, LENGTH.pack(len(commit)) + bytes(commit))
        except BrokenPipeError as error:
            raise refused from error
        os.close(request_w)
        header = read_exact(reply_r, LENGTH.size)
        secret = read_exact(reply_r, LENGTH.unpack(header)[0]) if header else None
        os.close(reply_r)
        if secret is None:
            raise refused
        return secret

    return reveal
