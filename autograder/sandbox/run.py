"""Run one function on untrusted code in a forked, isolated child.

Built for a warmed parent (torch, numpy, matplotlib already imported): a fork
costs milliseconds where a fresh interpreter costs seconds.

Full isolation (root on Linux, as on CI and course servers)::

    parent --fork--> A   root, host PID namespace: joins the cgroup, unshares PID, mount
                         and network namespaces, pivots into the allow-listed root
      A --fork--> B      root, PID 1 of the new namespace, runs no student code:
                         mounts /proc, reaps orphans, brokers the secret (below)
        B --fork--> C    the student process: output to a pipe, uid 61000 + slot,
                         no_new_privs, seccomp, rlimits; runs fn()

When C ends, B reports its wait status and exits, and the kernel kills what is
left in the namespace, setsid daemons included; on the wall-clock timeout the
parent kills B to the same effect.

Commit, then reveal: fn may call ``reveal(commit)`` once. The broker hands the
commit to the parent before it gives C the secret (read from ``secret_fd``,
which C never holds), so the parent can trust that ``Result.committed`` was
computed without the secret; what C returns at the end comes back apart, as
``Result.data``.

Without root, a reduced mode: its own session, rlimits, the process group
killed at the end, and the parent as the broker. See README "Security model"
for what each mode enforces.
"""
from __future__ import annotations

import os
import select
import shutil
import signal
import struct
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from typing import Callable

from autograder.sandbox import fs as sandbox_fs, limits as sandbox_limits
from autograder.sandbox.libc import check, libc

CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x20000000, 0x40000000
PR_SET_PDEATHSIG = 1
SANDBOX_UID_BASE = 61000  # uid = base + slot; no passwd entry needed
SECRET_CAP = 60 * 1024    # fits a pipe's buffer, so the broker never blocks on a silent reader
_LENGTH = struct.Struct("!Q")
_STATUS = struct.Struct("!i")


@dataclass
class Limits:
    wall_s: float = 10.0
    cpu_s: int = 10               # RLIMIT_CPU soft (SIGXCPU), hard = soft+1 (SIGKILL)
    as_extra_mb: int = 1024       # RLIMIT_AS = VmSize-at-fork + this
    cgroup_mem_mb: int = 1536     # whole-tree limit via the cgroup v1 memory controller, if any
    fsize_mb: int = 32
    nofile: int = 64
    nproc: int = 32
    tmpfs_mb: int = 128           # private /tmp (also the work folder)
    out_cap: int = 64 * 1024      # stdout+stderr kept; the rest is drained and discarded
    result_cap: int = 1 << 20     # the result, and the commit, each
    hide: tuple = ()              # host paths covered even if inside an allowed tree
    slot: int = 0                 # distinct uid per concurrently running sandbox
    owner_pid: int = 0            # names the cgroup sbx_<owner>_<slot>; 0: this process


@dataclass
class Result:
    status: str                   # ok | error | timeout | memory | crash | signal
    data: bytes = b""             # fn's return value, or traceback text for 'error'
    output: bytes = b""
    output_truncated: bool = False
    exit_code: int | None = None
    elapsed: float = 0.0
    detail: str = ""
    committed: bytes | None = None  # what fn committed before the secret was revealed


class RevealRefused(RuntimeError):
    """reveal() was called twice, or the broker closed without a secret (commit too large)."""


def full_isolation_available() -> bool:
    """True when this process may create namespaces (root with CAP_SYS_ADMIN)."""
    return os.geteuid() == 0 and hasattr(os, "fork") and sys.platform.startswith("linux")


def run_sandboxed(fn: Callable, *args, limits: Limits | None = None, secret_fd: int | None = None) -> Result:
    """Run ``fn(*args)`` in an isolated child; return how it ended and its bytes.

    With ``secret_fd``, fn is called as ``fn(*args, reveal)``: see the module
    docstring. fn returns bytes (or str); its exceptions become status 'error'.
    """
    limits = limits or Limits()
    if not full_isolation_available():
        return _run_reduced(fn, args, limits, secret_fd)
    return _run_isolated(fn, args, limits, secret_fd)


# The parent side ---------------------------------------------------------------------------------


