"""Grading workers: fresh interpreters that each fork one sandbox at a time.

A worker is started with 'spawn', so it holds nothing of the process that
started it (a release's solution, the judge's expected outputs): only what it
is handed, which is what a sandbox may see. It imports torch, IPython,
matplotlib and Otter once and runs the blank template once, so each sandbox
it forks starts warm. It holds the reference functions only as an open file
descriptor, which the sandbox's broker reads after phase one is committed.

The warmed worker never reads a job. For each one it forks a *runner*, which
receives the job, runs its sandbox, sends the result and exits. So every
sandbox is forked from a process that never held another submission's
notebook or report, not even in memory it freed.
"""
from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import multiprocessing.connection
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import nbformat

from autograder import sandbox
from autograder.authoring import suite, wire
from autograder.forking import flush_output, fork
from autograder.sandbox.isolated import die_with_parent
from autograder.sandbox import cgroups
from autograder.sandbox.probe_run import ProbePlan, run_and_probe
from autograder.sandbox.student import KEPT_ENVIRONMENT, allowed_environment

# A worker that outlives its sandbox's own wall-clock limit by this much is stuck.
WORKER_GRACE_S = 60.0
_STOP = 3  # a runner's exit code: the grader said there are no more jobs


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker is given.

    Attributes:
        support: folder with the hidden cases and their inputs (no expected outputs).
        secret: file of the reference functions' sources, for the sandbox's broker.
        notebook_name: the name the student's init cell opens the notebook by.
        student_files: the files a notebook sits beside (data, public tests).
        template: the blank student notebook, run once to warm the worker up.
    """

    support: Path
    secret: Path
    notebook_name: str
    student_files: dict[str, bytes]
    template: Path | None = None


@dataclass(frozen=True)
class Job:
    key: str
    notebook: nbformat.NotebookNode
    limits: sandbox.Limits


# A worker starts with these of the TA's environment variables and no others: a notebook forked
# from it must find no token or credential of the TA's anywhere in its memory.
WORKER_ENVIRONMENT = (*KEPT_ENVIRONMENT, "HOME", "USER", "LOGNAME", "TMPDIR", "PYTHONPATH", "AUTOGRADER_SANDBOX")


@contextlib.contextmanager
def _worker_environment():
    """This process's environment cut to WORKER_ENVIRONMENT while a worker is spawned (it inherits it)."""
    saved = dict(os.environ)
    kept = allowed_environment(WORKER_ENVIRONMENT)
    os.environ.clear()
    os.environ.update(kept)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class Workers:
    """``count`` workers; ``run`` hands them jobs and yields results as they finish."""

    def __init__(self, count: int, setup: WorkerSetup):
        self._context = multiprocessing.get_context("spawn")
        self._setup = setup
        self._workers = [self._start(slot) for slot in range(count)]

    def _start(self, slot: int) -> "_Worker":
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(theirs, slot, self._setup), name=f"autograder-worker-{slot}", daemon=True)
        with _worker_environment():
            process.start()
        theirs.close()
        return _Worker(slot, process, ours)

    def run(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, sandbox.Result]]:
        """Grade every job; a worker that dies or hangs costs only its job, as a 'crash'."""
        pending = iter(jobs)  # taken one at a time: jobs may be read lazily
        retry: list[Job] = []
        idle = list(self._workers)
        busy: dict[int, tuple[_Worker, Job, float]] = {}
        exhausted = False
        while not exhausted or busy:  # a job to retry keeps `exhausted` False
            while idle and not exhausted:
                job = retry.pop() if retry else next(pending, None)
                if job is None:
                    exhausted = True
                    break
                worker = idle.pop()
                try:
                    worker.connection.send(job)
                except OSError:  # it died while idle: start another and try again
                    idle.append(self._replace(worker))
                    retry.append(job)
                    continue
                busy[worker.slot] = (worker, job, time.monotonic())
            if not busy:
                continue
            waits = [w.connection for w, _, _ in busy.values()] + [w.process.sentinel for w, _, _ in busy.values()]
            multiprocessing.connection.wait(waits, timeout=5.0)
            for slot, (worker, job, started) in list(busy.items()):
                result = self._collect(worker, job, started)
                if result is None:
                    continue
                del busy[slot]
                if result.status == "crash" and not worker.process.is_alive():
                    worker = self._replace(worker)
                idle.append(worker)
                yield job, result

    def _collect(self, worker: "_Worker", job: Job, started: float) -> sandbox.Result | None:
        """The job's result once there is one; None while it is still running."""
        if worker.connection.poll():
            try:
                return worker.connection.recv()
            except (EOFError, OSError):
                return sandbox.Result("crash", detail="the grading worker died")
        if not worker.process.is_alive():
            return sandbox.Result("crash", detail="the grading worker died")
        if time.monotonic() - started > job.limits.wall_s + WORKER_GRACE_S:
            worker.process.kill()
            worker.process.join(timeout=5)
            return sandbox.Result("crash", detail="the grading worker stopped answering")
        return None

    def _replace(self, worker: "_Worker") -> "_Worker":
        worker.connection.close()
        worker.process.join(timeout=5)
        fresh = self._start(worker.slot)
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        for worker in self._workers:
            try:
                worker.connection.send(None)
            except OSError:
                pass
        for worker in self._workers:
            worker.process.join(timeout=10)
            if worker.process.is_alive():
                worker.process.kill()
            worker.connection.close()
        cgroups.remove_cgroups_of(os.getpid())

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class _Worker:
    slot: int
    process: multiprocessing.process.BaseProcess
    connection: multiprocessing.connection.Connection


