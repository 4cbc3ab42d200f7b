"""Full isolation: a sandbox in namespaces of its own, as root or rootless.

::

    parent --fork--> A   host PID namespace: joins the cgroup, unshares PID, mount,
                         network, IPC and UTS namespaces (and, rootless, a user
                         namespace whose only uid is the sandbox's)
      A --fork--> B      PID 1 of the new namespace, runs no student code: builds the
                         allow-listed root with its /proc, reaps orphans, brokers the secret
        B --fork--> C    the student process (``autograder.sandbox.student_process``)

As root, C becomes uid 61000 + slot. Rootless, every process in the sandbox
already is that uid inside the user namespace; C drops the capabilities the
namespace gave it, and A and B are made undumpable so C cannot reach their
file descriptors (the secret's) through /proc.

When C ends, B reports its wait status and exits, and the kernel kills what
is left in the namespace, setsid daemons included, and frees its IPC objects;
on the wall-clock timeout the parent kills B to the same effect.

Phases take turns host-wide (``autograder.sandbox.phase_gate``): the parent
holds the gate shared before it forks A; B takes the sandbox's turns
(``autograder.sandbox.gate_turns``): at the commit it stops every process of
the sandbox and takes the gate alone before it reads the secret, and in phase
one it stops them and steps aside while another sandbox's commit goes first.
The parent lets go once A has reaped B, when no process of the sandbox is left.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from typing import Callable

from autograder.forking import fork
from autograder.sandbox import cgroups, phase_gate, privileges, seccomp
from autograder.sandbox import fs as sandbox_fs
from autograder.sandbox.broker import Broker
from autograder.sandbox.gate_turns import Turns
from autograder.sandbox.libc import check, libc
from autograder.sandbox.namespaces import die_with_parent, enter_user_namespace, namespace_flags
from autograder.sandbox.outcome import Limits, Result, classify
from autograder.sandbox.pid_one_loop import serve_until_exit
from autograder.sandbox.protocol import (
    ControlReader,
    Deadline,
    Pipes,
    commit_message,
    drain,
    parse_control,
    pid_message,
    read_rest,
    setup_failure_message,
    status_message,
    write_all,
)
from autograder.sandbox.student_process import close_all_but, confine_and_call, enter_workdir
from autograder.sandbox.view import FileView, MissingModule, base_view, kit_package

SANDBOX_UID_BASE = 61000  # uid = base + slot; no passwd entry needed
HOSTNAME = b"sandbox"


def run_isolated(
    fn,
    args,
    limits: Limits,
    secret_fd: int | None,
    *,
    rootless: bool,
    on_gate: Callable[[bool], None] | None = None,
    view: FileView | None = None,
) -> Result:
    """Run ``fn(*args)`` in a fresh set of namespaces; see the module docstring.

    ``view``: the files the sandbox can read (``autograder.sandbox.view``); None: the standard library and the kit.

    ``on_gate(True)``: the sandbox waits for its turn at the phase gate (its wall clock stops);
    ``on_gate(False)``: it has its turn.
    """
    try:
        with phase_gate.taking_turns(
            enabled=limits.keeps("phase_gate"), folder=limits.gate_folder or None, on_wait=on_gate
        ) as gate:
            return _run(fn, args, limits, secret_fd, gate, rootless=rootless, on_gate=on_gate, view=view or base_view())
            # leaving the block lets go of the gate: every process of the sandbox is dead by then
    except phase_gate.PhaseGateError as error:
        return Result("crash", detail=f"sandbox setup failed: {error}")


def _run(fn, args, limits: Limits, secret_fd: int | None, gate, *, rootless: bool, on_gate, view: FileView) -> Result:
    uid = SANDBOX_UID_BASE + limits.slot
    name = f"sbx_{limits.owner_pid or os.getpid()}_{limits.slot}"
    cgroup = (
        cgroups.for_sandbox(name, memory_bytes=limits.cgroup_mem_mb * 2**20, processes=limits.nproc)
        if limits.keeps("cgroup")
        else cgroups.NoCgroup()
    )
    oom_before = cgroup.oom_kills()  # a folder left by an earlier sandbox keeps its count
    pipes = Pipes.open()
    seccomp.load_library()  # loaded here, the sandbox's dlopen finds it loaded: the library's file is not in its root
    view = view if limits.keeps("memory_view") else None
    root = sandbox_fs.plan_root(
        kit_package=kit_package(), view=view, hide=tuple(limits.hide), host_proc=not limits.keeps("proc_subset")
    )
    deadline = Deadline(limits.wall_s)
    parent = os.getpid()
    a = fork(lambda: _process_a(fn, args, limits, uid, root, pipes, secret_fd, gate, cgroup, parent, rootless))
    pipes.close_child_ends()
    pipes.close_broker_ends()
    os.close(pipes.control_w)
    out_cap = limits.out_cap if limits.keeps("output_cap") else 1 << 30
    control = ControlReader(limits.result_cap + 4096, deadline, on_gate)
    caps_by_fd = {pipes.result_r: limits.result_cap + 1, pipes.output_r: out_cap}
    buffers, truncated, timed_out = drain(
        caps_by_fd, pipes.output_r, deadline, handlers={pipes.control_r: control.feed}
    )
    if timed_out:
        # Killing the namespace's PID 1 takes every descendant along, and A, which waits
        # for it, ends only once they are all dead. Before A has said who PID 1 is,
        # killing A kills it too (its death signal); nothing can have committed yet.
        pid_1 = parse_control(bytes(control.buffer)).pid
        _kill(pid_1 or a)
    _wait(a)
    messages = parse_control(bytes(control.buffer) + read_rest(pipes.control_r))
    pipes.close_parent_ends()
    oom_kills = cgroup.oom_kills() - oom_before
    cgroup.remove()
    if messages.setup_error is not None:
        return Result(
            "crash", output=bytes(buffers[pipes.output_r]), detail="sandbox setup failed: " + messages.setup_error
        )
    result = classify(
        messages.status,
        bytes(buffers[pipes.result_r]),
        bytes(buffers[pipes.output_r]),
        truncated,
        timed_out,
        limits,
        deadline.elapsed(),
        oom=oom_kills,
    )
    result.committed = messages.commit
    return result


# A: joins the cgroup, makes the namespaces --------------------------------------------------------


def _process_a(
    fn, args, limits: Limits, uid: int, root, pipes: Pipes, secret_fd, gate, cgroup, parent: int, rootless: bool
) -> None:
    """Never returns."""
    try:
        for fd in (pipes.result_r, pipes.output_r, pipes.control_r):
            os.close(fd)
        keep = {
            0,
            1,
            2,
            pipes.result_w,
            pipes.output_w,
            pipes.control_w,
            pipes.request_r,
            pipes.request_w,
            pipes.reply_r,
            pipes.reply_w,
        }
        if secret_fd is not None:
            keep.add(secret_fd)
        if gate is not None:
            keep.update(gate.fds())  # for B, which takes phase two
        close_all_but(keep)  # other sandboxes' pipes, the worker's own connection, ...
        die_with_parent(parent)
        cgroup.join()
        flags = namespace_flags(limits, rootless=rootless)
        if rootless:
            enter_user_namespace(flags, uid)
        else:
            check(libc.unshare(flags), "unshare")
        privileges.make_undumpable()  # inherited by B: C (the same uid, rootless) cannot open their /proc/<pid>/fd
        b = fork(
            lambda: _process_b(
                fn, args, limits, uid, root, pipes, secret_fd, gate, rootless, memory_counted="memory" in cgroup.folders
            )
        )
        for fd in (pipes.result_w, pipes.output_w, pipes.request_r, pipes.request_w, pipes.reply_r, pipes.reply_w):
            os.close(fd)
        os.write(pipes.control_w, pid_message(b))
        os.waitpid(b, 0)
        os._exit(0)
    except BaseException as error:
        _report_setup_failure(pipes.control_w, error)


def _report_setup_failure(control_w: int, error: BaseException) -> None:
    try:
        os.write(control_w, setup_failure_message(error))
    finally:
        os._exit(70)


# B: PID 1 of the namespace; builds the root, reaps, reports, brokers. Runs no student code. ------


def _process_b(
    fn, args, limits: Limits, uid: int, root, pipes: Pipes, secret_fd, gate, rootless: bool, *, memory_counted: bool
) -> None:
    """Never returns."""
    try:
        die_with_parent(None)  # A dies with the worker, B with A: the namespace never outlives its grader
        work = sandbox_fs.build_root(root, tmpfs_mb=limits.tmpfs_mb, uid=uid)
        check(libc.sethostname(HOSTNAME, len(HOSTNAME)), "sethostname")
        # Rootless, the student's processes share PID 1's uid, and PID 1 gets any signal it handles: a SIGINT
        # from the notebook raised KeyboardInterrupt in the broker wherever it was.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        c = fork(lambda: _process_c(fn, args, limits, uid, work, pipes, secret_fd, rootless, memory_counted, root.view))
        for fd in (pipes.result_w, pipes.output_w, pipes.request_w, pipes.reply_r):
            os.close(fd)

        def report(commit):
            return write_all(pipes.control_w, commit_message(commit))

        turns = (
            Turns(gate, pipes.control_w, stop=limits.keeps("stop_aside"), step_aside=limits.keeps("step_aside"))
            if gate is not None
            else None
        )
        take_turn = turns.take_phase_two if turns else None
        broker = (
            Broker(
                pipes.request_r, pipes.reply_w, secret_fd, limits.result_cap, on_commit=report, before_reveal=take_turn
            )
            if secret_fd is not None
            else None
        )
        if broker is None:
            pipes.close_broker_ends()
        status = serve_until_exit(c, broker, turns)
        os.write(pipes.control_w, status_message(status))
        os._exit(0)  # PID 1 exits: the kernel kills everything left in the namespace
    except BaseException as error:
        _report_setup_failure(pipes.control_w, error)


def _process_c(
    fn,
    args,
    limits: Limits,
    uid: int,
    work: str,
    pipes: Pipes,
    secret_fd,
    rootless: bool,
    memory_counted: bool,
    view: FileView | None,
) -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the notebook's, as in Jupyter
    os.close(pipes.control_w)
    os.close(pipes.request_r)
    os.close(pipes.reply_w)
    if secret_fd is not None:
        os.close(secret_fd)
    enter_workdir(work)
    if view is not None:
        importlib.invalidate_caches()  # the finders' listings are the host's folders
        sys.meta_path.append(MissingModule(view.host_modules))
    confine_and_call(
        fn,
        args,
        limits,
        pipes,
        secret_fd is not None,
        uid=uid,
        in_user_namespace=rootless,
        memory_counted=memory_counted,
    )


def _kill(pid: int | None) -> None:
    if not pid:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _wait(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
