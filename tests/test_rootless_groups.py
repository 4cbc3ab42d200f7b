"""Rootless, a sandbox keeps the TA's supplementary groups; what they can reach there is nothing a group alone opens.

An unprivileged user namespace may map a gid only once ``setgroups`` is denied in it (the kernel's
rule since 3.19), so its processes can never call ``setgroups(2)``: the TA's supplementary groups
stay, shown inside as the overflow gid (65534), and the kernel still grants what they grant on the
host's files. (``newgidmap``, with an ``/etc/subgid`` range an administrator gives, could leave
``setgroups`` allowed; the kit does not rely on it.) Those groups reach only what the sandbox's root
holds: so every folder and file in it must be readable by anyone or by no group of the TA's alone.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile

from autograder import sandbox
from tests.unprivileged import as_user, needs_root

TA_GROUP = 60990  # a supplementary group of the test's TA, and of no file in the sandbox's trees
OVERFLOW_GID = 65534
PRIVATE = ("/proc", "/dev", "/tmp")  # the sandbox's own


def _groups_and_group_only_paths(ta_file: str) -> bytes:
    """The process's groups, the paths a group may read that others may not, and whether the TA's file is there."""
    group_only, looked_at = [], 0
    for folder, folders, files in os.walk("/"):
        if folder == "/":
            folders[:] = [name for name in folders if "/" + name not in PRIVATE]
        for name in folders + files:
            path = os.path.join(folder, name)
            looked_at += 1
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if not stat.S_ISLNK(mode) and mode & stat.S_IRGRP and not mode & stat.S_IROTH:
                group_only.append(path)
    return json.dumps(
        {
            "groups": sorted(os.getgroups()),
            "group only": group_only[:20],
            "looked at": looked_at,
            "ta file": os.path.exists(ta_file),
        }
    ).encode()


@needs_root
def test_a_rootless_sandbox_keeps_the_groups_but_no_file_opens_to_them():
    # Not under tmp_path: a pytest session started meanwhile makes its parent root's alone again.
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o711)
        ta_file = os.path.join(folder, "marks.csv")
        with open(ta_file, "w") as handle:
            handle.write("the TA's")
        os.chown(ta_file, 0, TA_GROUP)
        os.chmod(ta_file, 0o640)  # the TA reads it through the group alone

        def job() -> dict:
            assert sandbox.current_mode().name == "rootless", sandbox.current_mode().describe()
            readable_outside = os.access(ta_file, os.R_OK)
            limits = sandbox.Limits(wall_s=120, cpu_s=60)
            result = sandbox.run_sandboxed(_groups_and_group_only_paths, ta_file, limits=limits)
            return {"readable outside": readable_outside, "status": result.status, **json.loads(result.data or b"{}")}

        outcome = as_user(job, groups=(TA_GROUP,), timeout=300)
    assert outcome.result is not None, outcome.problem
    seen = outcome.result
    assert seen["readable outside"] and seen["status"] == "ok", seen
    assert OVERFLOW_GID in seen["groups"], seen  # kept: what does not hold
    assert seen["looked at"] > 100 and seen["group only"] == [] and seen["ta file"] is False, seen
