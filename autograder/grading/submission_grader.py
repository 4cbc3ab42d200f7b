"""What grading one submission takes, whoever hands it over: its sandbox job, the judging of what the
sandbox sent, and its feedback page and results file.

The batch grader (``autograder.grading.batch``) and the course server both grade through a
``SubmissionGrader``, so the same file gets the same grade in a batch and online.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder import sandbox
from autograder.assignment import Assignment
from autograder.grading.intake import submissions
from autograder.grading.intake.about import About
from autograder.grading.intake.reading import read_submission
from autograder.grading.intake.received import Reader, Received
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.judging.grade import Grade
from autograder.grading.judging.judge import Judge
from autograder.grading.pages.feedback_page import FeedbackPage, draw_feedback
from autograder.grading.records.class_outputs import FEEDBACK, RESULTS
from autograder.grading.records.outputs import page_name, write_atomic
from autograder.sandbox.workers import Job


@dataclass(frozen=True)
class GradeOptions:
    workers: int = 2
    timeout: float = 120.0
    memory_mb: int = 4096
    output_cap: int = 64 * 1024
    shard: tuple[int, int] = (1, 1)
    force: bool = False  # grade again files whose results are still valid


@dataclass(frozen=True)
class GradingContext:
    """What reading a submission and writing its outputs need beyond its grade."""

    out: Path
    assignment: str
    manual: dict[str, float]  # written question → points
    graded_names: list[str]  # the definitions students write

    @property
    def read(self) -> Reader:
        """``read(file, content)``: ``content`` read as a submission of this assignment (see
        ``autograder.grading.intake.reading``). The reader itself, so a submission is read in intake alone."""
        return functools.partial(
            read_submission, assignment=self.assignment, manual=list(self.manual), graded=self.graded_names
        )


class SubmissionGrader:
    """Grades one assignment's submissions, one file at a time: ``job`` before the sandbox,
    ``judged`` after it, ``written`` to put its page and results in ``context.out``."""

    def __init__(self, autograder: AutograderZip, judge: Judge, context: GradingContext):
        self.autograder, self.judge, self.context = autograder, judge, context
        self._about: dict[str, About] = {}

    def digest(self, content: bytes) -> str:
        """The key a result is valid for: the file's bytes and the autograder zip it was graded with."""
        return submissions.digest(content, self.autograder.digest)

    def job(self, file: str, content: bytes, limits: sandbox.Limits) -> Job | Grade:
        """The sandbox job for ``file`` given as bytes (see ``job_of``)."""
        submission = submissions.Submission(file, Path(file))
        return self.job_of(Received(submission, content, self.digest(content), self.context.read), limits)

    def job_of(self, received: Received, limits: sandbox.Limits) -> Job | Grade:
        """The sandbox job for ``received``, or its failed grade when it is no notebook of this assignment
        or over a limit of what the grader reads (see ``autograder.grading.intake.reading``)."""
        reading = received.reading()
        if reading.notebook is None:
            return self.judge.failed(received.file, received.digest, reading.problem)
        self._about[received.file] = reading.about
        return Job(received.file, reading.notebook, limits)

    def judged(self, file: str, digest: str, result: sandbox.Result) -> Grade:
        """``file``'s grade from what its sandbox sent; a kit bug or a forged report costs this file only."""
        try:
            if result.status == "ok":
                grade = self.judge.grade(file, digest, result.committed, result.data)
            else:
                grade = self.judge.failed(file, digest, status_text(result))
        except Exception as error:
            grade = self.judge.failed(
                file,
                digest,
                f"crash: the grader could not judge this submission ({type(error).__name__}: {str(error)[:120]})",
            )
        about = self._about.pop(file, None)
        return about.applied_to(grade) if about else grade

    def written(self, grade: Grade) -> Grade:
        """Write ``grade``'s results and its feedback page, headed by its autograded score alone (the course
        server's graded folder: its class view adds the standing); if that fails, its row says why.

        Returns the grade the gradebook gets: ``grade``, or a zero whose
        grading_status names what could not be written.
        """
        return write_within_boundary(grade, self.judge, self.context)

    def recorded(self, grade: Grade) -> tuple[Grade, FeedbackPage | None]:
        """Write ``grade``'s results and draw its feedback page, for the class view to write once with the
        student's standing; as ``written``, a failure costs this row only (then the page is its failed grade's,
        or None when even that could not be drawn)."""
        return recorded_within_boundary(grade, self.judge, self.context, page_now=False)

    def page(self, grade: Grade) -> FeedbackPage:
        """``grade``'s feedback page drawn again, for a result whose page is missing (a run killed before its
        class view wrote it)."""
        return drawn_page(grade, self.judge, self.context)


