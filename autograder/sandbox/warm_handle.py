"""The grader's handle on a run's warm process: starting it with a cut-down environment, asking it
for workers, and stopping it. The warm process itself is ``warm_process``; the pool that hands
workers their jobs is ``workers``."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.reduction
import os
from dataclasses import dataclass
from multiprocessing import resource_tracker
from typing import Iterator

from autograder import KitError
from autograder.sandbox.error_relay import ErrorRelay
from autograder.sandbox.student_process import KEPT_ENVIRONMENT, allowed_environment
from autograder.sandbox.warm_process import WorkerSetup, serve_warm

# Imports and a run of the blank template: about 7 s on an idle core.
WARM_UP_LIMIT_S = 600.0
# Once warm, forking a worker takes well under a second.
FORK_LIMIT_S = 60.0

# A worker starts with these of the TA's environment variables and no others: a notebook forked
# from it must find no token or credential of the TA's anywhere in its memory.
WORKER_ENVIRONMENT = (
    *KEPT_ENVIRONMENT,
    "HOME",
    "USER",
    "LOGNAME",
    "TMPDIR",
    "PYTHONPATH",
    "AUTOGRADER_SANDBOX",
    "AUTOGRADER_PHASE_GATE",
)


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


@dataclass
class Worker:
    slot: int
    pid: int
    connection: multiprocessing.connection.Connection
    lost: bool = False  # it died or was killed: the grader starts another in its slot


class WarmProcess:
    """The grader's handle on the spawned process that warms up once and forks the run's workers.

    Started without a ``setup``, it imports what every run uses and waits for one (``give``): a grader
    starts it first and reads the class's files meanwhile, on the other core."""

    def __init__(self, context, setup: WorkerSetup | None = None):
        ours, theirs = context.Pipe()
        self.process = context.Process(
            target=serve_warm, args=(theirs, os.getpid()), name="autograder-warm", daemon=True
        )
        self.errors = ErrorRelay()  # its stderr, and its workers': relayed to ours, quoted if it fails
        # Multiprocessing starts its resource tracker with the first process it spawns; started inside
        # as_stderr, the tracker would hold the relay's pipe open for good, and quoting a failed warm
        # process would wait out its whole limit for an end of output that never comes.
        resource_tracker.ensure_running()
        with _worker_environment(), self.errors.as_stderr():
            self.process.start()
        theirs.close()
        self.control = ours
        self.warm = False
        self.given = False
        self.closed = ""
        if setup is not None:
            self.give(setup)

    def give(self, setup: WorkerSetup) -> None:
        """Hand it the run's setup, once."""
        # Sent, not passed at start: a process that dies starting makes this fail (BrokenPipeError)
        # where a start with more than a pipe's worth of arguments would wait for it forever.
        try:
            self.control.send(setup)
        except OSError:
            self.close()
            raise
        self.given = True

    def fork_worker(self, slot: int) -> Worker:
        """A new worker for ``slot`` and the grader's end of its connection (waits for the warm-up)."""
        self.control.send(slot)
        limit = FORK_LIMIT_S if self.warm else WARM_UP_LIMIT_S
        if not self.control.poll(limit):
            self.process.kill()
            self.process.join(timeout=5)
            raise WorkersError(
                f"the grading workers could not start: their warm process did not answer in {limit:.0f} s"
            )
        connection = multiprocessing.connection.Connection(multiprocessing.reduction.recv_handle(self.control))
        self.warm = True
        return Worker(slot, self.control.recv(), connection)

    def close(self) -> str:
        """Stop the warm process (at once if it never had a setup); say how it ended, quoting what it
        wrote to stderr."""
        if self.closed:
            return self.closed
        if not self.given and self.process.is_alive():
            # Started early and never needed (nothing to grade): it holds nothing of the run's.
            self.process.kill()
            self.process.join(timeout=5)
            self.control.close()
            if self.process.exitcode is not None:
                self.process.close()
            self.closed = "was stopped before it was needed"
            return self.closed
        try:
            self.control.send(None)
        except OSError:
            pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.control.close()
        code = self.process.exitcode
        if code is None:
            self.closed = "did not answer"
            return self.closed
        self.process.close()  # its sentinel's file descriptor
        said = self.errors.last_words() if code != 0 else ""
        self.closed = f"ended with exit code {code}" + (
            f"; its error output ends:\n{said}" if said else ", printing nothing"
        )
        return self.closed


@contextlib.contextmanager
def early_warm_process() -> Iterator[WarmProcess]:
    """A warm process started now, before the grader's own imports and reading, and stopped when the block
    ends unless ``Workers`` took it (they stop it then)."""
    warm = WarmProcess(multiprocessing.get_context("spawn"))
    try:
        yield warm
    finally:
        warm.close()
