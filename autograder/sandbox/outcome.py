"""How a sandboxed run ended: its limits, its result, and the wait status turned into one."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field

from autograder.sandbox.protocol import ResultKind, parse_result

# Defences a test may leave out (``Limits.without``), to prove that each one is what stops its attack.
DEFENCES = frozenset(
    {
        "cgroup",
        "ipc_namespace",
        "memory_view",
        "no_new_privs",
        "output_cap",
        "phase_gate",
        "privileges",
        "proc_subset",
        "rlimit_as",
        "rlimit_cpu",
        "rlimit_fsize",
        "rlimit_nofile",
        "rlimit_nproc",
        "seccomp",
        "step_aside",
        "stop_aside",
    }
)


@dataclass
class Limits:
    wall_s: float = 10.0
    cpu_s: int = 10  # RLIMIT_CPU soft (SIGXCPU), hard = soft+1 (SIGKILL)
    as_extra_mb: int = 1024  # RLIMIT_AS = VmSize-at-fork + this
    cgroup_mem_mb: int = 1536  # whole-tree limit via a memory cgroup (v1 or v2), if one is writable
    fsize_mb: int = 32
    nofile: int = 64
    nproc: int = 32
    tmpfs_mb: int = 128  # private /tmp (also the work folder)
    out_cap: int = 64 * 1024  # stdout+stderr kept; the rest is drained and discarded
    result_cap: int = 1 << 20  # the result, and the commit, each
    hide: tuple = ()  # host paths covered even if inside an allowed tree
    slot: int = 0  # distinct uid per concurrently running sandbox
    owner_pid: int = 0  # names the cgroup sbx_<owner>_<slot>; 0: this process
    without: frozenset = field(default_factory=frozenset)  # tests only: defences (DEFENCES) to leave out
    gate_folder: str = ""  # tests only: a phase gate of their own (autograder.sandbox.phase_gate); "": the host's

    def __post_init__(self) -> None:
        unknown = set(self.without) - DEFENCES
        if unknown:
            raise ValueError(f"Limits.without: unknown defences {sorted(unknown)}; known: {sorted(DEFENCES)}")

    def keeps(self, defence: str) -> bool:
        return defence not in self.without


@dataclass
class Result:
    status: str  # ok | error | timeout | memory | crash | signal
    data: bytes = b""  # fn's return value, or traceback text for 'error'
    output: bytes = b""
    output_truncated: bool = False
    exit_code: int | None = None
    elapsed: float = 0.0
    detail: str = ""
    committed: bytes | None = None  # what fn committed before the secret was revealed


def classify(
    status, result: bytes, output: bytes, truncated: bool, timed_out: bool, limits: Limits, elapsed: float, *, oom: int
) -> Result:
    """Turn the student process's wait status and result bytes into a Result."""
    outcome = Result("crash", output=output, output_truncated=truncated, elapsed=elapsed)
    if status is not None:
        outcome.exit_code = os.waitstatus_to_exitcode(status)
    signal_number = os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None
    kind, payload = parse_result(result)
    if timed_out:
        outcome.status, outcome.detail = "timeout", f"took longer than {limits.wall_s:g} s"
    elif oom:
        outcome.status, outcome.detail = "memory", "killed for using more than its memory cap"
    elif kind is ResultKind.RETURNED and outcome.exit_code == 0:
        outcome.status, outcome.data = "ok", payload
    elif kind is ResultKind.OUT_OF_MEMORY:
        outcome.status, outcome.detail = "memory", "ran out of its memory cap (MemoryError)"
    elif kind is ResultKind.RAISED:
        outcome.status, outcome.data, outcome.detail = "error", payload, "exception in submission"
    elif kind is ResultKind.SETUP_FAILED:
        outcome.detail = payload.decode(errors="replace")
    elif signal_number == signal.SIGXCPU or (signal_number == signal.SIGKILL and elapsed >= limits.cpu_s):
        outcome.status, outcome.detail = "timeout", "CPU time limit"
    elif signal_number in (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT):
        outcome.status, outcome.detail = "crash", f"killed by {signal.Signals(signal_number).name}"
    elif signal_number is not None:
        outcome.status, outcome.detail = "signal", f"killed by {signal.Signals(signal_number).name}"
    else:
        outcome.detail = f"exited with code {outcome.exit_code} before reporting"
    return outcome
