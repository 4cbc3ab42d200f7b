"""Memory and process caps over a whole sandbox (every process it starts, setsid or not).

Each sandbox gets a cgroup named ``sbx_<owner pid>_<slot>`` inside the
grading process's own cgroup, on whichever hierarchy this host lets us write:

- cgroup v1: the ``memory`` and ``pids`` controllers' folders (root, or a
  folder delegated to the TA by chown);
- cgroup v2: a delegated subtree whose ``cgroup.subtree_control`` enables
  ``memory`` and ``pids`` (as ``systemd-run --user -p Delegate=yes`` gives).

Where neither is writable there is no whole-sandbox cap: RLIMIT_AS still caps
each process, and ``describe()`` says so.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

V1_ROOT = Path("/sys/fs/cgroup")


class NoCgroup:
    """No cgroup could be made: nothing to join, nothing counted."""

    folders: dict = {}

    def join(self) -> None:
        pass

    def oom_kills(self) -> int:
        return 0

    def remove(self) -> None:
        pass


class CgroupV1:
    """A folder under the v1 ``memory`` and ``pids`` hierarchies."""

    def __init__(self, bases: dict[str, Path], name: str, *, memory_bytes: int, processes: int):
        self.folders: dict[str, Path] = {}
        settings = {
            "memory": {"memory.limit_in_bytes": memory_bytes, "memory.memsw.limit_in_bytes": memory_bytes},
            "pids": {"pids.max": processes + 8},
        }
        for controller, base in bases.items():
            folder = base / name
            try:
                folder.mkdir(exist_ok=True)
            except OSError:
                continue
            for file, value in settings[controller].items():
                _write(folder / file, value, optional=file.startswith("memory.memsw"))  # memsw needs swap accounting
            self.folders[controller] = folder

    def join(self) -> None:
        """Move the calling process (and so everything it starts) into the cgroup."""
        for folder in self.folders.values():
            _write(folder / "cgroup.procs", 0)

    def oom_kills(self) -> int:
        folder = self.folders.get("memory")
        return _field(folder / "memory.oom_control", "oom_kill") if folder else 0

    def remove(self) -> None:
        for folder in self.folders.values():
            _rmdir(folder)


class CgroupV2:
    """A folder in a delegated v2 subtree, capped by ``memory.max`` and ``pids.max``."""

    def __init__(self, base: Path, name: str, *, memory_bytes: int, processes: int):
        self.folder = base / name
        self.folder.mkdir(exist_ok=True)
        _write(self.folder / "memory.max", memory_bytes)
        _write(self.folder / "memory.swap.max", 0, optional=True)  # absent without swap accounting
        _write(self.folder / "pids.max", processes + 8)
        self.folders = {"memory": self.folder, "pids": self.folder}

    def join(self) -> None:
        _write(self.folder / "cgroup.procs", 0)

    def oom_kills(self) -> int:
        return _field(self.folder / "memory.events", "oom_kill")

    def remove(self) -> None:
        _rmdir(self.folder)


def for_sandbox(name: str, *, memory_bytes: int, processes: int):
    """The cgroup for one sandbox: v1 if writable, else a delegated v2 subtree, else NoCgroup."""
    v1 = _v1_bases()
    if v1:
        return CgroupV1(v1, name, memory_bytes=memory_bytes, processes=processes)
    v2 = _v2_base()
    if v2 is not None:
        try:
            return CgroupV2(v2, name, memory_bytes=memory_bytes, processes=processes)
        except OSError:
            pass
    return NoCgroup()


def describe() -> str:
    """Which whole-sandbox caps this process can set, in a sentence."""
    v1 = _v1_bases()
    if {"memory", "pids"} <= set(v1):
        return f"memory and process caps per sandbox (cgroup v1, under {v1['memory'].relative_to(V1_ROOT)})"
    v2 = _v2_base()
    if v2 is not None:
        return f"memory and process caps per sandbox (cgroup v2, delegated {v2})"
    if v1:
        return f"only the {', '.join(sorted(v1))} cap per sandbox (cgroup v1)"
    return (
        "no memory or process cap per sandbox (no writable cgroup: delegate one, see README), only per-process rlimits"
    )


def remove_cgroups_of(owner_pid: int) -> None:
    """Remove the empty sandbox cgroups named after ``owner_pid`` (a worker killed mid-run leaves one)."""
    for base in _writable_bases():
        for folder in base.glob(f"sbx_{owner_pid}_*"):
            try:
                folder.rmdir()
            except OSError:
                pass  # still in use, or not ours to remove


def empty_slot(owner_pid: int, slot: int, *, deadline_s: float = 10.0) -> None:
    """Kill what is left in slot ``slot``'s sandbox cgroup and remove it, so the slot's next sandbox
    starts in a new one: sharing no cap and no OOM count with a job whose worker was killed."""
    deadline = time.monotonic() + deadline_s
    for folder in (base / f"sbx_{owner_pid}_{slot}" for base in _writable_bases()):
        while (pids := _members(folder)) and time.monotonic() < deadline:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)
        _rmdir(folder)


def _writable_bases() -> list[Path]:
    """Every folder sandbox cgroups are made in: the v1 controllers' and the delegated v2 one."""
    v2 = _v2_base()
    return [*_v1_bases().values(), *([v2] if v2 is not None else [])]


def _members(folder: Path) -> list[int]:
    try:
        return [int(line) for line in (folder / "cgroup.procs").read_text().split()]
    except OSError:
        return []


def _v1_bases() -> dict[str, Path]:
    """controller → the writable v1 folder to make sandbox cgroups in: our own cgroup, else the hierarchy's root."""
    bases = {}
    own = _own_cgroups()
    for controller in ("memory", "pids"):
        hierarchy = V1_ROOT / controller
        if not (hierarchy / "cgroup.procs").is_file():
            continue
        for candidate in (hierarchy / own.get(controller, "/").lstrip("/"), hierarchy):
            if candidate.is_dir() and os.access(candidate, os.W_OK):
                bases[controller] = candidate
                break
    return bases


def _v2_base() -> Path | None:
    """Our own v2 cgroup, if it is ours to write and hands memory and pids to its children."""
    mount = _v2_mount()
    if mount is None:
        return None
    base = mount / _own_cgroups().get("", "/").lstrip("/")
    try:
        enabled = (base / "cgroup.subtree_control").read_text().split()
    except OSError:
        return None
    if {"memory", "pids"} <= set(enabled) and os.access(base, os.W_OK):
        return base
    return None


def _v2_mount() -> Path | None:
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split(" - ")
        if len(fields) == 2 and fields[1].split()[0] == "cgroup2":
            return Path(fields[0].split()[4])
    return None


def _own_cgroups() -> dict[str, str]:
    """controller → this process's cgroup path ("" for the v2 hierarchy)."""
    own = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return own
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            own[controller] = path
    return own


def _write(path: Path, value, *, optional: bool = False) -> None:
    try:
        path.write_text(str(value))
    except OSError:
        if not optional:
            raise


def _field(path: Path, name: str) -> int:
    try:
        fields = path.read_text().split()
    except OSError:
        return 0
    return int(fields[fields.index(name) + 1]) if name in fields else 0


def _rmdir(folder: Path) -> None:
    for _ in range(200):  # the last processes may take a moment to be reaped
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.005)
