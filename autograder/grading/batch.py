"""``autograder grade``: grade a folder of submissions without Docker.

Workers forked from one spawned, warmed process (see ``autograder.sandbox.workers``)
fork a sandboxed child per submission, which runs the notebook and hands back plain
probe data. This process never runs student code: it holds the expected
outputs, judges each submission as it finishes and writes its results at once,
so a killed run loses nothing and a re-run grades only what is new or changed.
Its feedback page is drawn then too, and written once with the class's files,
when the student's written marks and lateness are known.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from autograder import KitError, sandbox
from autograder.assignment import Assignment
from autograder.grading.grading_folder import GradingFolder
from autograder.grading.intake import submissions
from autograder.grading.intake.about import About
from autograder.grading.intake.received import HeldBytes, Received, received_and_named
from autograder.grading.intake.sandbox_job import sandbox_job
from autograder.grading.intake.submission_keys import Keyed
from autograder.grading.judging.autograder_zip import AutograderZip, AutograderZipError
from autograder.grading.judging.grade import Grade
from autograder.grading.judging.judge import Judge
from autograder.grading.judging.verdict import judged
from autograder.grading.judging_thread import JudgingThread
from autograder.grading.pages.feedback_page import FeedbackPage
from autograder.grading.records.class_outputs import (
    FEEDBACK,
    RESULTS,
    ClassView,
    feedback_link,
    load_grades,
    rebuild_planned,
)
from autograder.grading.records.class_plan import ClassPlan
from autograder.grading.records.class_settings import ClassSettings
from autograder.grading.records.submission_outputs import drawn_page, recorded
from autograder.grading.submission_grader import GradeOptions, GradingContext, hidden_paths, sandbox_limits
from autograder.sandbox.warm_handle import WarmProcess
from autograder.sandbox.workers import Job, Workers


class GradeRunError(KitError, RuntimeError):
    """The run as a whole cannot start (missing zip, bad shard, ...)."""


@dataclass
class BatchReport:
    grades: list[Grade]
    graded: int = 0
    reused: int = 0
    out: Path = Path(".")
    possible: float = 0.0
    questions: list[str] = field(default_factory=list)
    view: ClassView | None = None
    notes: list[str] = field(default_factory=list)  # what the TA should know of rows this run added or changed


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` → (i, n) with 1 <= i <= n."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError as error:
        raise GradeRunError(f"--shard {text!r}: write it as i/n, e.g. 2/8") from error
    if not 1 <= index <= count:
        raise GradeRunError(f"--shard {text!r}: i must be between 1 and n")
    return index, count


def in_shard(items: list, shard: tuple[int, int]) -> list:
    index, count = shard
    return [item for position, item in enumerate(items) if position % count == index - 1]


def grade_paths(
    paths: list[Path],
    assignment: Assignment,
    out: Path,
    *,
    options: GradeOptions = GradeOptions(),
    on_progress: Callable[[Grade, int, int], None] | None = None,
    settings: ClassSettings | None = None,
    warm: WarmProcess | None = None,
) -> BatchReport:
    """Grade every submission under ``paths``; write OUT/results for each, then rebuild the class's
    outputs from every result in OUT, with the feedback pages drawn meanwhile (see ``class_outputs``).

    ``on_progress(grade, done, total)`` is called as each submission is graded or reused.
    ``settings``: the class's roster, times, late policy and exports (default: those OUT saved).
    ``warm``: the run's warm process, started early (``warm_handle.early_warm_process``); else one starts
    when there is something to grade.
    """
    out.mkdir(parents=True, exist_ok=True)
    settings = settings if settings is not None else ClassSettings.load(out)
    settings.check()
    plan = ClassPlan.of(settings, assignment)  # a late policy that cannot work stops the run before any grading
    if not assignment.zip_path.is_file():
        raise GradeRunError(
            f"{assignment.zip_path}: no autograder zip; run `autograder release {assignment.name}` first"
        )
    try:
        autograder = AutograderZip.read(assignment.zip_path)
    except AutograderZipError as error:
        raise GradeRunError(str(error)) from error
    before = {grade.file: grade for grade in load_grades(out)}
    context = GradingContext(out, assignment.name, autograder.manual_questions(), plan.code.names)
    found = in_shard(submissions.discover(paths), options.shard)
    named, keyed = received_and_named(
        found, before, zip_digest=autograder.digest, reader=context.read, held=HeldBytes()
    )
    for folder in (RESULTS, FEEDBACK):
        (out / folder).mkdir(parents=True, exist_ok=True)
    with GradingFolder(autograder) as folder:
        run = _Run(folder.judge(), context, on_progress, named_at=_named_at(keyed, before))
        todo = run.reuse_or_queue(named, {} if options.force else before)
        if todo:
            limits = sandbox_limits(options, hidden_paths(assignment, out, paths))
            with Workers(min(options.workers, len(todo)), folder.worker_setup(assignment), warm=warm) as workers:
                run.grade(todo, workers, limits)
        elif warm is not None:
            warm.close()  # started early, not needed: it stops before the class's pages are drawn
    grades = [run.grades[name] for name in sorted(run.grades)]
    # OUT's results are those it held before this run, and this run's.
    every = sorted({**before, **run.grades}.values(), key=lambda grade: grade.file)
    view = rebuild_planned(
        out,
        autograder,
        plan,
        shard=options.shard[1] > 1,
        grades=every,
        drawn=run.pages,
        before=list(before.values()),
        graded={grade.file for grade in grades},
    )
    return BatchReport(
        grades,
        len(todo),
        len(grades) - len(todo),
        out,
        autograder.possible,
        sorted(autograder.questions),
        view,
        keyed.notes + view.now_counting,
    )


def _named_at(keyed: Keyed, before: dict[str, Grade]) -> dict[str, str]:
    """File → when the TA last graded it by name: now for the files named on this command line."""
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return {
        submission.file: now
        if submission.file in keyed.named
        else (before[submission.file].named_at if submission.file in before else "")
        for submission in keyed.submissions
    }


class _Run:
    """One grading run's bookkeeping: what is reused, what is judged, what is written. It hands each
    submission to the stages in turn (intake's job, the sandbox, judging's verdict, the records); no stage
    calls back into it, though the worker pool pulls the jobs from ``_jobs`` as workers come free."""

    def __init__(self, judge: Judge, context: GradingContext, on_progress, *, named_at: dict[str, str]):
        self.judge = judge
        self.context = context
        self.on_progress = on_progress
        self.named_at = named_at
        self.grades: dict[str, Grade] = {}
        self.pages: dict[str, FeedbackPage] = {}  # drawn this run, for the class view to write with their standing
        self.sources: dict[str, str] = {}
        self.total = 0
        self._about: dict[str, About] = {}  # what was read of each notebook before its sandbox, for its verdict
        self._recording = threading.Lock()

    def reuse_or_queue(self, found: list[Received], before: dict[str, Grade]) -> list[Received]:
        """Record the results in ``before`` still valid for unchanged files; return the other submissions."""
        self.total = len(found)
        self.sources = {submission.file: str(submission.submission.path.resolve()) for submission in found}
        todo = []
        for submission in found:
            previous = before.get(submission.file)
            if previous is not None and previous.digest == submission.digest:
                # Named again by the TA it is rewritten to count from now; found at another path, to be found
                # there next time.
                moved = (self.named_at.get(submission.file, ""), self.sources[submission.file]) != (
                    previous.named_at,
                    previous.source,
                )
                self._record(previous, write=moved)
                if not moved and not (self.context.out / feedback_link(submission.file)).is_file():
                    # a run killed before its class view wrote the page
                    self.pages[submission.file] = drawn_page(previous, self.judge, assignment=self.context.assignment)
            else:
                todo.append(submission)
        return todo

    def grade(self, todo: list[Received], workers: Workers, limits: sandbox.Limits) -> None:
        digests = {submission.file: submission.digest for submission in todo}
        with JudgingThread() as judging:  # a failure there stops the run, as it did when judging ran inline
            for job, result in workers.run(self._jobs(todo, limits)):
                judging.submit(self._judge, job.key, digests[job.key], result)
                judging.raise_any_failure()

    def _judge(self, file: str, digest: str, result: sandbox.Result) -> None:
        self._record(judged(self.judge, file, digest, result, self._about.pop(file, None)))

    def _jobs(self, todo: list[Received], limits: sandbox.Limits) -> Iterator[Job]:
        """A job per notebook, parsed only when a worker is free; a file that is no notebook of this
        assignment, or over a limit of what the grader reads, gets its failed grade here."""
        for submission in todo:
            job, reading = sandbox_job(submission, limits)
            if job is None:
                self._record(self.judge.failed(submission.file, submission.digest, reading.problem))
            else:
                self._about[submission.file] = reading.about
                yield job

    def _record(self, grade: Grade, *, write: bool = True) -> None:
        with self._recording:  # the judging thread's, and _jobs' for a file that is no notebook
            self._record_now(grade, write=write)

    def _record_now(self, grade: Grade, *, write: bool) -> None:
        if write:
            grade, page = recorded(
                replace(grade, source=self.sources.get(grade.file, ""), named_at=self.named_at.get(grade.file, "")),
                self.judge,
                out=self.context.out,
                assignment=self.context.assignment,
                page_now=False,
            )
            if page is not None:
                self.pages[grade.file] = page
        self.grades[grade.file] = grade
        if self.on_progress:
            self.on_progress(grade, len(self.grades), self.total)
