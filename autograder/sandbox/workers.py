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

import multiprocessing
import multiprocessing.connection
import multiprocessing.reduction
import os
import signal
import time
from dataclasses import dataclass
from typing import Iterable, Iterator

import nbformat

from autograder import sandbox
from autograder.sandbox import cgroups
from autograder.sandbox.gate_wait import AtTheGate, JobClock
from autograder.sandbox.interpreter_access import interpreter_problem
from autograder.sandbox.warm_handle import WarmProcess, Worker, WorkersError
from autograder.sandbox.warm_process import WorkerSetup

# A worker that outlives its sandbox's own wall-clock limit by this much is stuck.
WORKER_GRACE_S = 60.0


@dataclass(frozen=True)
class Job:
    key: str
    notebook: nbformat.NotebookNode
    limits: sandbox.Limits


class _NothingYet:
    def __repr__(self) -> str:
        return "NOTHING_YET"


# What a job source that stays open (a server's queue) yields when it has no job for now: ``run`` goes
# on collecting results and asks again. A source that ends (a batch's files) simply stops.
NOTHING_YET = _NothingYet()
# The message of a job whose worker died under it: nothing the job did need have caused that.
WORKER_DIED = "the grading worker died"


class Workers:
    """``count`` workers; ``run`` hands them jobs and yields results as they finish.

    ``first_slot``: the slot (sandbox uid and cgroup) of the first worker; pools that run at once in
    one process take slots that do not overlap. ``warm``: a warm process started early, not yet given
    a setup (``warm_handle.early_warm_process``); the pool gives it ``setup`` and stops it when closed.
    """

    def __init__(self, count: int, setup: WorkerSetup, *, first_slot: int = 0, warm: WarmProcess | None = None):
        self._context = multiprocessing.get_context("spawn")
        self._setup = setup
        self._warm = warm
        self._warm_failure = "did not answer"  # how the last warm process that failed ended
        self._workers: list[Worker] = []
        problem = interpreter_problem()
        if problem:
            raise WorkersError(f"the grading workers could not start: {problem}")
        try:
            for slot in range(first_slot, first_slot + count):
                self._workers.append(self._start(slot))
        except BaseException:
            self.close()
            raise

    def _start(self, slot: int) -> "Worker":
        """A worker for ``slot``, forked from the warm process (started again once if it has died)."""
        for _ in range(2):
            try:
                if self._warm is None or not self._warm.process.is_alive():
                    self._stop_warm()
                    self._warm = WarmProcess(self._context, self._setup)
                elif not self._warm.given:
                    self._warm.give(self._setup)
                return self._warm.fork_worker(slot)
            except (EOFError, OSError):
                self._stop_warm()
        raise WorkersError(f"the grading workers could not start: their warm-up process {self._warm_failure}")

    def _stop_warm(self) -> None:
        if self._warm is not None:
            self._warm_failure = self._warm.close()
            self._warm = None

    def run(self, jobs: Iterable[Job], *, wait_s: float = 5.0) -> Iterator[tuple[Job, sandbox.Result]]:
        """Grade every job; a worker that dies or hangs costs only its job, as a 'crash'.

        ``jobs`` may yield NOTHING_YET: then the idle workers wait while busy ones are watched for
        ``wait_s`` at most, and ``jobs`` is asked again (it should itself wait a little first).
        """
        pending = iter(jobs)  # taken one at a time: jobs may be read lazily
        retry: list[Job] = []
        idle = list(self._workers)
        busy: dict[int, tuple[Worker, Job, JobClock]] = {}
        exhausted = False
        while not exhausted or busy:  # a job to retry keeps `exhausted` False
            while idle and not exhausted:
                job = retry.pop() if retry else next(pending, None)
                if job is None:
                    exhausted = True
                    break
                if job is NOTHING_YET:
                    break
                worker = idle.pop()
                try:
                    worker.connection.send(job)
                except OSError:  # it died while idle: start another and try again
                    idle.append(self._replace(worker))
                    retry.append(job)
                    continue
                busy[worker.slot] = (worker, job, JobClock())
            if not busy:
                continue
            # A worker that dies closes its end: its connection turns readable (EOF).
            multiprocessing.connection.wait([w.connection for w, _, _ in busy.values()], timeout=wait_s)
            for slot, (worker, job, clock) in list(busy.items()):
                result = self._collect(worker, job, clock)
                if result is None:
                    continue
                del busy[slot]
                idle.append(self._replace(worker) if worker.lost else worker)
                yield job, result

    def _collect(self, worker: "Worker", job: Job, clock: JobClock) -> sandbox.Result | None:
        """The job's result once there is one; None while it is still running."""
        while worker.connection.poll():
            try:
                message = worker.connection.recv()
            except (EOFError, OSError):
                worker.lost = True
                return sandbox.Result("crash", detail=WORKER_DIED)
            if not isinstance(message, AtTheGate):
                return message
            clock.at_the_gate(message.waiting)
        if clock.counted() > job.limits.wall_s + WORKER_GRACE_S:
            self._kill(worker)
            worker.lost = True
            return sandbox.Result("crash", detail="the grading worker stopped answering")
        return None

    def _replace(self, worker: "Worker") -> "Worker":
        worker.connection.close()
        # What the lost worker's sandbox left in the slot must not share caps or counts with the next.
        cgroups.empty_slot(os.getpid(), worker.slot)
        fresh = self._start(worker.slot)
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def _kill(self, worker: "Worker") -> None:
        """SIGKILL ``worker``, if that pid is still a child of the warm process (and so still the worker)."""
        if self._warm is not None and _parent(worker.pid) == self._warm.process.pid:
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        try:
            for worker in self._workers:
                try:
                    worker.connection.send(None)
                except OSError:
                    pass
            deadline = time.monotonic() + 10
            for worker in self._workers:
                if not _ended(worker.connection, deadline):
                    self._kill(worker)
                worker.connection.close()
        finally:
            self._stop_warm()
            cgroups.remove_cgroups_of(os.getpid())

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _ended(connection: multiprocessing.connection.Connection, deadline: float) -> bool:
    """Whether the other end of ``connection`` closed (its worker ended) before ``deadline``."""
    if connection.closed:  # a lost worker's, closed when it was replaced
        return True
    while connection.poll(max(0.0, deadline - time.monotonic())):
        try:
            connection.recv()
        except (EOFError, OSError):
            return True
    return False


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None
