"""Grading workers: results come back per job, and a worker that dies costs only its own job."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograder import sandbox
from autograder.grading.grading_folder import GradingFolder
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.sandbox import cgroups
from autograder.sandbox.warm_process import WorkerSetup
from autograder.sandbox.workers import Job, Workers, WorkersError
from tests.corpus.honest import build_notebook, submission
from tests.processes import still_running

pytestmark = pytest.mark.slow
LIMITS = sandbox.Limits(wall_s=60, cpu_s=60, as_extra_mb=2048, cgroup_mem_mb=2048)


def _sleeper(template) -> nbformat.NotebookNode:
    notebook = nbformat.read(template, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell("import time\ntime.sleep(600)"))
    return notebook


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def _kill_once_it_forks(pid: int, *, deadline_s: float = 120) -> None:
    """SIGKILL ``pid`` as soon as it has a grandchild: its job runner has then started a sandbox."""
    deadline = time.monotonic() + deadline_s
    while not any(_children(int(child)) for child in _children(pid)) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling /proc: there is no event for "a process forked"
    os.kill(pid, signal.SIGKILL)


def _sandbox_processes() -> list[int]:
    """Processes in the cgroups of sandboxes this process's workers started (full isolation)."""
    found = []
    for entry in os.scandir("/proc"):
        try:
            if entry.name.isdigit() and f"/sbx_{os.getpid()}_" in Path(entry.path, "cgroup").read_text():
                found.append(int(entry.name))
        except OSError:
            continue  # gone while we looked
    return found


def test_a_killed_worker_costs_its_job_and_is_replaced(assignment, student_template):
    correct = build_notebook(submission("correct_course_style"), student_template)
    jobs = [Job("sleeper", _sleeper(student_template), LIMITS), Job("after", correct, LIMITS)]
    with (
        GradingFolder(AutograderZip.read(assignment.zip_path)) as folder,
        Workers(1, folder.worker_setup(assignment)) as workers,
    ):
        killer = threading.Thread(target=_kill_once_it_forks, args=(workers._workers[0].pid,))
        killer.start()
        (first_job, first), (second_job, second) = list(workers.run(jobs))
        killer.join()
    assert (first_job.key, first.status, first.detail) == ("sleeper", "crash", "the grading worker died")
    assert still_running(_sandbox_processes(), deadline_s=10) == [], "the dead worker's sandbox outlived it"
    assert second_job.key == "after" and second.status == "ok", second.detail
    assert second.committed and b'"sigmoid/grid"' in second.committed


# A sandbox holds nothing of the submissions graded before it -------------------------------------

SCAN_OWN_MEMORY = """
import ctypes, re
_found = set()
with open("/proc/self/maps") as _maps:
    for _line in _maps:
        _fields = _line.split()
        _start, _end = (int(_x, 16) for _x in _fields[0].split("-"))
        _name = _fields[5] if len(_fields) > 5 else ""
        # the heap and anonymous mappings (where freed buffers stay); file mappings may fault past their end
        if not _fields[1].startswith("r") or _name not in ("", "[heap]") or _end - _start > 2**30:
            continue
        _found.update(re.findall(rb"EARLIER-SUBMISSION-([0-9a-f]{32})", ctypes.string_at(_start, _end - _start)))
print("tokens in memory:", sorted(_t.decode() for _t in _found))
"""


def test_a_sandbox_holds_no_byte_of_an_earlier_submission(student_template):
    """One worker grades a notebook that prints a token, then one that scans its own memory for it."""
    import uuid

    token = uuid.uuid4().hex
    earlier = build_notebook(submission("correct_course_style"), student_template)
    earlier.cells.append(nbformat.v4.new_code_cell(f"print('EARLIER-SUBMISSION-{token}')"))
    snooper = nbformat.read(student_template, as_version=4)
    snooper.cells.append(nbformat.v4.new_code_cell(SCAN_OWN_MEMORY))
    jobs = [Job("earlier", earlier, LIMITS), Job("snooper", snooper, LIMITS)]
    with GradingFolder(AutograderZip.read(_assignment_zip(student_template))) as folder:
        from autograder.assignment import Assignment

        assignment = Assignment.find("logistic_regression", student_template.parents[2])
        with Workers(1, folder.worker_setup(assignment)) as workers:
            results = {job.key: result for job, result in workers.run(jobs)}
    assert token.encode() in results["earlier"].committed, "the earlier report should carry the token"
    report = results["snooper"].committed.decode()
    assert "tokens in memory: [" in report, "the scan did not run: " + str(json.loads(report)["errors"])
    assert token not in report, "a sandbox found an earlier submission's data in its memory"


def test_a_sandbox_collects_garbage_among_its_own_objects_only(assignment, student_template):
    """The warm-up's objects are frozen before the workers fork, so a full collection in a sandbox does not walk
    them (and, writing to each one's header, copy the pages they sit on); the sandbox collects its own."""
    notebook = nbformat.read(student_template, as_version=4)
    cell = (
        "import gc, torch\n"
        "warm = any(thing is torch.optim.Optimizer.zero_grad for thing in gc.get_objects())\n"
        "print('frozen objects:', gc.get_freeze_count(), 'collecting:', gc.isenabled(), 'torch seen:', warm)"
    )
    notebook.cells.append(nbformat.v4.new_code_cell(cell))
    with (
        GradingFolder(AutograderZip.read(assignment.zip_path)) as folder,
        Workers(1, folder.worker_setup(assignment)) as workers,
    ):
        [(_, result)] = list(workers.run([Job("counts", notebook, LIMITS)]))
    said = re.search(r"frozen objects: (\d+) collecting: (\w+) torch seen: (\w+)", result.committed.decode())
    assert said, "the cell did not run: " + result.committed.decode()[:2000]
    assert int(said.group(1)) > 50_000, "the warm-up's objects are not frozen: " + said.group(0)
    assert said.group(3) == "False", "torch, which the warm-up imported, is still walked: " + said.group(0)
    assert said.group(2) == "True", "a sandbox must collect its own garbage: " + said.group(0)