def _serve(connection, slot: int, setup: WorkerSetup) -> None:
    """A worker's life: warm up, then fork a runner per job until told to stop."""
    plan = probe_plan(setup.support, notebook_name=setup.notebook_name)
    secret_fd = os.open(setup.secret, os.O_RDONLY)
    warm_up(plan, setup.student_files, setup.template)
    grader = os.getppid()
    worker = os.getpid()
    while True:
        runner = fork(lambda: _run_one_job(connection, slot, setup, plan, secret_fd, grader, worker))
        code = os.waitstatus_to_exitcode(os.waitpid(runner, 0)[1])
        if code != 0:
            # STOP, or the runner died mid-job: this worker ends; the grader counts that job as crashed and replaces it.
            # It leaves at once: tearing down torch and IPython at interpreter exit takes 1-2 s it has no use for.
            flush_output()
            os._exit(0)


def _run_one_job(connection, slot: int, setup: WorkerSetup, plan: ProbePlan, secret_fd: int, grader: int, worker: int) -> None:
    """In a fresh fork of the warmed worker: take one job, grade it in a sandbox, send the result."""
    die_with_parent(worker)
    job = connection.recv()
    if job is None:
        os._exit(_STOP)
    # Cgroups are named after the grading process, which started this worker.
    limits = dataclasses.replace(job.limits, slot=slot, owner_pid=grader)
    result = sandbox.run_sandboxed(run_and_probe, job.notebook, setup.student_files, plan, limits=limits, secret_fd=secret_fd)
    connection.send(result)


def probe_plan(support: Path, *, notebook_name: str) -> ProbePlan:
    """The plan a sandbox follows, from the cases and their inputs only."""
    module = suite.load_cases(support / suite.CASES_FILE)
    probe_side = suite.Suite(module.cases, suite.read_references(support / suite.INPUTS_FILE))
    by_question: dict[str, list] = {}
    for case in module.cases:
        by_question.setdefault(case.question, []).append(case)
    return ProbePlan(
        cases=by_question,
        inputs={case.key: probe_side.inputs(case) for case in module.cases},
        charts=module.charts,
        recorded=module.recorded,
        notebook_name=notebook_name,
    )


def warm_up(plan: ProbePlan | None = None, student_files: dict[str, bytes] | None = None, template: Path | None = None) -> None:
    """Import once what every submission uses.

    With a plan, also runs the blank student template once (trusted code, no
    secrets in it): first use of IPython, autograd and matplotlib costs more
    than a second, which every forked sandbox would otherwise pay again.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot
    import torch

    torch.set_num_threads(1)  # a multi-threaded op before fork deadlocks children
    import IPython.core.interactiveshell  # noqa: F401
    import otter  # noqa: F401  (the notebook's init cell imports it)

    x = torch.ones(2, requires_grad=True)
    torch.optim.SGD([x], lr=0.1).zero_grad()
    (x * 2).sum().backward()
    wire.encode(x)  # plain keeps this torch: a notebook's fake sys.modules["torch"] cannot replace it
    if plan is None or template is None or not template.is_file():
        return
    notebook = nbformat.read(template, as_version=4)
    previous = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="autograder-warm-up-") as scratch:
        os.chdir(scratch)
        try:
            run_and_probe(notebook, student_files or {}, plan, reveal=lambda commit: b"{}")
        finally:
            os.chdir(previous)
            matplotlib.pyplot.close("all")
