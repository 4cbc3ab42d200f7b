"""``autograder grade``: grade a folder of submissions without Docker.

The parent warms up once (torch, IPython, matplotlib, otter) and forks a
sandboxed child per submission, which runs the notebook and hands back plain
probe data. A judge process, forked before any student code ran, holds the
expected outputs, grades, and writes results and feedback as each submission
finishes, so a killed run loses nothing and a re-run grades only what is new.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import queue
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograder import sandbox, submissions, suite
from autograder.assignment import Assignment
from autograder.autograder_zip import AutograderZip, AutograderZipError
from autograder.judging import Grade
from autograder.probe_run import ProbePlan, run_and_probe

RESULTS, FEEDBACK = "results", "feedback"


class GradeRunError(RuntimeError):
    """The run as a whole cannot start (missing zip, bad shard, ...)."""


@dataclass(frozen=True)
class GradeOptions:
    workers: int = 2
    timeout: float = 120.0
    memory_mb: int = 4096
    output_cap: int = 64 * 1024
    shard: tuple[int, int] = (1, 1)


@dataclass
class BatchReport:
    grades: list[Grade]
    graded: int = 0
    reused: int = 0
    out: Path = Path(".")
    possible: float = 0.0
    questions: list[str] = field(default_factory=list)


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


def warm_up(plan: ProbePlan | None = None, student_files: dict[str, bytes] | None = None, template: Path | None = None) -> None:
    """Import once in the parent what every submission uses.

    With a plan, also runs the blank student template once (trusted code, no
    secrets in it): first use of IPython, autograd and matplotlib costs more
    than a second, which every forked child would otherwise pay again.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import torch

    torch.set_num_threads(1)  # a multi-threaded op before fork deadlocks children
    import IPython.core.interactiveshell  # noqa: F401
    import otter  # noqa: F401  (the notebook's init cell imports it)

    x = torch.ones(2, requires_grad=True)
    torch.optim.SGD([x], lr=0.1).zero_grad()
    (x * 2).sum().backward()
    if plan is not None and template is not None and template.is_file():
        import nbformat

        previous = os.getcwd()
        with tempfile.TemporaryDirectory(prefix="autograder-warm-up-") as scratch:
            os.chdir(scratch)
            try:
                run_and_probe(nbformat.read(template, as_version=4), student_files or {}, plan)
            finally:
                os.chdir(previous)
                matplotlib.pyplot.close("all")


def grade_paths(paths: list[Path], assignment: Assignment, out: Path, *, options: GradeOptions = GradeOptions(), on_progress: Callable[[Grade], None] | None = None) -> BatchReport:
    """Grade every submission under ``paths``; write OUT/results, OUT/feedback, gradebook and summary."""
    if not assignment.zip_path.is_file():
        raise GradeRunError(f"{assignment.zip_path}: no autograder zip; run `autograder release {assignment.name}` first")
    try:
        autograder = AutograderZip.read(assignment.zip_path)
    except AutograderZipError as error:
        raise GradeRunError(str(error)) from error
    found = in_shard(submissions.discover(paths), options.shard)
    for folder in (RESULTS, FEEDBACK):
        (out / folder).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="autograder-support-") as support:
        support = Path(support)
        autograder.extract_support(support, skip=(suite.REFERENCES_FILE,))
        judge_pool = _start_judge(autograder, support, out, assignment.name)
        try:
            plan = _probe_plan(support, notebook_name=assignment.source_notebook.name)
            student_files = _student_files(assignment)
            warm_up(plan, student_files, assignment.student_dir / assignment.source_notebook.name)
            hidden = _hidden_paths(assignment, out, paths)
            grades, graded = _grade_all(found, autograder, plan, student_files, hidden, judge_pool, out, options, assignment.name, on_progress)
        finally:
            judge_pool.close()
            judge_pool.join()
    from autograder.outputs import write_class_outputs

    write_class_outputs(grades, autograder, out, assignment=assignment.name)
    return BatchReport(grades, graded, len(grades) - graded, out, autograder.possible, sorted(autograder.questions))


def _grade_all(found, autograder, plan, student_files, hidden, judge_pool, out, options, assignment, on_progress):
    grades: dict[str, Grade] = {}
    todo = []
    for submission in found:
        content = _read(submission)
        key = submissions.digest(content, autograder.digest)
        previous = _previous_grade(out, submission.file, key)
        if previous is not None:
            grades[submission.file] = previous
            if on_progress:
                on_progress(previous)
        else:
            todo.append((submission, content, key))
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(options.workers):
        slots.put(slot)
    lock = threading.Lock()

    def grade_one(item):
        submission, content, key = item
        slot = slots.get()
        try:
            grade = _grade_submission(submission, content, key, plan, student_files, hidden, judge_pool, options, slot, assignment)
        finally:
            slots.put(slot)
        with lock:
            grades[submission.file] = grade
            if on_progress:
                on_progress(grade)

    with ThreadPoolExecutor(max_workers=options.workers) as pool:
        list(pool.map(grade_one, todo))
    return [grades[name] for name in sorted(grades)], len(todo)


def _read(submission: submissions.Submission) -> bytes:
    try:
        return submission.read_bytes()
    except OSError as error:
        return f"unreadable: {error}".encode()


