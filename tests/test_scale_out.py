"""The course server past one machine, run for real: PostgreSQL for the database, Celery on a Redis
broker for the task queue, and two ``autograder worker`` processes standing for two machines (each
its own copy of the release and its own scratch folder, none of the server's course folder). One is
killed with SIGKILL in the middle of a job; the other grades everything, that job included, once.
The class's gradebook must equal the embedded server's on the same files. Workers take turns by
student, as the embedded queue does.
"""

from __future__ import annotations

import csv
import io
import json
import re
import socket

import nbformat
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from autograder.sandbox import SANDBOX_UID_BASE
from autograder.server.models import DONE, Job, Submission
from autograder.server.scale.records import GradedOutput, GradingWorker
from autograder.server.scale.slots import SLOT_BLOCK
from autograder.server.status import grading_sandboxes
from tests.corpus.honest import write_corpus
from tests.course_server import STAFF, Server, Visitor, course_folder, project_with, submitted_id
from tests.scale_services import WorkerMachine, missing, scaled_out_server

NAME = "logistic_regression"
WHY_NOT = missing()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(WHY_NOT), reason=f"grading past one machine {WHY_NOT}")]
CORPUS = ("correct_course_style", "sigmoid_exp_overflow", "train_no_zero_grad")
# Short, so the killed worker's job comes back within seconds.
LEASE_SECONDS = 4
UIDS = re.compile(r"sandbox uids (\d+-\d+) as root")
# A notebook of the assignment with no cells: graded at once, 0 points.
EMPTY = nbformat.writes(nbformat.v4.new_notebook(metadata={"otter": {"assignment_name": NAME}})).encode()


@pytest.fixture(scope="module")
def class_files(student_template, tmp_path_factory) -> list[tuple[str, bytes]]:
    """(student, notebook) for each upload, in order: three corpus notebooks and one with no cells."""
    folder = tmp_path_factory.mktemp("scale-out-notebooks")
    notebooks = [path.read_bytes() for path in write_corpus(folder, student_template, names=CORPUS)]
    return [(f"202600{number}", content) for number, content in enumerate([*notebooks, EMPTY], 1)]


def _submit_all(server: Server, class_files) -> list[int]:
    ids = []
    for student, content in class_files:
        visitor = Visitor(server.url)
        assert visitor.log_in(student).status_code == 303
        ids.append(submitted_id(visitor.upload(NAME, "mine.ipynb", content)))
    return ids


def _gradebook(server: Server, ids: list[int]) -> list[list[str]]:
    """The class's final_grades.csv once every submission in ``ids`` is graded."""
    staff = Visitor(server.url)
    assert staff.log_in(STAFF).status_code == 303
    for submission_id in ids:
        staff.graded(submission_id)
    sheet = staff.http.get(f"/staff/assignments/{NAME}/class/final_grades.csv")
    assert sheet.status_code == 200, sheet.text[-500:]
    return list(csv.reader(io.StringIO(sheet.text)))


def _registered(database_url: str) -> list[GradingWorker]:
    """The workers registered now, with both counted for the assignment's wait."""
    engine = create_engine(database_url)
    with Session(engine) as db:
        rows = list(db.scalars(select(GradingWorker).order_by(GradingWorker.first_slot)))
        assert grading_sandboxes(db, NAME, configured=7) == 2  # one sandbox each, whatever the server's own setting
    engine.dispose()
    return rows


