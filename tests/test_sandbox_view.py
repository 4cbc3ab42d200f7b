"""What a sandbox can read: copies in its own memory, never a file system of the host.

The page cache outlives every sandbox (``tests/test_attack_page_cache.py`` is the attack), so a
sandbox's root holds copies of the standard library, the kit and the files a recorded run opened
(``autograder.sandbox.view``). A module the host has but the sandbox lacks fails with a message that
says why. Both isolated modes run (root, and rootless as an ordinary user).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time

import pytest

from autograder import sandbox
from autograder.sandbox import view
from tests.sandbox_modes import MODES, in_mode

DEVICES = {f"/dev/{name}" for name in ("null", "zero", "full", "random", "urandom")}


def _first(candidates: tuple[str, ...], *, standard: bool) -> str:
    """A module of the host this process has not imported: from the standard library, or installed beside it."""
    for name in candidates:
        spec = importlib.util.find_spec(name) if name not in sys.modules else None
        if spec is not None and spec.origin and ("site-packages" not in spec.origin) == standard:
            return name
    pytest.skip(f"every one of {candidates} is imported here or missing")


def _look(host_files: list[str], modules: dict[str, str]) -> bytes:
    """In the sandbox: its mounts, which of the host's files it sees, and what importing each module does."""
    with open("/proc/self/mountinfo") as mounts:
        mounted = [(line.split()[4], line.split(" - ")[1].split()[0]) for line in mounts]
    imported = {}
    for role, name in modules.items():
        try:
            importlib.import_module(name)
            imported[role] = "imported"
        except ImportError as error:
            imported[role] = str(error)
    seen = [path for path in host_files if os.path.exists(path)]
    return json.dumps({"mounted": mounted, "host files seen": seen, "imports": imported}).encode()


@pytest.mark.parametrize("mode", MODES)
def test_a_sandbox_mounts_nothing_of_the_host_and_says_which_modules_it_lacks(mode):
    host_files = [
        path
        for path in (
            "/etc/shadow",
            "/etc/os-release",
            "/usr/include",
            "/usr/bin/env",
            os.path.realpath(sys.executable),
            os.path.join(sys.prefix, "pyvenv.cfg"),
        )
        if os.path.exists(path)
    ]
    modules = {
        "standard": _first(("wave", "tabnanny", "mailbox", "netrc", "chunk", "sched"), standard=True),
        "installed": _first(("sympy", "sqlalchemy", "babel", "fontTools", "jedi", "sphinx"), standard=False),
        "nowhere": "no_module_of_that_name_anywhere",
    }

    def job() -> dict:
        result = sandbox.run_sandboxed(_look, host_files, modules, limits=sandbox.Limits(wall_s=60))
        assert result.status == "ok", f"{result.status} {result.detail} {result.data[-2000:]!r}"
        return json.loads(result.data)

    seen = in_mode(mode, job)

    host_mounts = [
        (point, kind) for point, kind in seen["mounted"] if kind not in ("tmpfs", "proc") and point not in DEVICES
    ]
    assert not host_mounts and ["/", "tmpfs"] in seen["mounted"], seen["mounted"]
    assert seen["host files seen"] == [], seen
    imports = seen["imports"]
    assert imports["standard"] == "imported", imports
    assert f"Module {modules['installed']} cannot be imported while grading" in imports["installed"], imports
    assert f"评分时不能导入模块 {modules['installed']}" in imports["installed"], imports
    assert imports["nowhere"] == "No module named 'no_module_of_that_name_anywhere'", imports


def test_a_recorded_view_holds_the_files_the_run_read_under_the_trees_only(tmp_path):
    tree, elsewhere = tmp_path / "tree", tmp_path / "elsewhere"
    tree.mkdir()
    elsewhere.mkdir()
    (tree / "read.txt").write_text("read")
    (elsewhere / "outside.txt").write_text("outside")

    def run() -> None:
        (tree / "read.txt").read_text()
        (tree / "written.txt").write_text("written")
        (elsewhere / "outside.txt").read_text()

    recorded = view.record(run, trees=(str(tree),))
    assert set(recorded.files) - set(view.base_view().files) == {str(tree / "read.txt")}
    assert recorded.files[str(tree / "read.txt")] == b"read"


def test_what_the_recorder_does_meanwhile_runs_beside_the_recording_fork(tmp_path):
    """The warm process folds its heap while the fork records (on the other core): here the recorded run
    waits for a file that only ``meanwhile`` writes, so it ends only if both run at once."""
    (tmp_path / "read.txt").write_text("read")
    beside = tmp_path / "meanwhile"
    calls = []

    def run() -> None:
        deadline = time.monotonic() + 10
        while not beside.exists():
            assert time.monotonic() < deadline, "meanwhile did not run while the fork did"
            time.sleep(0.01)
        (tmp_path / "read.txt").read_text()

    def meanwhile() -> None:
        calls.append(os.getpid())
        beside.write_text("here")

    recorded = view.record(run, trees=(str(tmp_path),), meanwhile=meanwhile)
    assert calls == [os.getpid()]
    assert set(recorded.files) - set(view.base_view().files) == {str(tmp_path / "read.txt")}


def test_a_recorded_run_that_fails_says_so():
    def run() -> None:
        raise ValueError("the template would not run")

    with pytest.raises(RuntimeError, match="recording the files a sandbox needs failed"):
        view.record(run, trees=("/nowhere",))


def _answer() -> bytes:
    return b"42"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("short_of_a_mib", [view.PAGE, 2**20 - view.PAGE])
def test_a_view_of_any_size_fits_its_root(mode, short_of_a_mib):
    """The root's tmpfs is sized from the view. Sized in whole MiB, rounded down, a view one page short of
    a MiB boundary left the root almost no room for its own /etc and mount points: every sandbox of a
    pytest worker whose imports happened to put the view there failed with ENOSPC while building it."""
    base = view.base_view()
    padding = (2**20 - short_of_a_mib - base.size % 2**20) % 2**20
    padded = view.FileView({**base.files, "/srv/padding.bin": b"\0" * padding}, base.host_modules)
    assert padded.size % 2**20 == 2**20 - short_of_a_mib

    def job() -> dict:
        result = sandbox.run_sandboxed(_answer, limits=sandbox.Limits(wall_s=60), view=padded)
        return {"ended": [result.status, result.detail, result.data.decode(errors="replace")]}

    assert in_mode(mode, job)["ended"] == ["ok", "", "42"]