def _run_isolated(fn, args, limits: Limits, secret_fd) -> Result:
    uid = SANDBOX_UID_BASE + limits.slot
    cgroup = sandbox_limits.Cgroup(f"sbx_{limits.owner_pid or os.getpid()}_{limits.slot}", memory_bytes=limits.cgroup_mem_mb * 2**20, processes=limits.nproc)
    pipes = _Pipes.open()
    root = sandbox_fs.plan_root(kit_package=os.path.dirname(os.path.dirname(os.path.abspath(__file__))), hide=tuple(limits.hide))
    _flush()
    started = time.monotonic()
    parent = os.getpid()
    a = os.fork()
    if a == 0:
        _process_a(fn, args, limits, uid, root, pipes, secret_fd, cgroup, parent)
    pipes.close_child_ends()
    pipes.close_broker_ends()
    os.close(pipes.control_w)
    caps = {pipes.result_r: limits.result_cap + 1, pipes.output_r: limits.out_cap, pipes.control_r: limits.result_cap + 4096}
    buffers, truncated, timed_out = _drain(caps, pipes.output_r, started + limits.wall_s)
    if timed_out:
        # Killing the namespace's PID 1 takes every descendant along; killing A
        # too covers a timeout before A could say who PID 1 is (B dies with A).
        _kill(_parse_control(bytes(buffers[pipes.control_r])).get("P"))
        _kill(a)
    _wait(a)
    messages = _parse_control(bytes(buffers[pipes.control_r]) + _read_rest(pipes.control_r))
    pipes.close_parent_ends()
    oom_kills = cgroup.oom_kills()
    cgroup.remove()
    if "E" in messages:
        return Result("crash", output=bytes(buffers[pipes.output_r]), detail="sandbox setup failed: " + messages["E"])
    result = _classify(messages.get("S"), bytes(buffers[pipes.result_r]), bytes(buffers[pipes.output_r]), truncated, timed_out, limits, time.monotonic() - started, oom=oom_kills)
    result.committed = messages.get("C")
    return result


def _run_reduced(fn, args, limits: Limits, secret_fd) -> Result:
    """Without root: a child in its own session with rlimits, killed as a group."""
    pipes = _Pipes.open()
    work = tempfile.mkdtemp(prefix="sandbox-")
    _flush()
    started = time.monotonic()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        _die_with_parent(parent)
        pipes.close_parent_ends()
        os.close(pipes.control_w)
        pipes.close_broker_ends()
        _enter_workdir(work)
        _confine_and_call(fn, args, limits, pipes, secret_fd is not None, uid=None)
    pipes.close_child_ends()
    os.close(pipes.control_w)
    os.close(pipes.control_r)
    broker = _Broker(pipes.request_r, pipes.reply_w, secret_fd, limits.result_cap) if secret_fd is not None else None
    caps = {pipes.result_r: limits.result_cap + 1, pipes.output_r: limits.out_cap}
    handlers = {pipes.request_r: broker.feed} if broker else {}
    buffers, truncated, timed_out = _drain(caps, pipes.output_r, started + limits.wall_s, handlers=handlers)
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
    result = _classify(status, bytes(buffers[pipes.result_r]), bytes(buffers[pipes.output_r]), truncated, timed_out, limits, time.monotonic() - started, oom=0)
    result.committed = broker.commit if broker else None
    return result


@dataclass
class _Pipes:
    """result: C -> parent; output: C's stdout/stderr; control: A and B -> parent;
    request/reply: C <-> the broker (B, or the parent in reduced mode)."""

    result_r: int
    result_w: int
    output_r: int
    output_w: int
    control_r: int
    control_w: int
    request_r: int
    request_w: int
    reply_r: int
    reply_w: int

    @classmethod
    def open(cls) -> "_Pipes":
        fds = []
        for _ in range(5):
            fds.extend(os.pipe())
        return cls(*fds)

    def close_child_ends(self) -> None:
        for fd in (self.result_w, self.output_w, self.request_w, self.reply_r):
            os.close(fd)

    def close_broker_ends(self) -> None:
        for fd in (self.request_r, self.reply_w):
            os.close(fd)

    def close_parent_ends(self) -> None:
        for fd in (self.result_r, self.output_r, self.control_r):
            os.close(fd)


