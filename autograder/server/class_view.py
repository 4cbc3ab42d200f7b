"""The class view of each assignment, kept current as grades come in.

``COURSE_DIR/classes/<assignment>/`` is an ``autograder grade`` output folder holding the
submission that counts for each student (``autograder.server.standing``): the batch's own code
writes its index, summary, similarity and written-answer pages, gradebooks and LMS exports from
it, with the course's roster. Its times file (``server_times.csv``) gives each counted submission's
time by the server's clock and, for a student with an extension, their own due time, so the
gradebook shows when they really submitted and when they were due.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import shutil
import threading
import time
from pathlib import Path

from sqlalchemy import select

from autograder.grading.records.class_outputs import EXPORT_FILES, FEEDBACK, RESULTS, write_class_outputs
from autograder.grading.records.late import LatePolicy
from autograder.grading.records.outputs import page_name, write_atomic
from autograder.grading.similarity.lesson_code import LessonCode
from autograder.server.course import Course, Offered
from autograder.server.models import STUDENT, Extension, Submission, User
from autograder.server.standing import counted, extended

TIMES_FILE = "server_times.csv"
# The class view is rebuilt at most this often while grades pour in, and then only after waiting
# BUSY_SHARE times as long as the last rebuild took.
REBUILD_EVERY_S = 5.0
BUSY_SHARE = 9.0

log = logging.getLogger("autograder.server")


def rebuild(course: Course, offered: Offered, code: LessonCode) -> None:
    """Write ``offered``'s class folder from the submissions that count now."""
    out = course.class_folder(offered.name)
    graded = course.graded(offered.name)
    for folder in (RESULTS, FEEDBACK):
        (out / folder).mkdir(parents=True, exist_ok=True)
    kept, times = set(), [["file", "submitted", "due"]]
    for submission, policy in _counting(course, offered):
        name = page_name(submission.file)
        source = graded / RESULTS / f"{name}.json"
        if not source.is_file():
            continue
        shutil.copyfile(source, out / RESULTS / f"{name}.json")
        shutil.copyfile(graded / FEEDBACK / f"{name}.html", out / FEEDBACK / f"{name}.html")
        kept.add(name)
        own_due = policy.due.isoformat() if policy.extension and policy.due else ""  # blank: the class's
        times.append([submission.file, submission.received_at.isoformat(), own_due])
    for stale in list((out / RESULTS).glob("*.json")):
        if stale.stem not in kept:  # a student's earlier choice, or a submission regraded since
            stale.unlink()
            (out / FEEDBACK / f"{stale.stem}.html").unlink(missing_ok=True)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(times)
    write_atomic(out / TIMES_FILE, buffer.getvalue())
    settings = dataclasses.replace(
        offered.class_settings,
        roster=str(course.roster) if course.roster.is_file() else "",
        times=str(out / TIMES_FILE),
        exports=tuple(EXPORT_FILES),
    )
    settings.save(out)
    write_class_outputs(
        out,
        offered.autograder,
        assignment=offered.name,
        title=offered.title,
        settings=settings,
        policy=offered.policy,
        manual=offered.autograder.manual_questions(),
        solution=code.solution,
        starter=code.starter,
    )


def _counting(course: Course, offered: Offered) -> list[tuple[Submission, LatePolicy]]:
    """Each student's counted submission, with the late policy that holds for them (their extension included)."""
    with course.sessions() as db:
        extensions = {
            e.user_id: e.minutes for e in db.scalars(select(Extension).where(Extension.assignment == offered.name))
        }
        by_user: dict[int, list[Submission]] = {}
        query = select(Submission).join(User).where(Submission.assignment == offered.name, User.role == STUDENT)
        for submission in db.scalars(query):
            submission.user  # noqa: B018 - loaded now: the session closes before the caller names the file
            by_user.setdefault(submission.user_id, []).append(submission)
    chosen = []
    for user_id, submissions in by_user.items():
        policy = extended(offered.policy, extensions.get(user_id, 0))
        found = counted(submissions, counts=offered.rules.counts, policy=policy)
        if found is not None:
            chosen.append((found, policy))
    return chosen


class ClassViews:
    """Rebuilds the class views of assignments marked changed, in a thread of its own, at most every
    REBUILD_EVERY_S; ``current`` rebuilds one at once when a page needs it."""

    def __init__(self, course: Course):
        self.course = course
        self._dirty: set[str] = set(course.offered)
        self._changed = threading.Event()
        self._stop = threading.Event()
        self._dirty_lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._code: dict[str, LessonCode] = {}
        self._thread = threading.Thread(target=self._run, name="class-views", daemon=True)

    def start(self) -> None:
        self._changed.set()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._changed.set()
        self._thread.join(timeout=30)

    def mark(self, assignment: str) -> None:
        with self._dirty_lock:
            self._dirty.add(assignment)
        self._changed.set()

    def current(self, assignment: str) -> Path:
        """The class folder of ``assignment``, rebuilt first if a grade came in since."""
        self._rebuild_if_dirty(assignment)
        return self.course.class_folder(assignment)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._changed.wait()
            self._changed.clear()
            started = time.monotonic()
            for name in list(self.course.offered):
                if self._stop.is_set():
                    return
                self._rebuild_if_dirty(name)
            # A large class takes a while to rebuild (similarity compares every pair): rebuilding at most a
            # tenth of the time keeps grading and the pages fast while a rush pours in.
            self._stop.wait(max(REBUILD_EVERY_S, BUSY_SHARE * (time.monotonic() - started)))

    def _rebuild_if_dirty(self, assignment: str) -> None:
        with self._build_lock:
            with self._dirty_lock:
                if assignment not in self._dirty:
                    return
                self._dirty.discard(assignment)
            offered = self.course.offered[assignment]
            try:
                if assignment not in self._code:
                    self._code[assignment] = LessonCode.of(offered.assignment)
                rebuild(self.course, offered, self._code[assignment])
            except Exception:  # a broken class view must not stop grading; the next grade tries again
                log.exception("could not rebuild the class view of %s", assignment)
                self.mark(assignment)
