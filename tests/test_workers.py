"""Grading workers: results come back per job, and a worker that dies costs only its own job."""
from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograder import sandbox
from autograder.grading.autograder_zip import AutograderZip
from autograder.grading.grading_folder import GradingFolder
from autograder.grading.warm_process import WorkerSetup
from autograder.grading.workers import Job, Workers, WorkersError
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
    with GradingFolder(AutograderZip.read(assignment.zip_path)) as folder, Workers(1, folder.worker_setup(assignment)) as workers:
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
            results = dict((job.key, result) for job, result in workers.run(jobs))
    assert token.encode() in results["earlier"].committed, "the earlier report should carry the token"
    report = results["snooper"].committed.decode()
    assert "tokens in memory: [" in report, "the scan did not run: " + str(json.loads(report)["errors"])
    assert token not in report, "a sandbox found an earlier submission's data in its memory"


def _assignment_zip(template: Path) -> Path:
    return template.parents[2] / "dist" / "logistic_regression-autograder.zip"


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_a_runs_workers_are_forks_of_one_warmed_process(assignment):
    """The warm-up (imports, the blank template) costs a run once, not once per worker."""
    with GradingFolder(AutograderZip.read(assignment.zip_path)) as folder, Workers(2, folder.worker_setup(assignment)) as workers:
        parents = {_parent(worker.pid) for worker in workers._workers}
        assert len(parents) == 1 and parents != {os.getpid()}, parents
        assert _parent(parents.pop()) == os.getpid(), "the warm process is the grader's own child"


def test_workers_that_cannot_warm_up_say_so(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text("{}")
    setup = WorkerSetup(tmp_path / "no-support", secret, "notebook.ipynb", {})
    with pytest.raises(WorkersError, match="could not start"):
        Workers(1, setup)