def _drain(caps: dict, output_fd: int, deadline: float, *, handlers: dict | None = None):
    """Read every fd until all close or the deadline; keep at most caps[fd] bytes.

    Chunks from fds in ``handlers`` go to their handler instead of a buffer.
    Returns (buffers, output truncated?, timed out?).
    """
    handlers = handlers or {}
    open_fds = set(caps) | set(handlers)
    for fd in open_fds:
        os.set_blocking(fd, False)
    buffers = {fd: bytearray() for fd in caps}
    truncated = False
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            return buffers, truncated, True
        ready, _, _ = select.select(list(open_fds), [], [], min(left, 0.5))
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if fd in handlers:
                if not handlers[fd](chunk):  # the handler is done with (and closed) its fd
                    open_fds.discard(fd)
                continue
            else:
                room = caps[fd] - len(buffers[fd])
                buffers[fd] += chunk[:max(room, 0)]
                truncated |= fd == output_fd and len(chunk) > room  # keep draining, drop the excess
            if not chunk:
                open_fds.discard(fd)
    return buffers, truncated, False


def _parse_control(buffer: bytes) -> dict:
    """Control messages: P + B's pid, C + a commit, S + C's wait status, E + setup error text."""
    messages, at = {}, 0
    while at < len(buffer):
        tag = chr(buffer[at])
        if tag == "E":
            messages["E"] = buffer[at + 1:].decode(errors="replace")
            break
        if tag == "C":
            if at + 1 + _LENGTH.size > len(buffer):
                break
            (size,) = _LENGTH.unpack_from(buffer, at + 1)
            start = at + 1 + _LENGTH.size
            if start + size > len(buffer):
                break
            messages["C"] = buffer[start:start + size]
            at = start + size
            continue
        if at + 1 + _STATUS.size > len(buffer):
            break
        (messages[tag],) = _STATUS.unpack_from(buffer, at + 1)
        at += 1 + _STATUS.size
    return messages


def _read_rest(fd: int) -> bytes:
    """What is left in a pipe whose writers are gone."""
    os.set_blocking(fd, False)
    rest = bytearray()
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        rest += chunk
    return bytes(rest)


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


def _classify(status, result: bytes, output: bytes, truncated: bool, timed_out: bool, limits: Limits, elapsed: float, *, oom: int) -> Result:
    """Turn the student process's wait status and result bytes into a Result."""
    outcome = Result("crash", output=output, output_truncated=truncated, elapsed=elapsed)
    if status is not None:
        outcome.exit_code = os.waitstatus_to_exitcode(status)
    signal_number = os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None
    tag = result[:1]
    if timed_out:
        outcome.status, outcome.detail = "timeout", f"took longer than {limits.wall_s:g} s"
    elif oom:
        outcome.status, outcome.detail = "memory", "killed for using more than its memory cap"
    elif tag == b"O" and outcome.exit_code == 0:
        outcome.status, outcome.data = "ok", result[1:]
    elif tag == b"M":
        outcome.status, outcome.detail = "memory", "ran out of its memory cap (MemoryError)"
    elif tag == b"E":
        outcome.status, outcome.data, outcome.detail = "error", result[1:], "exception in submission"
    elif tag == b"S":
        outcome.detail = result[1:].decode(errors="replace")
    elif signal_number == signal.SIGXCPU or (signal_number == signal.SIGKILL and elapsed >= limits.cpu_s):
        outcome.status, outcome.detail = "timeout", "CPU time limit"
    elif signal_number in (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT):
        outcome.status, outcome.detail = "crash", f"killed by {signal.Signals(signal_number).name}"
    elif signal_number is not None:
        outcome.status, outcome.detail = "signal", f"killed by {signal.Signals(signal_number).name}"
    else:
        outcome.detail = f"exited with code {outcome.exit_code} before reporting"
    return outcome


# A: root, joins the cgroup, makes the namespaces and the root filesystem -----------------------------


