"""``autograder grade``: grade a folder of submissions without Docker.

Workers forked from one spawned, warmed process (see ``autograder.grading.workers``)
fork a sandboxed child per submission, which runs the notebook and hands back plain
probe data. This process never runs student code: it holds the expected
outputs, judges each submission as it finishes and writes its results and
feedback at once, so a killed run loses nothing and a re-run grades only what
is new or changed.
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from autograder import KitError, sandbox
from autograder.grading import submissions
from autograder.assignment import Assignment
from autograder.grading.autograder_zip import AutograderZip, AutograderZipError
from autograder.grading.grading_folder import GradingFolder
from autograder.grading.judging import Grade, Judge
from autograder.grading.about import About, read_about
from autograder.grading.class_outputs import FEEDBACK, RESULTS, ClassView, load_grades, write_class_outputs
from autograder.grading.class_settings import ClassSettings
from autograder.grading.lesson_code import LessonCode
from autograder.grading.outputs import page_name, write_atomic
from autograder.grading.pages import feedback_page
from autograder.grading.workers import Job, Workers



class GradeRunError(KitError, RuntimeError):
    """The run as a whole cannot start (missing zip, bad shard, ...)."""


@dataclass(frozen=True)
class GradeOptions:
    workers: int = 2
    timeout: float = 120.0
    memory_mb: int = 4096
    output_cap: int = 64 * 1024
    shard: tuple[int, int] = (1, 1)
    force: bool = False   # grade again files whose results are still valid


@dataclass
class BatchReport:
    grades: list[Grade]
    graded: int = 0
    reused: int = 0
    out: Path = Path(".")
    possible: float = 0.0
    questions: list[str] = field(default_factory=list)
    view: ClassView | None = None


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


def grade_paths(paths: list[Path], assignment: Assignment, out: Path, *, options: GradeOptions = GradeOptions(), on_progress: Callable[[Grade, int, int], None] | None = None, settings: ClassSettings | None = None) -> BatchReport:
    """Grade every submission under ``paths``; write OUT/results and OUT/feedback for each, then
    rebuild the class's outputs from every result in OUT (see ``class_outputs``).

    ``on_progress(grade, done, total)`` is called as each submission is graded or reused.
    ``settings``: the class's roster, times, late policy and exports (default: those OUT saved).
    """
    out.mkdir(parents=True, exist_ok=True)
    settings = settings if settings is not None else ClassSettings.load(out)
    settings.check()
    policy = settings.policy(assignment.config.extra.get("late"), where=str(assignment.config_file))
    if not assignment.zip_path.is_file():
        raise GradeRunError(f"{assignment.zip_path}: no autograder zip; run `autograder release {assignment.name}` first")
    try:
        autograder = AutograderZip.read(assignment.zip_path)
    except AutograderZipError as error:
        raise GradeRunError(str(error)) from error
    before = {grade.file: grade for grade in load_grades(out)}
    found = _named_as_before(in_shard(submissions.discover(paths), options.shard), before)
    for folder in (RESULTS, FEEDBACK):
        (out / folder).mkdir(parents=True, exist_ok=True)
    code = LessonCode.of(assignment)
    with GradingFolder(autograder) as folder:
        judge = folder.judge()
        manual = autograder.manual_questions()
        context = _Context(out, assignment.name, manual, code.names)
        run = _Run(autograder, judge, context, on_progress)
        todo = run.reuse_or_queue(found, {} if options.force else before)
        if todo:
            limits = _limits(options, _hidden_paths(assignment, out, paths))
            with Workers(min(options.workers, len(todo)), folder.worker_setup(assignment)) as workers:
                run.grade(todo, workers, limits)
    grades = [run.grades[name] for name in sorted(run.grades)]
    settings.save(out)
    view = write_class_outputs(out, autograder, assignment=assignment.name, title=assignment.config.title or assignment.name, settings=settings,
                               policy=policy, manual=manual, solution=code.solution, starter=code.starter)
    return BatchReport(grades, len(todo), len(grades) - len(todo), out, autograder.possible, sorted(autograder.questions), view)


def _named_as_before(found: list[submissions.Submission], before: dict[str, Grade]) -> list[submissions.Submission]:
    """``found``, each file that OUT already graded (``before``) from the same path keeping the name it
    had then (grading one file of a download, or a subfolder, must update its row, not add one)."""
    name_by_path = {grade.source: grade.file for grade in before.values() if grade.source}
    taken = {submission.file for submission in found}
    renamed = []
    for submission in found:
        name = name_by_path.get(str(submission.path.resolve()))
        if name and name != submission.file and name not in taken:
            taken.add(name)
            submission = replace(submission, file=name)
        renamed.append(submission)
    return sorted(renamed, key=lambda submission: submission.file)


def _about(content: bytes, notebook, context: _Context) -> About:
    """What the notebook says of itself; nothing, if reading it fails (it must never cost the run)."""
    try:
        return read_about(content, notebook, manual=list(context.manual), graded=context.graded_names)
    except Exception:
        return About()


def _limits(options: GradeOptions, hidden: tuple[str, ...]) -> sandbox.Limits:
    return sandbox.Limits(
        wall_s=options.timeout,
        cpu_s=int(options.timeout) + 1,
        as_extra_mb=options.memory_mb,
        cgroup_mem_mb=options.memory_mb,
        out_cap=options.output_cap,
        hide=hidden,
    )


@dataclass(frozen=True)
class _Context:
    """What writing one submission's outputs needs beyond its grade."""

    out: Path
    assignment: str
    manual: dict[str, float]          # written question → points
    graded_names: list[str]           # the definitions students write


