"""A sandbox's /etc holds the few files a run reads, never the host's: not its users, groups, shadow, name or hosts.

The host's /etc was bound whole. What a notebook still needs works: its user has a name and a home.
Both isolated modes run (root, and rootless as an ordinary user).
"""

from __future__ import annotations

import json
import os
import socket

import pytest

from autograder import sandbox
from autograder.sandbox import etc_files
from tests.sandbox_modes import MODES, in_mode


def _look_around(host_marker: str) -> bytes:
    import pwd

    def read(path: str) -> str:
        try:
            with open(path) as handle:
                return handle.read()
        except OSError as error:
            return f"unreadable: {error.strerror}"

    return json.dumps(
        {
            "etc": sorted(os.listdir("/etc")),
            "shadow": read("/etc/shadow"),
            "hostname": read("/etc/hostname").strip(),
            "hosts": read("/etc/hosts"),
            "passwd": read("/etc/passwd"),
            "me": pwd.getpwuid(os.getuid()).pw_name,
            "home": os.path.expanduser("~"),
            "host marker": os.path.exists(host_marker),
        }
    ).encode()


@pytest.mark.parametrize("mode", MODES)
def test_the_sandbox_sees_its_own_etc_not_the_hosts(mode, tmp_path):
    marker = tmp_path / "ta_notes.txt"
    marker.write_text("the TA's")

    def look():
        return json.loads(sandbox.run_sandboxed(_look_around, str(marker), limits=sandbox.Limits(wall_s=60)).data)

    seen = in_mode(mode, look)
    host_users = {line.split(":")[0] for line in open("/etc/passwd")} - {"root"}
    copied = [name for name in etc_files.COPIED if os.path.exists(f"/etc/{name}")]
    assert seen["etc"] == sorted([*copied, *etc_files.written(0, "")]), seen
    assert seen["shadow"].startswith("unreadable: No such file"), seen
    assert seen["hostname"] == etc_files.HOSTNAME != socket.gethostname(), seen
    assert not any(user and f"\n{user}:" in "\n" + seen["passwd"] for user in host_users - {"student"}), seen
    assert seen["me"] == "student" and seen["home"] == "/tmp/work", seen
    assert seen["host marker"] is False, seen
