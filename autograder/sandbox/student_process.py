"""The student process (C): drop everything it must not have, then run the function.

Order matters. The seccomp filter is loaded while the process still has
CAP_SYS_ADMIN (so it does not depend on ``no_new_privs``, which a test may
leave out alone), then uid and capabilities go, then ``no_new_privs``, then the
rlimits, then the student's code runs.
"""

from __future__ import annotations

import os
import tempfile
import traceback

from autograder.forking import flush_output
from autograder.sandbox import privileges, seccomp
from autograder.sandbox.broker import reveal_function
from autograder.sandbox.outcome import Limits
from autograder.sandbox.protocol import Pipes, ResultKind, result_message, write_all


def confine_and_call(
    fn,
    args,
    limits: Limits,
    pipes: Pipes,
    with_reveal: bool,
    *,
    uid: int | None,
    in_user_namespace: bool = False,
    memory_counted: bool = False,
) -> None:
    """Confine this process, then run ``fn(*args[, reveal])``. Never returns.

    Parameters:
        uid: the sandbox uid to become (isolated modes); None in reduced mode,
            which keeps the TA's uid.
        in_user_namespace: the process already is ``uid`` inside a user
            namespace (rootless): only its capabilities are to drop.
        memory_counted: a memory cgroup holds the sandbox, so it counts every
            page; else the filter refuses what holds memory no rlimit counts.
    """
    try:
        keep = {pipes.result_w, pipes.request_w, pipes.reply_r} if with_reveal else {pipes.result_w}
        _redirect_output(pipes.output_w, keep)
        if uid is not None:
            if limits.keeps("seccomp"):
                seccomp.install(uncounted_memory=not memory_counted)
            if limits.keeps("privileges"):
                privileges.drop_capabilities() if in_user_namespace else privileges.drop_privileges(uid)
        if limits.keeps("no_new_privs"):
            privileges.set_no_new_privs()
        if uid is None and limits.keeps("seccomp"):
            seccomp.install(
                deny_ipc=True, uncounted_memory=not memory_counted
            )  # no IPC namespace here: refuse SysV and POSIX IPC
        privileges.set_rlimits(limits, shared_uid=uid is None)
    except BaseException as error:
        failure = f"sandbox setup failed: {error!r}".encode(errors="backslashreplace")
        os.write(pipes.result_w, result_message(ResultKind.SETUP_FAILED, failure))
        os._exit(70)
    if with_reveal:
        args = (*args, reveal_function(pipes.request_w, pipes.reply_r))
    _call_and_report(fn, args, pipes.result_w)


# What a notebook may see of the grader's environment: locale, time zone, thread counts and the
# interpreter's own settings. Everything else (a TA's tokens, credentials, paths) stays out.
KEPT_ENVIRONMENT = (
    "PATH",
    "LANG",
    "LANGUAGE",
    "TZ",
    "MPLBACKEND",
    "VIRTUAL_ENV",
    "PYTHONHASHSEED",
    "PYTHONIOENCODING",
    "PYTHONDONTWRITEBYTECODE",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "CUBLAS_WORKSPACE_CONFIG",
)


def allowed_environment(names: tuple[str, ...]) -> dict[str, str]:
    """This process's environment variables among ``names``, and the locale's (LC_*)."""
    return {key: value for key, value in os.environ.items() if key in names or key.startswith("LC_")}


def enter_workdir(work: str) -> None:
    os.chdir(work)
    kept = allowed_environment(KEPT_ENVIRONMENT)
    os.environ.clear()
    os.environ.update(kept, HOME=work, TMPDIR=work, MPLCONFIGDIR=work, USER="student", LOGNAME="student")
    tempfile.tempdir = work


def close_all_but(keep: set[int]) -> None:
    edges = [-1, *sorted(keep), 65536]
    for low, high in zip(edges, edges[1:]):
        if low + 1 < high:  # closerange(n, n) would close every fd from n up (close_range with last = -1)
            os.closerange(low + 1, high)


def _redirect_output(output_w: int, keep: set[int]) -> None:
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output_w, 1)
    os.dup2(output_w, 2)
    os.close(null)
    os.close(output_w)
    close_all_but({0, 1, 2} | keep)


def _call_and_report(fn, args, result_w: int) -> None:
    """Run fn, write a tagged result, exit. Never returns."""
    kind, payload, me = ResultKind.NOTHING, b"", os.getpid()
    try:
        out = fn(*args)
        payload = out if isinstance(out, (bytes, bytearray)) else str(out).encode(errors="backslashreplace")
        kind = ResultKind.RETURNED
    except MemoryError:
        kind = ResultKind.OUT_OF_MEMORY
    except BaseException as error:
        message = "".join(traceback.format_exception(error))
        # torch's allocator error
        kind = ResultKind.OUT_OF_MEMORY if "can't allocate memory" in message else ResultKind.RAISED
        payload = message.encode(errors="backslashreplace")
    if os.getpid() != me:  # a fork made by student code returned through here
        os._exit(0)
    flush_output()
    try:
        write_all(result_w, result_message(kind, payload))
    except OSError:
        os._exit(71)
    os._exit(0)
