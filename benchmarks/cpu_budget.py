"""A fixed share of this host's cores for one process tree, as a machine of that size would give it.

``benchmarks/scale_out.py`` runs its "machines" on one host; with ``--machine-cores`` each worker's
whole tree (Celery, warm process, sandboxes) is moved into a CPU cgroup capped at that many cores, so
two of them plus the server, Redis and PostgreSQL fit on the host as they would on machines of their
own. Needs a writable CPU controller: cgroup v1's ``cpu`` hierarchy, or a v2 subtree with ``cpu``
enabled (root has both here).
"""

from __future__ import annotations

import os
from pathlib import Path

V1_CPU = Path("/sys/fs/cgroup/cpu")
V2_ROOT = Path("/sys/fs/cgroup")
PERIOD_US = 100_000


class CpuBudgetError(RuntimeError):
    """No CPU cgroup can be made here."""


class CpuBudget:
    """A CPU cgroup named ``name`` capped at ``cores`` cores; ``hold(session)`` moves a process tree in."""

    def __init__(self, name: str, cores: float):
        self.folder = self._make(name)
        quota = max(1000, int(cores * PERIOD_US))
        if (self.folder / "cpu.max").exists():
            (self.folder / "cpu.max").write_text(f"{quota} {PERIOD_US}")
        else:
            (self.folder / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (self.folder / "cpu.cfs_quota_us").write_text(str(quota))

    @staticmethod
    def _make(name: str) -> Path:
        v2 = (V2_ROOT / "cgroup.subtree_control").is_file()
        if v2 and "cpu" not in (V2_ROOT / "cgroup.subtree_control").read_text().split():
            raise CpuBudgetError(f"{V2_ROOT}: the cpu controller is not enabled for subtrees")
        base = V2_ROOT if v2 else V1_CPU
        folder = base / name
        try:
            folder.mkdir(exist_ok=True)
        except OSError as error:
            raise CpuBudgetError(f"{base}: cannot make a CPU cgroup ({error.strerror}); run as root") from error
        return folder

    def hold(self, session: int) -> int:
        """Move every process of ``session`` in (their later children follow); how many were moved."""
        moved = 0
        for pid in _session_members(session):
            try:
                (self.folder / "cgroup.procs").write_text(str(pid))
                moved += 1
            except OSError:  # it ended meanwhile
                continue
        return moved

    def remove(self) -> None:
        try:
            self.folder.rmdir()
        except OSError:
            pass  # a process of it has not ended yet: an empty folder is left behind, capping nothing


def _session_members(session: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == session:  # field 6 of stat: the session id
                members.append(int(entry))
    return members
