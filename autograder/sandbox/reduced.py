"""Reduced mode, for kernels that refuse unprivileged user namespaces: a child, not a sandbox.

The child gets its own session and working folder, rlimits, ``no_new_privs``
and a seccomp filter that also refuses SysV and POSIX IPC (there is no IPC
namespace to contain it); the parent is the broker, and kills the whole
process group at the end. Files the TA can read, the child can read; a
``setsid`` daemon escapes the group kill. See README, "Security model".
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from typing import Callable

from autograder.forking import fork
from autograder.sandbox import phase_gate
from autograder.sandbox.broker import Broker
from autograder.sandbox.isolated import die_with_parent
from autograder.sandbox.outcome import Limits, Result, classify
from autograder.sandbox.protocol import Deadline, Pipes, drain
from autograder.sandbox.student_process import confine_and_call, enter_workdir


def run_reduced(
    fn, args, limits: Limits, secret_fd: int | None, *, on_gate: Callable[[bool], None] | None = None
) -> Result:
    """Run ``fn(*args)`` in a child in its own session with rlimits, killed as a group.

    The child holds the host's phase gate shared for its whole run: no isolated sandbox's phase
    two runs beside it. Its own phase two takes no turn: a child that may read the reference
    functions' file has no secret to keep.
    """
    try:
        with phase_gate.taking_turns(
            enabled=limits.keeps("phase_gate"), folder=limits.gate_folder or None, on_wait=on_gate
        ):
            return _run(fn, args, limits, secret_fd)
    except phase_gate.PhaseGateError as error:
        return Result("crash", detail=f"sandbox setup failed: {error}")


def _run(fn, args, limits: Limits, secret_fd: int | None) -> Result:
    pipes = Pipes.open()
    work = tempfile.mkdtemp(prefix="sandbox-")
    deadline = Deadline(limits.wall_s)
    parent = os.getpid()

    def child() -> None:
        os.setsid()
        die_with_parent(parent)
        pipes.close_parent_ends()
        os.close(pipes.control_w)
        pipes.close_broker_ends()
        enter_workdir(work)
        confine_and_call(fn, args, limits, pipes, secret_fd is not None, uid=None)

    pid = fork(child)
    pipes.close_child_ends()
    os.close(pipes.control_w)
    os.close(pipes.control_r)
    broker = Broker(pipes.request_r, pipes.reply_w, secret_fd, limits.result_cap) if secret_fd is not None else None
    out_cap = limits.out_cap if limits.keeps("output_cap") else 1 << 30
    caps = {pipes.result_r: limits.result_cap + 1, pipes.output_r: out_cap}
    handlers = {pipes.request_r: broker.feed} if broker else {}
    buffers, truncated, timed_out = drain(caps, pipes.output_r, deadline, handlers=handlers)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _, status = os.waitpid(pid, 0)
    shutil.rmtree(work, ignore_errors=True)
    for fd in (pipes.result_r, pipes.output_r):
        os.close(fd)
    if broker:
        broker.close()
    else:
        pipes.close_broker_ends()
    result = classify(
        status,
        bytes(buffers[pipes.result_r]),
        bytes(buffers[pipes.output_r]),
        truncated,
        timed_out,
        limits,
        deadline.elapsed(),
        oom=0,
    )
    result.committed = broker.commit if broker else None
    return result
