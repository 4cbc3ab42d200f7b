"""Nothing the course server received is lost, and every submission is graded exactly once.

One scenario, run once a session: students submit four honest notebooks; while the first is being
graded the server is killed with SIGKILL and started again; then, while another is graded, its
grading workers are killed. Every submission must come out graded once, with the score its
notebook deserves, and the same grades as ``autograder grade`` gives the same files.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from autograder.assignment import Assignment
from autograder.grading.batch import GradeOptions, grade_paths
from autograder.grading.records.class_outputs import load_grades
from autograder.server.course import Course
from autograder.server.models import DONE, Job, Submission
from tests.corpus.honest import submission as corpus_entry
from tests.corpus.honest import write_corpus
from tests.course_server import Server, Visitor, course_folder, project_with, submitted_id

NAME = "logistic_regression"
# The student, and the honest corpus entry they hand in.
HANDED_IN = {
    "2026001": "correct_course_style",
    "2026002": "loss_no_clamp",
    "2026003": "train_no_zero_grad",
    "2026004": "sigmoid_exp_overflow",
}
LEASE_S = 4


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _busy_worker(server_pid: int, *, deadline_s: float = 60.0) -> int:
    """The grading worker whose runner has started a sandbox. Each worker keeps a runner waiting for
    its next job; only a runner at work has a child. Nothing signals a process starting, so this looks
    every 20 ms until the deadline."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for warm in _children(server_pid):
            for worker in _children(warm):
                if any(_children(runner) for runner in _children(worker)):
                    return worker
        time.sleep(0.02)
    raise AssertionError(f"no grading worker started a sandbox in {deadline_s:.0f} s")


def _upload(server: Server, login: str, notebook: Path) -> tuple[Visitor, int]:
    visitor = Visitor(server.url)
    assert visitor.log_in(login).status_code == 303
    return visitor, submitted_id(visitor.upload(NAME, notebook.name, notebook.read_bytes()))


def _left(visitor: Visitor, submission_id: int, state: str) -> str:
    """The submission's state once it has left ``state`` (the API answers when it changes)."""
    return visitor.http.get(f"/api/submissions/{submission_id}", params={"wait": 60, "since": state}).json()["state"]


def _run_scenario(scratch: Path, assignment, template: Path) -> dict:
    notebooks = dict(zip(HANDED_IN, write_corpus(scratch / "notebooks", template, names=HANDED_IN.values())))
    folder = course_folder(project_with(assignment, scratch / "project"), scratch / "course", lease_seconds=LEASE_S)
    server = Server(folder)
    try:
        uploads = {login: _upload(server, login, notebooks[login]) for login in list(HANDED_IN)[:3]}
        first, first_id = uploads["2026001"]
        assert _left(first, first_id, "queued") == "running"
        server.kill()  # mid-grading: the first is running, the others wait
        server = Server(folder)
        for visitor, submission_id in uploads.values():
            visitor.http.base_url = server.url
            visitor.graded(submission_id)
        late, late_id = _upload(server, "2026004", notebooks["2026004"])
        assert _left(late, late_id, "queued") == "running"
        os.kill(_busy_worker(server.process.pid), signal.SIGKILL)
        late.graded(late_id)
    finally:
        server.stop()
    course = Course(folder)
    with course.sessions() as db:
        rows = {}
        for submission in db.scalars(select(Submission)):
            jobs = list(db.scalars(select(Job).where(Job.submission_id == submission.id)))
            rows[submission.user.login] = {
                "id": submission.id,
                "file": submission.file,
                "stored": submission.stored,
                "score": submission.score,
                "state": submission.state,
                "jobs": [(job.state, job.attempts) for job in jobs],
            }
        pending = db.scalar(select(func.count()).select_from(Job).where(Job.state != DONE))
    course.engine.dispose()
    return {"rows": rows, "pending": pending, "folder": str(folder), "project": str(folder.parent / "project")}


@pytest.fixture(scope="module")
def scenario(shared, assignment, student_template) -> dict:
    return shared.get(
        "server-recovery", lambda scratch: _run_scenario(scratch, assignment, student_template), as_json=True
    )


def test_every_received_submission_is_graded_exactly_once(scenario):
    rows = scenario["rows"]
    assert sorted(rows) == sorted(HANDED_IN) and scenario["pending"] == 0
    for login, row in rows.items():
        assert row["state"] == "graded" and len(row["jobs"]) == 1 and row["jobs"][0][0] == "done", (login, row)
    results = sorted(path.name for path in (Path(scenario["folder"]) / "graded" / NAME / "results").glob("*.json"))
    assert results == sorted(f"{row['file']}.json" for row in rows.values())


def test_grading_cut_short_is_done_again_with_the_right_score(scenario):
    rows = scenario["rows"]
    for login, entry in HANDED_IN.items():
        assert rows[login]["score"] == pytest.approx(sum(corpus_entry(entry).expected.values())), login
    assert rows["2026001"]["jobs"] == [
        ["done", 2]
    ]  # its server was killed under it: claimed again once its lease ran out
    assert rows["2026004"]["jobs"] == [["done", 2]]  # its worker was killed under it: handed back and graded by another


def test_online_grades_equal_autograder_grade_on_the_same_files(scenario, tmp_path):
    folder, rows = Path(scenario["folder"]), scenario["rows"]
    files = tmp_path / "files"
    files.mkdir()
    for row in rows.values():
        shutil.copy(folder / row["stored"], files / row["file"])
    report = grade_paths(
        [files], Assignment.find(NAME, scenario["project"]), tmp_path / "out", options=GradeOptions(workers=2)
    )
    batch = {grade.file: (grade.scores, grade.status) for grade in report.grades}
    online = {grade.file: (grade.scores, grade.status) for grade in load_grades(folder / "graded" / NAME)}
    assert online == batch and len(batch) == len(HANDED_IN)