class _Run:
    """One grading run's bookkeeping: what is reused, what is judged, what is written."""

    def __init__(self, autograder: AutograderZip, judge: Judge, context: _Context, on_progress):
        self.autograder, self.judge, self.context = autograder, judge, context
        self.out, self.assignment = context.out, context.assignment
        self.on_progress = on_progress
        self.grades: dict[str, Grade] = {}
        self.about: dict[str, About] = {}
        self.sources: dict[str, str] = {}
        self.total = 0

    def reuse_or_queue(self, found: list[submissions.Submission], before: dict[str, Grade]) -> list[submissions.Submission]:
        """Record the results in ``before`` still valid for unchanged files; return the other submissions."""
        self.total = len(found)
        self.sources = {submission.file: str(submission.path.resolve()) for submission in found}
        todo = []
        for submission in found:
            previous = before.get(submission.file)
            if previous is not None and previous.digest == self._digest(_read(submission)):
                self._record(previous, write=False)
            else:
                todo.append(submission)
        return todo

    def grade(self, todo: list[submissions.Submission], workers: Workers, limits: sandbox.Limits) -> None:
        digests: dict[str, str] = {}
        for job, result in workers.run(self._jobs(todo, limits, digests)):
            self._record(self._judge(job.key, digests[job.key], result))

    def _jobs(self, todo: list[submissions.Submission], limits: sandbox.Limits, digests: dict[str, str]) -> Iterator[Job]:
        """A job per notebook, read only when a worker is free (a class's files need not fit in memory);
        a file that is no notebook gets its failed grade here."""
        for submission in todo:
            content = _read(submission)
            digests[submission.file] = self._digest(content)
            try:
                notebook = submissions.load_notebook(submission.file, content, assignment=self.assignment)
            except submissions.SubmissionError as error:
                self._record(self.judge.failed(submission.file, digests[submission.file], str(error)))
                continue
            self.about[submission.file] = _about(content, notebook, self.context)
            yield Job(submission.file, notebook, limits)

    def _digest(self, content: bytes) -> str:
        return submissions.digest(content, self.autograder.digest)

    def _judge(self, file: str, key: str, result: sandbox.Result) -> Grade:
        try:
            if result.status == "ok":
                grade = self.judge.grade(file, key, result.committed, result.data)
            else:
                grade = self.judge.failed(file, key, _status_text(result))
        except Exception as error:  # a kit bug or a forged report: it costs this file only
            grade = self.judge.failed(file, key, f"crash: the grader could not judge this submission ({type(error).__name__}: {str(error)[:120]})")
        about = self.about.pop(file, None)
        return replace(grade, **asdict(about)) if about else grade

    def _record(self, grade: Grade, *, write: bool = True) -> None:
        if write:
            grade = _write_within_boundary(replace(grade, source=self.sources.get(grade.file, "")), self.judge, self.context)
        self.grades[grade.file] = grade
        if self.on_progress:
            self.on_progress(grade, len(self.grades), self.total)


def _hidden_paths(assignment: Assignment, out: Path, paths: list[Path]) -> tuple[str, ...]:
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


def _read(submission: submissions.Submission) -> bytes:
    try:
        return submission.read_bytes()
    except OSError as error:
        return f"unreadable: {error}".encode()


def _status_text(result: sandbox.Result) -> str:
    if result.status == "error":
        last = result.data.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        return f"crash: the grader's run of the notebook failed ({last[0][:160]})"
    labels = {"timeout": "timeout", "memory": "memory", "crash": "crash", "signal": "killed by signal"}
    return f"{labels.get(result.status, result.status)}: {result.detail}"


def _write_within_boundary(grade: Grade, judge: Judge, context: _Context) -> Grade:
    """Write ``grade``'s feedback and results; if that fails, its row says why (the run goes on).

    Returns the grade the gradebook gets: ``grade``, or a zero whose
    grading_status names what could not be written.
    """
    try:
        _write(grade, judge, context)
        return grade
    except Exception as error:  # one file's outputs must never cost the run, or the other rows
        failed = judge.failed(grade.file, grade.digest, f"crash: the grader could not write this submission's results ({type(error).__name__}: {str(error)[:120]})")
        try:
            _write(failed, judge, context)
        except Exception:
            pass  # the row in the gradebook still says why
        return failed


def _write(grade: Grade, judge: Judge, context: _Context) -> None:
    write_submission(grade, judge, context.out, assignment=context.assignment)


def write_submission(grade: Grade, judge: Judge, out: Path, *, assignment: str) -> None:
    """Write one submission's feedback page and results file (results last: they mark it done).
    The page's written marks and lateness are filled in with the class view (``class_outputs``)."""
    from autograder.grading.results_file import otter_results

    name = page_name(grade.file)
    page = feedback_page(grade, judge.autograder, assignment=assignment, reference=judge.reference_variables, charts=judge.charts)
    write_atomic(out / FEEDBACK / f"{name}.html", page)
    write_atomic(out / RESULTS / f"{name}.json", json.dumps(otter_results(grade, judge.autograder), indent=1))