def test_two_workers_grade_the_class_and_a_killed_ones_job_is_graded_once_by_the_other(
    assignment, class_files, tmp_path
):
    with scaled_out_server(assignment, tmp_path, lease_seconds=LEASE_SECONDS) as (server, queue_url, database_url):
        machines = []
        try:
            machines = [
                WorkerMachine.holding(
                    assignment, tmp_path / f"machine-{name}", queue_url=queue_url, database_url=database_url
                )
                for name in ("a", "b")
            ]
            doomed, survivor = machines
            workers_seen = _registered(database_url)
            ids = _submit_all(server, class_files)
            doomed.wait_for(WorkerMachine.CLAIMED, timeout=300)
            doomed.kill()
            # Not always the job it was seen to claim: a short one may be recorded, and the next claimed, first.
            [killed_job] = doomed.unfinished() or pytest.fail("the doomed worker was killed between two jobs")
            scaled_out = _gradebook(server, ids)
        finally:
            for machine in machines:
                machine.stop()
            server.stop()

        assert killed_job in survivor.claimed(), "\n".join(survivor.log[-30:])
        # Two workers on one host: each registered with sandbox slots (uids) the other does not use.
        assert len(workers_seen) == 2 and {row.host for row in workers_seen} == {socket.gethostname()[:200]}
        first, second = (range(row.first_slot, row.first_slot + row.sandboxes) for row in workers_seen)
        assert not set(first) & set(second) and min(first.start, second.start) >= SLOT_BLOCK
        uids = [machine.wait_for(UIDS, timeout=5).group(1) for machine in machines]
        assert len(set(uids)) == 2 and {
            f"{SANDBOX_UID_BASE + r.start}-{SANDBOX_UID_BASE + r.stop - 1}" for r in (first, second)
        } == set(uids)
        engine = create_engine(database_url)
        with Session(engine) as db:
            sources = {
                output.submission_id: json.loads(output.results)["extra_data"]["kit"]["source"]
                for output in db.scalars(select(GradedOutput))
            }
            assert sources == {
                sid: f"uploads/{NAME}/{sid}.ipynb" for sid in ids
            }  # the server's file, not a worker's scratch copy
            assert (
                db.scalar(select(Job.attempts).where(Job.id == killed_job)) == 2
            )  # the killed worker's claim, then the other's
            per_submission = dict(
                db.execute(
                    select(Job.submission_id, func.count()).where(Job.state == DONE).group_by(Job.submission_id)
                ).all()
            )
            assert per_submission == dict.fromkeys(ids, 1)  # each graded exactly once
            assert db.scalar(
                select(func.count()).select_from(GradedOutput).where(GradedOutput.collected.is_(True))
            ) == len(ids)
            assert {s.state for s in db.scalars(select(Submission))} == {"graded"}
        engine.dispose()
        # Neither machine used the server's layout; the killed one still holds the file it was grading.
        assert not [path for machine in machines for path in (machine.scratch / "uploads").rglob("*") if path.is_file()]
        assert [path.name for path in (doomed.scratch / "incoming").iterdir()] == [str(killed_job)]
        assert list((survivor.scratch / "incoming").iterdir()) == []

    embedded_project = project_with(assignment, tmp_path / "embedded" / "project")
    embedded = Server(course_folder(embedded_project, tmp_path / "embedded" / "course"))
    try:
        assert _submit_all(embedded, class_files) == ids
        assert _gradebook(embedded, ids) == scaled_out
    finally:
        embedded.stop()
    header, _points, *rows = scaled_out
    assert [row[0] for row in rows] == [f"{student}-{sid}.ipynb" for (student, _), sid in zip(class_files, ids)]
    totals = [float(row[header.index("total_points_earned")]) for row in rows]
    assert max(totals) == 10.0 and min(totals) == 0.0 and len(set(totals)) >= 3  # real grades, not one value for all


def test_a_workers_turns_go_by_student_so_one_students_flood_does_not_hold_up_the_class(assignment, tmp_path):
    """Scaled out, workers took jobs in the order the server sent them, so a student's burst of uploads
    held every worker until all of it was graded. A task is now a turn, and the turn's job is chosen
    in the database as the embedded queue chooses it. Every upload is queued before the worker
    starts, so the order is the queue's alone: the late comer's job, second by turn, is the second
    graded, as the position shown to the student said."""
    with scaled_out_server(assignment, tmp_path) as (server, queue_url, database_url):
        machine = None
        try:
            flooder, late_comer = Visitor(server.url), Visitor(server.url)
            assert flooder.log_in("2026001").status_code == 303 and late_comer.log_in("2026002").status_code == 303
            flood = [submitted_id(flooder.upload(NAME, "mine.ipynb", EMPTY)) for _ in range(4)]
            late = submitted_id(late_comer.upload(NAME, "mine.ipynb", EMPTY))
            assert late_comer.http.get(f"/api/submissions/{late}").json()["position"] == 2
            machine = WorkerMachine.holding(
                assignment, tmp_path / "machine", queue_url=queue_url, database_url=database_url
            )
            late_comer.graded(late)
            claimed = machine.claimed()
        finally:
            if machine is not None:
                machine.stop()
        engine = create_engine(database_url)
        with Session(engine) as db:
            submission_of = dict(db.execute(select(Job.id, Job.submission_id)).all())
        engine.dispose()
    graded_order = [submission_of[job_id] for job_id in claimed]
    assert graded_order[:2] == [flood[0], late], graded_order
