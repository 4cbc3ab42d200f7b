"""The C library, for the few system calls Python's os module lacks (mount, unshare, prctl, ...)."""

from __future__ import annotations

import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)


def check(result: int, what: str) -> None:
    """Raise OSError naming ``what`` and the errno when a libc call returned nonzero."""
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")
