"""The phase gate's bell: a commit rings it, and every sandbox in phase one on the host hears it at once.

A commit waiting for the gate alone does not wait for the phase ones that hold it to end: each of
them stops its sandbox and steps aside when it hears the bell (``autograder.sandbox.isolated``).
The bell is a file beside the gate. Ringing it is opening it, which inotify reports to every
watcher, whichever user it runs as and in whichever namespace, since the watch is on the inode.
The bell only decides how soon a phase one steps aside; the gate's lock alone keeps a phase two
apart from every running phase one, so a bell missed or rung by anyone costs time, never a secret.
That is also why a sandbox that inotify refuses (a user's instances or watches used up) gets a bell
that never rings rather than no run: it does not step aside, and a commit waits for it to end.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat

from autograder.sandbox.libc import libc

IN_OPEN, IN_DONT_FOLLOW = 0x00000020, 0x02000000
# inotify's refusals for want of room: fs.inotify.max_user_instances (128 a user by default), max_user_watches, memory
OUT_OF_ROOM = {errno.EMFILE, errno.ENFILE, errno.ENOSPC, errno.ENOMEM}


class Bell:
    """An inotify watch on the bell file: readable (``fileno``) once someone has rung it."""

    def __init__(self, path: str):
        """Raises:
        FileNotFoundError: there is no bell file yet.
        OSError: it is not a plain file, or inotify refused (the message names the call)."""
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise OSError(errno.EINVAL, "not a plain file", path)
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise _error("inotify_init1", path)
        if libc.inotify_add_watch(self.fd, os.fsencode(path), IN_OPEN | IN_DONT_FOLLOW) < 0:
            error = _error("inotify_add_watch", path)
            os.close(self.fd)
            raise error

    @classmethod
    def deaf(cls) -> "Bell":
        """A bell that never rings: an eventfd no one writes, so it reads as silent wherever a watch would."""
        bell = cls.__new__(cls)
        bell.fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        return bell

    def fileno(self) -> int:
        return self.fd

    def heard(self) -> bool:
        """Whether it rang since last asked (what was heard is forgotten)."""
        rang = False
        while True:
            try:
                rang |= bool(os.read(self.fd, 4096))
            except BlockingIOError:
                return rang

    def close(self) -> None:
        os.close(self.fd)


def _error(call: str, path: str) -> OSError:
    number = ctypes.get_errno()
    return OSError(number, f"{call}: {os.strerror(number)}", path)