def write_within_boundary(grade: Grade, judge: Judge, context: GradingContext) -> Grade:
    """See ``SubmissionGrader.written``."""
    return recorded_within_boundary(grade, judge, context, page_now=True)[0]


def recorded_within_boundary(
    grade: Grade, judge: Judge, context: GradingContext, *, page_now: bool
) -> tuple[Grade, FeedbackPage | None]:
    """See ``SubmissionGrader.recorded``; ``page_now``: write the page too, as ``written`` does."""
    try:
        return grade, write_submission(grade, judge, context, page_now=page_now)
    except Exception as error:  # one file's outputs must never cost the run, or the other rows
        failed = judge.failed(
            grade.file,
            grade.digest,
            f"crash: the grader could not write this submission's results ({type(error).__name__}: {str(error)[:120]})",
        )
        try:
            return failed, write_submission(failed, judge, context, page_now=page_now)
        except Exception:
            return failed, None  # the row in the gradebook still says why


def write_submission(grade: Grade, judge: Judge, context: GradingContext, *, page_now: bool) -> FeedbackPage:
    """Write one submission's results file and draw its feedback page. With ``page_now`` the page is written
    too, before the results file, which marks the submission done."""
    from autograder.grading.records.results_file import write_results

    name = page_name(grade.file)
    results = context.out / RESULTS / f"{name}.json"
    if not page_now:
        write_results(results, grade, judge.autograder)
        return drawn_page(grade, judge, context)
    page = drawn_page(grade, judge, context)
    write_atomic(context.out / FEEDBACK / f"{name}.html", page.html())
    write_results(results, grade, judge.autograder)
    return page


def drawn_page(grade: Grade, judge: Judge, context: GradingContext) -> FeedbackPage:
    return draw_feedback(
        grade, judge.autograder, assignment=context.assignment, reference=judge.reference_variables, charts=judge.charts
    )


def sandbox_limits(options: GradeOptions, hidden: tuple[str, ...]) -> sandbox.Limits:
    return sandbox.Limits(
        wall_s=options.timeout,
        cpu_s=int(options.timeout) + 1,
        as_extra_mb=options.memory_mb,
        cgroup_mem_mb=options.memory_mb,
        out_cap=options.output_cap,
        hide=hidden,
    )


def hidden_paths(assignment: Assignment, out: Path, paths: list[Path]) -> tuple[str, ...]:
    """Everything a sandbox must not see: the project (but the code it runs), OUT, the inputs."""
    keep = {".venv", "autograder"}
    hidden = {str(p.resolve()) for p in assignment.root.iterdir() if p.name not in keep and p.is_dir()}
    hidden.add(str(out.resolve()))
    for path in paths:
        folder = Path(path).resolve()
        hidden.add(str(folder if folder.is_dir() else folder.parent))
    venv = Path(sys.prefix).resolve()
    # Never cover the interpreter itself, nor a parent of it; a folder inside
    # another hidden one vanishes with it, so keep only the outermost.
    hidden = {h for h in hidden if not str(venv).startswith(h.rstrip("/") + "/") and h != str(venv)}
    return tuple(sorted(h for h in hidden if not any(h.startswith(other + "/") for other in hidden)))


# A status quotes at most this much of what the student process wrote (it writes the result pipe itself).
QUOTED_CHARS = 160
# After the commit the student process holds the reference functions: a status then says nothing it chose.
FAILED_AFTER_COMMIT = (
    "the notebook's run failed while the reference functions were lent (after its answers were committed)"
)


def status_text(result: sandbox.Result) -> str:
    labels = {
        "timeout": "timeout",
        "memory": "memory",
        "crash": "crash",
        "error": "crash",
        "signal": "killed by signal",
    }
    label = labels.get(result.status, result.status)
    if result.committed is not None and result.status in ("error", "crash", "signal"):
        return f"{label}: {FAILED_AFTER_COMMIT}"
    if result.status == "error":
        last = result.data.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        return f"crash: the grader's run of the notebook failed ({last[0][:QUOTED_CHARS]})"
    return f"{label}: {result.detail[:QUOTED_CHARS]}"
