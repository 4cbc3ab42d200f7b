"""Run test code as an ordinary user, as a TA would run the grader (CI runs as root).

``as_user(job)`` forks; the child leaves root for ``TEST_UID`` (no passwd
entry needed) and runs ``job``, which returns a JSON-serialisable dict. The
interpreter may live under a folder only root may enter (``/root/.pyenv``);
the child then sees, in a mount namespace of its own, that folder replaced by
one holding only the interpreter's tree, so the grader's spawned workers can
start. Nothing changes on the host.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path
from typing import Callable

import pytest

from autograder.forking import Outcome, run_forked
from autograder.sandbox import modes

TEST_UID = 60999  # an ordinary uid, below the sandbox uids (61000+)
CLONE_NEWNS = 0x00020000
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_DUMPABLE = 4

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="switching to an ordinary user needs root (as on CI)")


def as_user(
    job: Callable[[], dict],
    *,
    timeout: float = 600.0,
    prepare: Callable[[], None] | None = None,
    uid: int = TEST_UID,
    groups: tuple[int, ...] = (),
) -> Outcome:
    """``job()`` run as ``uid`` (TEST_UID unless told), with supplementary ``groups``, in a forked child; its dict, or
    why there is none.

    ``prepare()`` runs in the child as root first, once the interpreter is in reach (to join a
    delegated cgroup, or ``deny_search`` a folder, say).
    """

    def child() -> dict:
        _reach_interpreter()
        if prepare is not None:
            prepare()
        os.setgroups(list(groups))
        os.setgid(uid)
        os.setuid(uid)
        # Leaving root by setuid makes a process undumpable, so its /proc/self files stay root's; a TA's
        # own shell starts the grader dumpable, and so does this.
        _check(ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")
        os.environ["HOME"] = "/tmp"
        modes.current_mode.cache_clear()  # probed again as this user
        return job()

    [outcome] = run_forked([child], workers=1, timeout=timeout)
    return outcome


def user_owned(path: Path) -> Path:
    """Make ``path`` (a folder) and its parents up to /tmp reachable, and ``path`` writable, by TEST_UID."""
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, TEST_UID, TEST_UID)
    for parent in path.parents:
        if parent == Path("/tmp") or parent == Path("/"):
            break
        os.chmod(parent, os.stat(parent).st_mode | 0o711)
    return path


def give_tree(path: Path) -> None:
    """Hand every file and folder under ``path`` to TEST_UID."""
    for folder, folders, files in os.walk(path):
        for name in [*folders, *files]:
            os.lchown(os.path.join(folder, name), TEST_UID, TEST_UID)
    os.chown(path, TEST_UID, TEST_UID)


class DelegatedCgroup:
    """v1 memory and pids cgroups handed to TEST_UID, as a host delegates one to a TA; None-like where none is
    writable."""

    def __init__(self, name: str):
        from autograder.sandbox import cgroups

        self.folders = []
        for base in cgroups._v1_bases().values():
            folder = base / name
            folder.mkdir(exist_ok=True)
            for path in (folder, folder / "cgroup.procs", folder / "tasks"):
                os.chown(path, TEST_UID, TEST_UID)
            self.folders.append(folder)

    def __bool__(self) -> bool:
        return bool(self.folders)

    def join(self) -> None:
        """Move the calling process in (as root, before it drops to TEST_UID)."""
        for folder in self.folders:
            (folder / "cgroup.procs").write_text("0")

    def processes(self, *, sandboxes_only: bool = False) -> list[int]:
        """Every process in the cgroup or below it; with ``sandboxes_only``, in its sandboxes' cgroups (``sbx_*``)."""
        found = set()
        for folder in self.folders:
            for procs in folder.glob("sbx_*/cgroup.procs") if sandboxes_only else folder.rglob("cgroup.procs"):
                found.update(int(pid) for pid in procs.read_text().split())
        return sorted(found)

    def remove(self, *, wait_s: float = 20.0) -> None:
        """Remove the cgroups once their last processes (a worker's resource tracker, say) have ended."""
        import time

        deadline = time.monotonic() + wait_s
        for folder in self.folders:
            for cgroup in [*sorted(folder.glob("*/"), reverse=True), folder]:
                while cgroup.is_dir():
                    try:
                        cgroup.rmdir()
                    except OSError:
                        if time.monotonic() > deadline:
                            break
                        time.sleep(0.05)  # the kernel frees a cgroup only after its last process is reaped


def deny_search(folder: Path) -> None:
    """In a mount namespace of this process's own, cover ``folder`` with an empty one only root may enter
    (mode 0700), as an administrator's install can be closed to a TA. Nothing changes on the host."""
    libc = ctypes.CDLL(None, use_errno=True)
    _check(libc.unshare(CLONE_NEWNS), "unshare")
    _check(libc.mount(None, b"/", None, ctypes.c_ulong(MS_REC | MS_PRIVATE), None), "mount --make-rprivate /")
    _check(
        libc.mount(b"tmpfs", str(folder).encode(), b"tmpfs", ctypes.c_ulong(0), b"mode=0700"),
        f"mount tmpfs on {folder}",
    )


def _reach_interpreter() -> None:
    """Cover each folder only root may enter on the way to the interpreter with one holding just its tree."""
    blocked: dict[Path, set[str]] = {}
    for path in {os.path.realpath(sys.executable), os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}:
        chain = [*reversed(Path(path).parents), Path(path)]
        for ancestor, inner in zip(chain, chain[1:]):
            if not os.stat(ancestor).st_mode & 0o001:
                blocked.setdefault(ancestor, set()).add(inner.name)
                break
    if not blocked:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    _check(libc.unshare(CLONE_NEWNS), "unshare")
    _check(libc.mount(None, b"/", None, ctypes.c_ulong(MS_REC | MS_PRIVATE), None), "mount --make-rprivate /")
    for ancestor, names in blocked.items():
        held = {name: os.open(ancestor / name, os.O_PATH) for name in names}
        _check(
            libc.mount(b"tmpfs", str(ancestor).encode(), b"tmpfs", ctypes.c_ulong(0), b"mode=0755"),
            f"mount tmpfs on {ancestor}",
        )
        for name, fd in held.items():
            (ancestor / name).mkdir()
            _check(
                libc.mount(
                    f"/proc/self/fd/{fd}".encode(),
                    str(ancestor / name).encode(),
                    None,
                    ctypes.c_ulong(MS_BIND | MS_REC),
                    None,
                ),
                f"bind {ancestor / name}",
            )
            os.close(fd)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")
