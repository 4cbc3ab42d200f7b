"""The filesystem a sandboxed submission sees: an allow-list, not the host's.

Runs in a fresh mount namespace, as root or as the owner of a fresh user
namespace, before any student code. A tmpfs becomes the new root. Into it go:
copies of the few files a run reads (``autograder.sandbox.view``: no file of the
host is bound, so no read leaves a mark in the host's page cache); a small
private /tmp holding the work folder; a /dev with a few device nodes; the /proc
of the sandbox's own PID namespace, with its process folders only
(``subset=pid``: no /proc/locks, loadavg, meminfo, stat, pressure or sys, which
show what every process on the host does). Then pivot_root makes it '/' and the
host's tree is detached. Whatever else is on the disk (the system, the Python
installation, the project, other submissions, the grader's output, hidden
tests, references, the kit's checkout) does not exist inside.

A test may leave the view out (``Limits.without({"memory_view"})``): the host's
system trees, interpreter, virtual environment and kit are then bound read-only.
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
from dataclasses import dataclass

from autograder.sandbox import etc_files
from autograder.sandbox.libc import check, libc
from autograder.sandbox.view import FileView, write_into

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}  # syscall numbers; glibc has no wrapper

SYSTEM_TREES = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")  # /etc: a few files (etc_files)
DEVICES = ("null", "zero", "full", "random", "urandom")
# A tmpfs's size caps its data, not its files: an empty file costs the kernel about 1 KB that no
# rlimit counts (a rootless sandbox without a cgroup made 300,000 in 2.7 s, and could fill three
# such folders with 3 million each). So each tmpfs also caps its files: one per 2 KB of size.
FILES_PER_MB = 512
# The root's room beside the view's copies, for its /etc files and mount points. Added to the view's exact
# size: a size rounded down to whole MiB once left a view one page short of a boundary no room at all.
ROOT_ROOM = 2**20
WORK = "/tmp/work"


@dataclass(frozen=True)
class RootPlan:
    """What the new root holds.

    Attributes:
        view: files copied into the root (the defence); None binds ``readable`` instead.
        readable: host paths bound read-only at the same place (files or folders).
        links: top-level symbolic links recreated as they are (/bin -> usr/bin).
        hide: host paths to cover with an empty folder should they fall inside
            a readable tree (an output folder under /usr, say).
        host_proc: /proc keeps the files about the whole host (tests only).
    """

    readable: tuple[str, ...]
    links: tuple[tuple[str, str], ...]
    hide: tuple[str, ...] = ()
    host_proc: bool = False
    view: FileView | None = None


def plan_root(
    *, kit_package: str, view: FileView | None, hide: tuple[str, ...] = (), host_proc: bool = False
) -> RootPlan:
    """The view's files; or, without one, the host trees for this interpreter: system, Python, the venv and the kit."""
    if view is not None:
        return RootPlan((), (), host_proc=host_proc, view=view)
    links = tuple((tree, os.readlink(tree)) for tree in SYSTEM_TREES if os.path.islink(tree))
    return RootPlan(host_trees(kit_package), links, tuple(hide), host_proc)


def host_trees(kit_package: str) -> tuple[str, ...]:
    """The host folders a sandbox's code comes from: system trees, the interpreter, the venv and the kit."""
    readable = [tree for tree in SYSTEM_TREES if os.path.isdir(tree) and not os.path.islink(tree)]
    python = {
        sys.base_prefix,
        sys.prefix,
        sys.exec_prefix,
        os.path.dirname(os.path.realpath(sys.executable)),
        kit_package,
    }
    readable.extend(os.path.realpath(path) for path in python if path)
    return _outermost(readable)


def _outermost(paths: list[str]) -> tuple[str, ...]:
    unique = sorted(set(paths))
    return tuple(p for p in unique if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in unique))


