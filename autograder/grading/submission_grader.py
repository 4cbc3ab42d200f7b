"""What grading one assignment's submissions takes beyond the submission: the options of a run, the
context its outputs are written in, the sandbox's limits, and the course server's ``SubmissionGrader``.

Each step is a stage's own: the job is intake's (``autograder.grading.intake.sandbox_job``), the verdict judging's
(``autograder.grading.judging.verdict``), the results file and page the records'
(``autograder.grading.records.submission_outputs``). The batch grader (``autograder.grading.batch``)
hands a submission to each in turn; the course server through a ``SubmissionGrader``. Both call the
same stages, so the same file gets the same grade in a batch and online.
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
from autograder.grading.intake.sandbox_job import sandbox_job
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.judging.grade import Grade
from autograder.grading.judging.judge import Judge
from autograder.grading.judging.verdict import judged
from autograder.grading.records.submission_outputs import recorded
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
    """The course server's grader of one assignment's submissions, one file at a time: ``job`` before the
    sandbox, ``judged`` after it, ``written`` to put its page and results in ``context.out``."""

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
        job, reading = sandbox_job(received, limits)
        if job is None:
            return self.judge.failed(received.file, received.digest, reading.problem)
        self._about[received.file] = reading.about
        return job

    def judged(self, file: str, digest: str, result: sandbox.Result) -> Grade:
        """``file``'s grade from what its sandbox sent (see ``autograder.grading.judging.verdict``)."""
        return judged(self.judge, file, digest, result, self._about.pop(file, None))

    def written(self, grade: Grade) -> Grade:
        """Write ``grade``'s results and its feedback page, headed by its autograded score alone (the course
        server's graded folder: its class view adds the standing); if that fails, its row says why.

        Returns the grade the gradebook gets: ``grade``, or a zero whose
        grading_status names what could not be written.
        """
        return write_within_boundary(grade, self.judge, self.context)


def write_within_boundary(grade: Grade, judge: Judge, context: GradingContext) -> Grade:
    """See ``SubmissionGrader.written``."""
    return recorded(grade, judge, out=context.out, assignment=context.assignment, page_now=True)[0]


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