def _assignment_zip(template: Path) -> Path:
    return template.parents[2] / "dist" / "logistic_regression-autograder.zip"


def _stat(pid: int | str) -> list[str]:
    """/proc/PID/stat's fields after the command name: state, parent, ..."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _parent(pid: int) -> int:
    return int(_stat(pid)[1])


def test_a_runs_workers_are_forks_of_one_warmed_process(assignment):
    """The warm-up (imports, the blank template) costs a run once, not once per worker."""
    with (
        GradingFolder(AutograderZip.read(assignment.zip_path)) as folder,
        Workers(2, folder.worker_setup(assignment)) as workers,
    ):
        parents = {_parent(worker.pid) for worker in workers._workers}
        assert len(parents) == 1 and parents != {os.getpid()}, parents
        assert _parent(parents.pop()) == os.getpid(), "the warm process is the grader's own child"


def test_workers_that_cannot_warm_up_quote_the_warm_process_error(tmp_path, capfd):
    """Its traceback reaches the grader's stderr as it is written, and the error the TA reads quotes it."""
    secret = tmp_path / "secret.json"
    secret.write_text("{}")
    setup = WorkerSetup(b"not a probe plan", secret, {})
    with pytest.raises(
        WorkersError, match=r"(?s)warm-up process ended with exit code 1; its error output ends:.*UnpicklingError"
    ):
        Workers(1, setup)
    assert "UnpicklingError" in capfd.readouterr().err


# Found by review: a killed worker's job must leave nothing to the next job in its slot -----------

HOG_THEN_SLEEP = """
import os, time
pid = os.fork()
if pid == 0:  # a child that fills the sandbox's memory cgroup and is OOM-killed in it
    blocks = []
    while True:
        blocks.append(bytearray(64 * 2**20))
os.waitpid(pid, 0)
time.sleep(600)
"""


def _slot_oom_kills(slot: int) -> int:
    """OOM kills counted in the memory cgroup this process's sandboxes use for ``slot``."""
    name = f"sbx_{os.getpid()}_{slot}"
    memory = cgroups._v1_bases().get("memory")
    if memory is not None:
        return cgroups._field(memory / name / "memory.oom_control", "oom_kill")
    v2 = cgroups._v2_base()
    return cgroups._field(v2 / name / "memory.events", "oom_kill") if v2 is not None else 0


def test_the_oom_of_a_killed_workers_job_is_not_the_next_jobs(assignment, student_template):
    if not cgroups.describe().startswith("memory and process caps"):
        pytest.skip("needs a writable memory cgroup")
    limits = sandbox.Limits(wall_s=120, cpu_s=120, as_extra_mb=4096, cgroup_mem_mb=1024)
    hog = nbformat.read(student_template, as_version=4)
    hog.cells.insert(0, nbformat.v4.new_code_cell(HOG_THEN_SLEEP))
    correct = build_notebook(submission("correct_course_style"), student_template)
    jobs = [Job("hog", hog, limits), Job("after", correct, limits)]
    with (
        GradingFolder(AutograderZip.read(assignment.zip_path)) as folder,
        Workers(1, folder.worker_setup(assignment)) as workers,
    ):
        worker = workers._workers[0].pid

        def kill_after_an_oom() -> None:
            deadline = time.monotonic() + 120
            while _slot_oom_kills(0) == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            os.kill(worker, signal.SIGKILL)

        killer = threading.Thread(target=kill_after_an_oom)
        killer.start()
        results = {job.key: result for job, result in workers.run(jobs)}
        killer.join()
    assert (results["hog"].status, results["hog"].detail) == ("crash", "the grading worker died")
    assert results["after"].status == "ok", (results["after"].status, results["after"].detail)


def _zombie_children() -> list[int]:
    zombies = []
    for child in _children(os.getpid()):
        try:
            if _stat(child)[0] == "Z":
                zombies.append(int(child))
        except OSError:
            pass
    return zombies


def test_a_warm_process_that_cannot_be_restarted_mid_run_stops_it_with_workers_error(
    assignment, student_template, monkeypatch
):
    """The warm process dies mid-run and its replacement does not answer in time: the run stops with
    WorkersError (a KitError the CLI prints), not with an OSError from close(), and leaves no zombie."""
    from autograder.sandbox import warm_handle

    correct = build_notebook(submission("correct_course_style"), student_template)
    with (
        GradingFolder(AutograderZip.read(assignment.zip_path)) as folder,
        pytest.raises(WorkersError, match="could not start"),
    ):
        with Workers(1, folder.worker_setup(assignment)) as workers:
            monkeypatch.setattr(
                warm_handle, "WARM_UP_LIMIT_S", 1.0
            )  # the replacement's ~7 s warm-up now counts as hung
            worker = workers._workers[0].pid
            os.kill(workers._warm.process.pid, signal.SIGKILL)  # its worker dies with it
            assert still_running([worker], deadline_s=10) == []
            list(workers.run([Job("after", correct, LIMITS)]))
    assert _zombie_children() == []


def test_a_warm_process_that_cannot_even_start_says_so(tmp_path, monkeypatch):
    from autograder.sandbox import warm_handle

    def refuse(*args, **kwargs):
        raise BrokenPipeError("the warm process died before it read its setup")

    monkeypatch.setattr(warm_handle.WarmProcess, "__init__", refuse)
    setup = WorkerSetup(b"", tmp_path / "secret.json", {})
    with pytest.raises(WorkersError, match="could not start"):
        Workers(2, setup)
