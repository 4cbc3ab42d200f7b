"""The one fork helper: run a job in a forked child and hand its JSON result back through a pipe.

``run_forked`` runs many such children a few at a time, with a deadline each:
validate uses it to try every mutant of a solution against the hidden cases,
each in a copy-on-write copy of the solved notebook.
"""

from __future__ import annotations

import faulthandler
import json
import os
import select
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

RAISED = b"\x00raised:"  # what a child writes instead of its result when its job raised (JSON never starts so)


@dataclass(frozen=True)
class Outcome:
    """How one job in a forked child ended: its JSON result, or why there is none."""

    result: dict | None
    problem: str = ""


@dataclass
class _Child:
    index: int
    pid: int
    deadline: float
    data: bytearray = field(default_factory=bytearray)


def flush_output() -> None:
    """Flush this process's buffered output, so a child does not print it again."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def fork(child: Callable[[], None]) -> int:
    """Fork; the child runs ``child()`` and exits (0, or 70 if it raised). Returns the child's pid."""
    flush_output()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            child()
            code = 0
        finally:
            os._exit(code)
    return pid


def run_forked(
    jobs: list[Callable[[], dict]],
    *,
    workers: int = 2,
    timeout: float = 20.0,
    meanwhile: Callable[[], None] | None = None,
    only_its_pipe: bool = False,
) -> list[Outcome]:
    """Run each job in a forked child, ``workers`` at a time; kill any past ``timeout`` s.

    A job returns a JSON-serialisable dict. Children share the parent's
    memory copy-on-write, so whatever a job changes stays in its child.
    ``meanwhile()`` runs here once the first children have started, on another core than theirs.
    ``only_its_pipe``: a child closes every descriptor it inherited but its result's pipe (one that reads
    untrusted bytes must not hold the grader's connections to its workers).
    Returns one Outcome per job, in the order of ``jobs``.
    """
    outcomes: list[Outcome | None] = [None] * len(jobs)
    pending = list(enumerate(jobs))[::-1]
    running: dict[int, _Child] = {}  # by the read end of its pipe
    try:
        while pending or running:
            while pending and len(running) < workers:
                index, job = pending.pop()
                fd, pid = _start(job, only_its_pipe=only_its_pipe)
                running[fd] = _Child(index, pid, time.monotonic() + timeout)
            if meanwhile is not None:
                _beside(meanwhile, running)
                meanwhile = None
            for index, outcome in _wait(running, timeout=timeout):
                outcomes[index] = outcome
    finally:
        for fd, child in running.items():
            _kill(child.pid, fd)
    if meanwhile is not None:  # there was no job
        meanwhile()
    return outcomes


def _beside(meanwhile: Callable[[], None], running: dict[int, "_Child"]) -> None:
    """Run ``meanwhile()`` here; the children running meanwhile get the time it took added to their deadlines
    (they are not watched while it runs)."""
    started = time.monotonic()
    meanwhile()
    for child in running.values():
        child.deadline += time.monotonic() - started


def _start(job: Callable[[], dict], *, only_its_pipe: bool = False) -> tuple[int, int]:
    read_end, write_end = os.pipe()

    def child() -> None:
        os.close(read_end)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        if only_its_pipe:
            os.closerange(3, write_end)
            os.closerange(write_end + 1, os.sysconf("SC_OPEN_MAX"))
        faulthandler.disable()  # a job's crash is a result here, not a bug to dump
        if "torch" in sys.modules:
            # An OpenMP pool the parent started does not survive the fork.
            sys.modules["torch"].set_num_threads(1)
        try:
            data = json.dumps(job()).encode()
        except BaseException as error:
            # Its type only: a job's message may carry what it read (a student's file), and can be of any length.
            data = RAISED + type(error).__name__.encode()
            raise
        finally:
            _write_all(write_end, data)

    pid = fork(child)
    os.close(write_end)
    return read_end, pid


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


def _wait(running: dict[int, _Child], *, timeout: float) -> list[tuple[int, Outcome]]:
    """Read what children wrote until one finishes or a deadline passes; return (index, outcome) of those done."""
    soonest = min(child.deadline for child in running.values())
    # poll, not select: a long-running server may hold descriptors numbered past select's 1024.
    poller = select.poll()
    for fd in running:
        poller.register(fd, select.POLLIN)
    ready = [fd for fd, _ in poller.poll(max(0.0, soonest - time.monotonic()) * 1000)]
    done = []
    for fd in ready:
        chunk = os.read(fd, 65536)
        if chunk:
            running[fd].data.extend(chunk)
        else:
            child = running.pop(fd)
            os.close(fd)
            done.append((child.index, _finish(child.pid, bytes(child.data))))
    now = time.monotonic()
    for fd in [fd for fd, child in running.items() if child.deadline <= now]:
        child = running.pop(fd)
        _kill(child.pid, fd)
        done.append((child.index, Outcome(None, f"ran longer than {timeout:g} s")))
    return done


def _finish(pid: int, data: bytes) -> Outcome:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return Outcome(None, f"crashed ({signal.Signals(os.WTERMSIG(status)).name})")
    code = os.waitstatus_to_exitcode(status)
    if data.startswith(RAISED):
        return Outcome(None, f"crashed (exit code {code}, {data[len(RAISED) :].decode()} raised)")
    try:
        return Outcome(json.loads(data))
    except ValueError:
        return Outcome(None, f"crashed (exit code {code}, no result)")


def _kill(pid: int, fd: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
