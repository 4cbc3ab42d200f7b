"""Grading workers: forks of one warmed interpreter, each forking one sandbox at a time.

A run's *warm process* is started with 'spawn', so it holds nothing of the
process that started it (a release's solution, the judge's expected outputs):
only what it is handed, which is what a sandbox may see. It imports torch,
IPython, matplotlib and Otter once and runs the blank template once, then
forks a worker per slot when the grader asks (and a fresh one in place of a
worker that died), so a run's workers share one warm-up. It holds the
reference functions only as an open file descriptor, which a sandbox's
broker reads after phase one is committed.

Neither the warm process nor a worker ever reads a job. For each job a worker
forks a *runner*, which receives the job, runs its sandbox, sends the result
and exits. So every sandbox is forked from a process that never held another
submission's notebook or report, not even in memory it freed.
"""
from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import multiprocessing.connection
import multiprocessing.reduction
import os
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import nbformat

from autograder import KitError, sandbox
from autograder.authoring import suite, wire
from autograder.forking import flush_output, fork
from autograder.sandbox.isolated import die_with_parent
from autograder.sandbox import cgroups
from autograder.sandbox.probe_run import ProbePlan, run_and_probe
from autograder.sandbox.student import KEPT_ENVIRONMENT, allowed_environment

# A worker that outlives its sandbox's own wall-clock limit by this much is stuck.
WORKER_GRACE_S = 60.0
# Imports and a run of the blank template: about 7 s on an idle core.
WARM_UP_LIMIT_S = 600.0
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


class WorkersError(KitError, RuntimeError):
    """The grading workers could not be started."""


class Workers:
    """``count`` workers; ``run`` hands them jobs and yields results as they finish."""

    def __init__(self, count: int, setup: WorkerSetup):
        self._context = multiprocessing.get_context("spawn")
        self._setup = setup
        self._warm: _WarmProcess | None = None
        self._workers: list[_Worker] = []
        try:
            for slot in range(count):
                self._workers.append(self._start(slot))
        except BaseException:
            self.close()
            raise

    def _start(self, slot: int) -> "_Worker":
        """A worker for ``slot``, forked from the warm process (started again once if it has died)."""
        for _ in range(2):
            if self._warm is None or not self._warm.process.is_alive():
                if self._warm is not None:
                    self._warm.close()
                self._warm = _WarmProcess(self._context, self._setup)
            try:
                return self._warm.fork_worker(slot)
            except (EOFError, OSError):
                self._warm.process.join(timeout=5)
        raise WorkersError(f"the grading workers could not start: their warm-up process ended with exit code {self._warm.process.exitcode} (its error is printed above)")

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
            # A worker that dies closes its end: its connection turns readable (EOF).
            multiprocessing.connection.wait([w.connection for w, _, _ in busy.values()], timeout=5.0)
            for slot, (worker, job, started) in list(busy.items()):
                result = self._collect(worker, job, started)
                if result is None:
                    continue
                del busy[slot]
                idle.append(self._replace(worker) if worker.lost else worker)
                yield job, result

    def _collect(self, worker: "_Worker", job: Job, started: float) -> sandbox.Result | None:
        """The job's result once there is one; None while it is still running."""
        if worker.connection.poll():
            try:
                return worker.connection.recv()
            except (EOFError, OSError):
                worker.lost = True
                return sandbox.Result("crash", detail="the grading worker died")
        if time.monotonic() - started > job.limits.wall_s + WORKER_GRACE_S:
            _kill(worker.pid)
            worker.lost = True
            return sandbox.Result("crash", detail="the grading worker stopped answering")
        return None

    def _replace(self, worker: "_Worker") -> "_Worker":
        worker.connection.close()
        fresh = self._start(worker.slot)
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        for worker in self._workers:
            try:
                worker.connection.send(None)
            except OSError:
                pass
        deadline = time.monotonic() + 10
        for worker in self._workers:
            if not _ended(worker.connection, deadline):
                _kill(worker.pid)
            worker.connection.close()
        if self._warm is not None:
            self._warm.close()
        cgroups.remove_cgroups_of(os.getpid())

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class _Worker:
    slot: int
    pid: int
    connection: multiprocessing.connection.Connection
    lost: bool = False  # it died or was killed: the grader starts another in its slot


class _WarmProcess:
    """The grader's handle on the spawned process that warms up once and forks the run's workers."""

    def __init__(self, context, setup: WorkerSetup):
        ours, theirs = context.Pipe()
        self.process = context.Process(target=_serve_warm, args=(theirs, setup, os.getpid()), name="autograder-warm", daemon=True)
        with _worker_environment():
            self.process.start()
        theirs.close()
        self.control = ours

    def fork_worker(self, slot: int) -> _Worker:
        """A new worker for ``slot`` and the grader's end of its connection (waits for the warm-up)."""
        self.control.send(slot)
        if not self.control.poll(WARM_UP_LIMIT_S):
            _kill(self.process.pid)
            raise WorkersError(f"the grading workers could not start: their warm-up took longer than {WARM_UP_LIMIT_S:.0f} s")
        connection = multiprocessing.connection.Connection(multiprocessing.reduction.recv_handle(self.control))
        return _Worker(slot, self.control.recv(), connection)

    def close(self) -> None:
        try:
            self.control.send(None)
        except OSError:
            pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.control.close()


def _ended(connection: multiprocessing.connection.Connection, deadline: float) -> bool:
    """Whether the other end of ``connection`` closed (its worker ended) before ``deadline``."""
    while connection.poll(max(0.0, deadline - time.monotonic())):
        try:
            connection.recv()
        except (EOFError, OSError):
            return True
    return False


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _serve_warm(control, setup: WorkerSetup, grader: int) -> None:
    """The warm process: warm up once, then fork a worker for each slot the grader asks for."""
    die_with_parent(grader)
    plan = probe_plan(setup.support, notebook_name=setup.notebook_name)
    secret_fd = os.open(setup.secret, os.O_RDONLY)
    warm_up(plan, setup.student_files, setup.template)
    warm = os.getpid()
    while (slot := _request(control)) is not None:
        ours, theirs = multiprocessing.Pipe()
        worker = fork(lambda: _serve(theirs, slot, setup, plan, secret_fd, grader=grader, warm=warm, inherited=(control, ours)))
        theirs.close()
        multiprocessing.reduction.send_handle(control, ours.fileno(), grader)
        ours.close()
        control.send(worker)
    _reap(block=True)
    flush_output()
    os._exit(0)  # as a worker does: tearing down torch and IPython has no use


def _request(control) -> int | None:
    """The next slot the grader wants a worker for; None when it says stop or is gone."""
    try:
        while not control.poll(1.0):
            _reap(block=False)  # workers that ended, replaced or not
        return control.recv()
    except EOFError:
        return None


def _reap(*, block: bool) -> None:
    """Wait for ended workers (their CPU time then counts as this process's children's)."""
    try:
        while os.waitpid(-1, 0 if block else os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _serve(connection, slot: int, setup: WorkerSetup, plan: ProbePlan, secret_fd: int, *, grader: int, warm: int, inherited) -> None:
    """A worker's life, in a fork of the warm process: fork a runner per job until told to stop."""
    for end in inherited:  # the warm process's control connection, the grader's end of this one
        end.close()
    die_with_parent(warm)
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
