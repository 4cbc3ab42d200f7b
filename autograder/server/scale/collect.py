"""Bringing the grades workers recorded elsewhere into the server's course folder.

A worker leaves each grade's feedback page and results file in the database (``GradedOutput``),
with its submission still "running"; the server writes them where the embedded default writes its
own (``COURSE_DIR/graded/<assignment>``), so its pages and class views read them the same way, and
only then calls the submission graded: a student told "graded" always finds the feedback page.
"""

from __future__ import annotations

from sqlalchemy import exists, select, update

from autograder.grading.records.class_outputs import FEEDBACK, RESULTS
from autograder.grading.records.outputs import page_name, write_atomic
from autograder.server.course import Course
from autograder.server.models import DONE, GRADED, RUNNING, Job, Submission
from autograder.server.scale.records import GradedOutput

# Outputs written per transaction: a burst of grades is collected in a few short ones.
BATCH = 50


def collect(course: Course) -> set[str]:
    """Write the outputs not collected yet into the course folder; the assignments that got any."""
    changed: set[str] = set()
    while True:
        with course.sessions.begin() as db:
            rows = db.execute(
                select(GradedOutput, Submission)
                .join(Submission, Submission.id == GradedOutput.submission_id)
                .where(GradedOutput.collected.is_(False))
                .order_by(GradedOutput.recorded_at)
                .limit(BATCH)
            ).all()
            for output, submission in rows:
                folder = course.graded(submission.assignment)
                for kind in (FEEDBACK, RESULTS):
                    (folder / kind).mkdir(parents=True, exist_ok=True)
                name = page_name(submission.file)
                # Results last, as the batch writes them; "" is a file the worker could not write.
                for path, text in (
                    (folder / FEEDBACK / f"{name}.html", output.feedback),
                    (folder / RESULTS / f"{name}.json", output.results),
                ):
                    if text:
                        write_atomic(path, text)
                # Only this grade's outputs are marked: a regrade recorded meanwhile is collected next time.
                db.execute(
                    update(GradedOutput)
                    .where(GradedOutput.submission_id == output.submission_id, GradedOutput.job_id == output.job_id)
                    .values(collected=True)
                )
                unfinished = exists().where(Job.submission_id == submission.id, Job.state != DONE)
                db.execute(
                    update(Submission)
                    .where(Submission.id == submission.id, Submission.state == RUNNING, ~unfinished)
                    .values(state=GRADED)
                )
                changed.add(submission.assignment)
        if len(rows) < BATCH:
            return changed
