"""Whole-sandbox caps on cgroup v1 and on a delegated cgroup v2 subtree.

Most hosts today are cgroup v2; this one may not be (its memory controller
may sit on v1, where v2 cannot have it). So the v2 code is checked against a
folder laid out as a delegated v2 cgroup is, and against the real kernel only
where one is writable (the memory-cap tests in test_defences.py skip, saying
why, where no cgroup is).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograder.sandbox import cgroups


def _delegated_v2(root: Path, *, enabled: str = "memory pids") -> Path:
    """A folder shaped like a delegated v2 cgroup: our own cgroup, handing memory and pids to its children."""
    base = root / "user.slice" / "grading.scope"
    base.mkdir(parents=True)
    (base / "cgroup.subtree_control").write_text(enabled)
    (base / "cgroup.procs").write_text(str(os.getpid()))
    return base


@pytest.fixture
def v2_only(tmp_path, monkeypatch):
    """This process seen as living in a delegated v2 subtree, with no writable v1 hierarchy."""
    base = _delegated_v2(tmp_path)
    monkeypatch.setattr(cgroups, "_v1_bases", dict)
    monkeypatch.setattr(cgroups, "_v2_mount", lambda: tmp_path)
    monkeypatch.setattr(cgroups, "_own_cgroups", lambda: {"": "/user.slice/grading.scope"})
    return base


def test_a_sandbox_cgroup_on_v2_caps_memory_and_processes(v2_only):
    cgroup = cgroups.for_sandbox("sbx_1_0", memory_bytes=512 * 2**20, processes=32)
    assert isinstance(cgroup, cgroups.CgroupV2)
    folder = v2_only / "sbx_1_0"
    assert (folder / "memory.max").read_text() == str(512 * 2**20)
    assert (folder / "pids.max").read_text() == "40"
    assert (folder / "memory.swap.max").read_text() == "0"


def test_v2_joins_counts_oom_kills_and_cleans_up(v2_only):
    cgroup = cgroups.for_sandbox("sbx_1_0", memory_bytes=2**20, processes=4)
    cgroup.join()
    assert (v2_only / "sbx_1_0" / "cgroup.procs").read_text() == "0"  # the kernel reads 0 as "the writer"
    (v2_only / "sbx_1_0" / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n")
    assert cgroup.oom_kills() == 2
    for name in ("cgroup.procs", "memory.events", "memory.max", "memory.swap.max", "pids.max"):
        (v2_only / "sbx_1_0" / name).unlink()  # a real cgroup's files go with its folder
    cgroup.remove()
    assert not (v2_only / "sbx_1_0").exists()


def test_v2_without_memory_and_pids_delegated_gives_no_cap(tmp_path, monkeypatch):
    base = _delegated_v2(tmp_path, enabled="cpu")
    monkeypatch.setattr(cgroups, "_v1_bases", dict)
    monkeypatch.setattr(cgroups, "_v2_mount", lambda: tmp_path)
    monkeypatch.setattr(cgroups, "_own_cgroups", lambda: {"": "/user.slice/grading.scope"})
    assert isinstance(cgroups.for_sandbox("sbx_1_0", memory_bytes=2**20, processes=4), cgroups.NoCgroup)
    assert not (base / "sbx_1_0").exists()
    assert cgroups.describe().startswith("no memory or process cap per sandbox")


def test_describe_names_the_delegated_v2_subtree(v2_only):
    assert cgroups.describe() == f"memory and process caps per sandbox (cgroup v2, delegated {v2_only})"


def test_a_sandbox_cgroup_on_v1_caps_memory_and_processes(tmp_path, monkeypatch):
    bases = {"memory": tmp_path / "memory", "pids": tmp_path / "pids"}
    for base in bases.values():
        base.mkdir()
    monkeypatch.setattr(cgroups, "_v1_bases", lambda: bases)
    cgroup = cgroups.for_sandbox("sbx_1_0", memory_bytes=2**20, processes=4)
    assert isinstance(cgroup, cgroups.CgroupV1)
    assert (tmp_path / "memory" / "sbx_1_0" / "memory.limit_in_bytes").read_text() == str(2**20)
    assert (tmp_path / "pids" / "sbx_1_0" / "pids.max").read_text() == "12"


def test_leftover_sandbox_cgroups_of_a_dead_grader_are_swept(v2_only):
    (v2_only / "sbx_4242_0").mkdir()
    (v2_only / "sbx_4242_1").mkdir()
    (v2_only / "sbx_999_0").mkdir()
    cgroups.remove_cgroups_of(4242)
    assert sorted(p.name for p in v2_only.iterdir() if p.is_dir()) == ["sbx_999_0"]


def test_own_cgroup_paths_are_read_per_controller():
    own = cgroups._own_cgroups()
    assert own, "every Linux process has a cgroup"
    assert all(path.startswith("/") for path in own.values())