def _process_a(fn, args, limits: Limits, uid: int, root: sandbox_fs.RootPlan, pipes: _Pipes, secret_fd, cgroup, parent: int) -> None:
    """Never returns."""
    try:
        for fd in (pipes.result_r, pipes.output_r, pipes.control_r):
            os.close(fd)
        keep = {0, 1, 2, pipes.result_w, pipes.output_w, pipes.control_w, pipes.request_r, pipes.request_w, pipes.reply_r, pipes.reply_w}
        if secret_fd is not None:
            keep.add(secret_fd)
        _close_all_but(keep)  # other sandboxes' pipes, the worker's own connection, ...
        _die_with_parent(parent)
        cgroup.join()
        _unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET)
        work = sandbox_fs.build_root(root, tmpfs_mb=limits.tmpfs_mb, uid=uid)
        b = os.fork()
        if b == 0:
            _process_b(fn, args, limits, uid, work, pipes, secret_fd)
        for fd in (pipes.result_w, pipes.output_w, pipes.request_r, pipes.request_w, pipes.reply_r, pipes.reply_w):
            os.close(fd)
        os.write(pipes.control_w, b"P" + _STATUS.pack(b))
        os.waitpid(b, 0)
        os._exit(0)
    except BaseException as error:
        _report_setup_failure(pipes.control_w, error)


def _unshare(flags: int) -> None:
    check(libc.unshare(flags), "unshare")


def _die_with_parent(parent: int | None) -> None:
    """SIGKILL this process when its parent ends; ``parent``: exit now if it already has."""
    check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    if parent is not None and os.getppid() != parent:  # it died before the prctl took hold
        os._exit(70)


def _close_all_but(keep: set[int]) -> None:
    edges = [-1, *sorted(keep), 65536]
    for low, high in zip(edges, edges[1:]):
        if low + 1 < high:  # closerange(n, n) would close every fd from n up (close_range with last = -1)
            os.closerange(low + 1, high)


def _report_setup_failure(control_w: int, error: BaseException) -> None:
    try:
        os.write(control_w, b"E" + repr(error).encode()[:500])
    finally:
        os._exit(70)


# B: PID 1 of the namespace; reaps, reports, brokers. Runs no student code. --------------------------


def _process_b(fn, args, limits: Limits, uid: int, work: str, pipes: _Pipes, secret_fd) -> None:
    """Never returns."""
    try:
        _die_with_parent(None)  # A dies with the worker, B with A: the namespace never outlives its grader
        sandbox_fs.mount_proc()
        c = os.fork()
        if c == 0:
            os.close(pipes.control_w)
            os.close(pipes.request_r)
            os.close(pipes.reply_w)
            if secret_fd is not None:
                os.close(secret_fd)
            _enter_workdir(work)
            _confine_and_call(fn, args, limits, pipes, secret_fd is not None, uid=uid)
        for fd in (pipes.result_w, pipes.output_w, pipes.request_w, pipes.reply_r):
            os.close(fd)
        report = lambda commit: _write_all(pipes.control_w, b"C" + _LENGTH.pack(len(commit)) + commit)
        broker = _Broker(pipes.request_r, pipes.reply_w, secret_fd, limits.result_cap, on_commit=report) if secret_fd is not None else None
        if broker is None:
            pipes.close_broker_ends()
        status = _serve_until_exit(c, broker)
        os.write(pipes.control_w, b"S" + _STATUS.pack(status))
        os._exit(0)  # PID 1 exits: the kernel kills everything left in the namespace
    except BaseException as error:
        _report_setup_failure(pipes.control_w, error)


def _serve_until_exit(child: int, broker: "_Broker | None") -> int:
    """Broker the commit and reap orphans until ``child`` ends; return its wait status."""
    child_fd = os.pidfd_open(child)
    while True:
        watched = [child_fd] + ([broker.request_r] if broker and not broker.closed else [])
        ready, _, _ = select.select(watched, [], [], 0.2)  # the timeout only paces orphan reaping
        if broker and not broker.closed and broker.request_r in ready:
            broker.feed(os.read(broker.request_r, 65536))
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if pid == 0:
                break
            if pid == child:
                return status