def _grade_submission(submission, content, key, plan, student_files, hidden, judge_pool, options, slot, assignment) -> Grade:
    try:
        notebook = submissions.load_notebook(submission.file, content, assignment=assignment)
    except submissions.SubmissionError as error:
        return Grade.from_json(judge_pool.apply(_judge_failed, (submission.file, key, str(error))))
    limits = sandbox.Limits(
        wall_s=options.timeout,
        cpu_s=int(options.timeout) + 1,
        as_extra_mb=options.memory_mb,
        cgroup_mem_mb=options.memory_mb,
        out_cap=options.output_cap,
        hide=hidden,
        slot=slot,
    )
    result = sandbox.run_sandboxed(run_and_probe, notebook, student_files, plan, limits=limits)
    if result.status == "ok":
        return Grade.from_json(judge_pool.apply(_judge_grade, (submission.file, key, result.data)))
    return Grade.from_json(judge_pool.apply(_judge_failed, (submission.file, key, _status_text(result))))


def _status_text(result: sandbox.Result) -> str:
    if result.status == "error":
        last = result.data.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        return f"crash: the grader's run of the notebook failed ({last[0][:160]})"
    labels = {"timeout": "timeout", "memory": "memory", "crash": "crash", "signal": "killed by signal"}
    return f"{labels.get(result.status, result.status)}: {result.detail}"


def _previous_grade(out: Path, file: str, key: str) -> Grade | None:
    path = out / RESULTS / f"{_safe_name(file)}.json"
    try:
        kit = json.loads(path.read_text(encoding="utf-8"))["extra_data"]["kit"]
        grade = Grade.from_json(kit)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return grade if grade.digest == key and grade.file == file else None


def _safe_name(file: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in file.replace("/", "__"))


def _probe_plan(support: Path, *, notebook_name: str) -> ProbePlan:
    probe_side = suite.Suite.load(support, references_file=suite.INPUTS_FILE)
    by_question: dict[str, list] = {}
    for case in probe_side.cases:
        by_question.setdefault(case.question, []).append(case)
    module = suite.load_cases_module_object(support / suite.CASES_FILE)
    return ProbePlan(
        cases=by_question,
        inputs={case.key: probe_side.inputs(case) for case in probe_side.cases},
        reference_sources=probe_side.references["reference_functions"],
        feedback_variables=tuple(getattr(module, "FEEDBACK_VARIABLES", ())),
        notebook_name=notebook_name,
    )


def _student_files(assignment: Assignment) -> dict[str, bytes]:
    """The files a student's notebook sits beside, minus the notebook itself."""
    files = {}
    for path in sorted(assignment.student_dir.rglob("*")):
        if path.is_file() and path.suffix != ".ipynb":
            files[path.relative_to(assignment.student_dir).as_posix()] = path.read_bytes()
    return files


def _hidden_paths(assignment: Assignment, out: Path, paths: list[Path]) -> tuple[str, ...]:
    """Everything a sandbox must not see: the project (but the code it runs), OUT, the inputs."""
    keep = {".venv", "autograder"}
    hidden = {str(p.resolve()) for p in assignment.root.iterdir() if p.name not in keep and p.is_dir()}
    hidden.add(str(out.resolve()))
    for path in paths:
        folder = Path(path).resolve()
        hidden.add(str(folder if folder.is_dir() else folder.parent))
    venv = Path(os.sys.prefix).resolve()
    # Never cover the interpreter itself, nor a parent of it; a folder inside
    # another hidden one vanishes with it, so keep only the outermost.
    hidden = {h for h in hidden if not str(venv).startswith(h.rstrip("/") + "/") and h != str(venv)}
    return tuple(sorted(h for h in hidden if not any(h.startswith(other + "/") for other in hidden)))


# The judge process ------------------------------------------------------------

_JUDGE = None


def _start_judge(autograder: AutograderZip, support: Path, out: Path, assignment: str):
    context = multiprocessing.get_context("fork")
    return context.Pool(1, initializer=_init_judge, initargs=(autograder, support, out, assignment))


def _init_judge(autograder: AutograderZip, support: Path, out: Path, assignment: str) -> None:
    global _JUDGE
    from autograder.judging import Judge

    with open(support / suite.REFERENCES_FILE, "wb") as target:
        target.write(autograder.read_member(f"files/{suite.REFERENCES_FILE}"))
    _JUDGE = (Judge(autograder, support), out, assignment)
    os.remove(support / suite.REFERENCES_FILE)


def _judge_grade(file: str, key: str, raw: bytes) -> dict:
    judge, out, assignment = _JUDGE
    return _write(judge, judge.grade(file, key, raw), out, assignment)


def _judge_failed(file: str, key: str, status: str) -> dict:
    judge, out, assignment = _JUDGE
    return _write(judge, judge.failed(file, key, status), out, assignment)


def _write(judge, grade: Grade, out: Path, assignment: str) -> dict:
    from autograder.feedback import feedback_page
    from autograder.judging import otter_results
    from autograder.outputs import write_atomic

    name = _safe_name(grade.file)
    page = feedback_page(grade, judge.autograder, assignment=assignment, reference=judge.reference_variables())
    write_atomic(out / FEEDBACK / f"{name}.html", page)
    # Results last: their presence is what marks the submission as done.
    write_atomic(out / RESULTS / f"{name}.json", json.dumps(otter_results(grade, judge.autograder), indent=1))
    return grade.to_json()
