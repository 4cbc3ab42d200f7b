"""The notebook cannot reach its sandbox's broker (PID 1), which runs no student code.

Rootless, every process of a sandbox runs as one uid, the broker's too. The kernel still guards
PID 1 from its namespace (only signals it handles arrive) and the broker is undumpable (no ptrace,
no /proc/1/mem), but two ways in were left: the broker handled SIGINT (Python's default), so
``os.kill(1, SIGINT)`` raised KeyboardInterrupt in it wherever it was, and the row read "crash:
sandbox setup failed: KeyboardInterrupt()"; and ``prlimit`` checks uids, not dumpability, so the
notebook could set the broker's limits (its open files, its address space, its CPU time), on which
its stop-and-step-aside and commit rely. Both isolated modes run.
"""

from __future__ import annotations

import os
import resource
import signal
import tempfile

import pytest

from autograder import sandbox
from tests.sandbox_modes import MODES, in_mode


def _interrupt_the_broker() -> bytes:
    try:
        os.kill(1, signal.SIGINT)
    except OSError as error:
        return f"refused: {error.strerror}".encode()
    pid = os.fork()  # the broker reaps it: it must still be serving after the signal
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return b"sent"


def _limit_the_broker() -> bytes:
    try:
        resource.prlimit(1, resource.RLIMIT_NOFILE, (3, 3))
    except OSError as error:
        return f"refused: {error.strerror}".encode()
    return b"set"


def _own_limit_lowered() -> bytes:
    resource.prlimit(0, resource.RLIMIT_NOFILE, (50, 50))
    return repr(resource.getrlimit(resource.RLIMIT_NOFILE)).encode()


def _run(fn) -> dict:
    def job() -> dict:
        with tempfile.TemporaryDirectory() as folder:
            result = sandbox.run_sandboxed(fn, limits=sandbox.Limits(wall_s=30, gate_folder=folder))
        return {"seen": [result.status, result.detail, result.data.decode(errors="replace")]}

    return job


@pytest.mark.parametrize("mode", MODES)
def test_a_sigint_to_pid_1_does_not_stop_the_broker(mode):
    status, detail, said = in_mode(mode, _run(_interrupt_the_broker))["seen"]
    assert (status, detail) == ("ok", ""), (status, detail, said)


@pytest.mark.parametrize("mode", MODES)
def test_the_notebook_cannot_set_the_brokers_limits(mode):
    status, _, said = in_mode(mode, _run(_limit_the_broker))["seen"]
    assert status == "ok" and said.startswith("refused"), (status, said)


@pytest.mark.parametrize("mode", MODES)
def test_the_notebook_may_still_lower_its_own_limits(mode):
    status, _, said = in_mode(mode, _run(_own_limit_lowered))["seen"]
    assert (status, said) == ("ok", "(50, 50)"), (status, said)