class _Broker:
    """Takes one commit from the request pipe, records it, then writes the secret to the reply pipe."""

    def __init__(self, request_r: int, reply_w: int, secret_fd: int, cap: int, *, on_commit: Callable[[bytes], None] | None = None):
        self.request_r, self.reply_w, self.secret_fd, self.cap = request_r, reply_w, secret_fd, cap
        self.on_commit = on_commit
        self.buffer = bytearray()
        self.commit: bytes | None = None
        self.closed = False

    def feed(self, chunk: bytes) -> bool:
        """Take bytes read from the request pipe (b"" at its end); False once done."""
        if self.closed:
            return False
        self.buffer += chunk
        if len(self.buffer) >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(self.buffer)
            if size > self.cap:
                self.close()  # refused: C sees the reply pipe close empty
            elif len(self.buffer) >= _LENGTH.size + size:
                self.commit = bytes(self.buffer[_LENGTH.size:_LENGTH.size + size])
                if self.on_commit:
                    self.on_commit(self.commit)  # recorded before anything is revealed
                secret = _read_secret(self.secret_fd)
                _write_all(self.reply_w, _LENGTH.pack(len(secret)) + secret)
                self.close()
        if not chunk:
            self.close()
        return not self.closed

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.request_r)
            os.close(self.reply_w)


def _read_secret(fd: int) -> bytes:
    secret = os.pread(fd, SECRET_CAP + 1, 0)
    if len(secret) > SECRET_CAP:
        raise ValueError(f"the secret is over {SECRET_CAP} bytes")
    return secret


# C: the student process --------------------------------------------------------------------------------


def _confine_and_call(fn, args, limits: Limits, pipes: _Pipes, with_reveal: bool, *, uid: int | None) -> None:
    """Drop what the student must not have, then run fn. Never returns."""
    try:
        keep = {pipes.result_w, pipes.request_w, pipes.reply_r} if with_reveal else {pipes.result_w}
        _redirect_output(pipes.output_w, keep)
        if uid is not None:
            sandbox_limits.drop_privileges(uid)
            sandbox_limits.install_seccomp()
        sandbox_limits.set_rlimits(address_space_extra_mb=limits.as_extra_mb, cpu_s=limits.cpu_s, file_mb=limits.fsize_mb, open_files=limits.nofile, processes=limits.nproc)
    except BaseException as error:
        os.write(pipes.result_w, b"S" + f"sandbox setup failed: {error!r}".encode())
        os._exit(70)
    if with_reveal:
        args = (*args, _reveal_function(pipes.request_w, pipes.reply_r))
    _call_and_report(fn, args, pipes.result_w)


def _redirect_output(output_w: int, keep: set[int]) -> None:
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output_w, 1)
    os.dup2(output_w, 2)
    os.close(null)
    os.close(output_w)
    _close_all_but({0, 1, 2} | keep)


def _enter_workdir(work: str) -> None:
    os.chdir(work)
    os.environ.update(HOME=work, TMPDIR=work, MPLCONFIGDIR=work)
    tempfile.tempdir = work


def _reveal_function(request_w: int, reply_r: int) -> Callable[[bytes], bytes]:
    used = []

    def reveal(commit: bytes) -> bytes:
        """Hand ``commit`` to the grader, then receive the secret."""
        if used:
            raise RevealRefused("reveal() may be called once per sandbox")
        used.append(True)
        try:
            _write_all(request_w, _LENGTH.pack(len(commit)) + bytes(commit))
        except BrokenPipeError as error:
            raise RevealRefused("the grader refused the commit (is it over the result cap?)") from error
        os.close(request_w)
        (size,) = _LENGTH.unpack(_read_exact(reply_r, _LENGTH.size))
        secret = _read_exact(reply_r, size)
        os.close(reply_r)
        return secret

    return reveal


def _read_exact(fd: int, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise RevealRefused("the grader refused the commit (is it over the result cap?)")
        data += chunk
    return bytes(data)


def _call_and_report(fn, args, result_w: int) -> None:
    """Run fn, write a tagged result, exit. Never returns."""
    tag, payload, me = b"X", b"", os.getpid()
    try:
        out = fn(*args)
        tag, payload = b"O", out if isinstance(out, (bytes, bytearray)) else str(out).encode()
    except MemoryError:
        tag = b"M"
    except BaseException as error:
        message = "".join(traceback.format_exception(error))
        tag = b"M" if "can't allocate memory" in message else b"E"  # torch's allocator error
        payload = message.encode(errors="replace")
    if os.getpid() != me:  # a fork made by student code returned through here
        os._exit(0)
    _flush()
    try:
        _write_all(result_w, tag + bytes(payload))
    except OSError:
        os._exit(71)
    os._exit(0)


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data):]


def _flush() -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