def build_root(plan: RootPlan, *, tmpfs_mb: int, uid: int) -> str:
    """Make the allow-listed tree this process's '/', with /proc and a work folder owned by ``uid``.

    Must run in a mount namespace of its own, as the first process (PID 1) of
    a PID namespace of its own, with CAP_SYS_ADMIN there (root, or the owner
    of a user namespace). /proc is mounted before the host's tree goes, as a
    user namespace may only mount a proc while one is fully visible.
    Returns the work folder.

    Raises:
        OSError: a mount or pivot_root failed.
    """
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing below propagates back to the host
    # Hold every source open first: the new root is built on /tmp, which may
    # hold some of them (a venv in a fresh clone under /tmp).
    sources = [(path, os.open(path, os.O_PATH)) for path in plan.readable]
    devices = [(name, os.open(f"/dev/{name}", os.O_PATH)) for name in DEVICES if os.path.exists(f"/dev/{name}")]
    root = "/tmp"
    _mount_root(root, plan.view)
    # The private /tmp first: a kit or venv checked out under /tmp is bound on top of it, not hidden by it.
    os.makedirs(root + "/tmp")
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, _tmpfs(tmpfs_mb, "1777"))
    for path, fd in sources:
        _bind_read_only(fd, root + path)
    if plan.view is not None:
        write_into(plan.view, root)
    etc_files.populate(root, uid=uid, home=WORK)
    for link, target in plan.links:
        os.symlink(target, root + link)
    for hidden in plan.hide:
        if os.path.isdir(root + hidden):
            _mount("tmpfs", root + hidden, "tmpfs", MS_NOSUID | MS_NODEV, "size=4k,nr_inodes=16,mode=0700")
    _make_dev(root, devices)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None if plan.host_proc else "subset=pid")
    _pivot_into(root)
    os.mkdir(WORK, 0o700)
    os.chown(WORK, uid, uid)
    return WORK


def _mount_root(root: str, view: FileView | None) -> None:
    """The root's tmpfs, large enough for the view (rootless, the student process owns it). As root it is
    also kept out of swap, where the kernel knows how (6.4 on): a copy swapped out would be slow to read again."""
    kilobytes = ((view.size if view else 0) + ROOT_ROOM) // 1024
    options = f"size={kilobytes}k,nr_inodes={4096 + (view.inodes if view else 0)},mode=0755"
    if os.geteuid() == 0:
        try:
            return _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, options + ",noswap")
        except OSError:
            pass  # an older kernel; a host without swap loses nothing
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, options)


def _tmpfs(megabytes: int, mode: str, *, files: int | None = None) -> str:
    return f"size={megabytes}m,nr_inodes={files or megabytes * FILES_PER_MB},mode={mode}"


def _bind_read_only(fd: int, target: str) -> None:
    source = f"/proc/self/fd/{fd}"
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "w").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    # A user namespace may not clear flags the source mount has (they are locked): keep them.
    _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | _locked_flags(target))
    os.close(fd)


def _locked_flags(path: str) -> int:
    flags = os.statvfs(path).f_flag
    kept = {
        os.ST_NODEV: MS_NODEV,
        os.ST_NOEXEC: MS_NOEXEC,
        os.ST_NOATIME: MS_NOATIME,
        os.ST_NODIRATIME: MS_NODIRATIME,
        os.ST_RELATIME: MS_RELATIME,
    }
    return sum(ms for st, ms in kept.items() if flags & st)


def _make_dev(root: str, devices: list[tuple[str, int]]) -> None:
    os.makedirs(root + "/dev", exist_ok=True)
    for name, fd in devices:
        target = f"{root}/dev/{name}"
        open(target, "w").close()
        _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND)
        os.close(fd)
    os.makedirs(root + "/dev/shm")
    _mount(
        "tmpfs", root + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, _tmpfs(16, "1777")
    )  # POSIX shared memory: private too
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, f"{root}/dev/{name}")


def _pivot_into(root: str) -> None:
    """Make ``root`` the root of this mount namespace and drop the old one."""
    os.chdir(root)
    number = _PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise OSError(f"pivot_root: unknown syscall number on {platform.machine()}")
    # new_root and put_old may be the same folder: the old root ends up
    # stacked on '.', from where it is detached.
    check(libc.syscall(ctypes.c_long(number), b".", b"."), "pivot_root")
    check(libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")


def _mount(source: str | None, target: str, fstype: str | None, flags: int = 0, data: str | None = None) -> None:
    def encode(text):
        return text.encode() if text else None

    check(
        libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
        f"mount {target}",
    )
