"""Run one function on untrusted code in a forked, isolated child.

Built for a warmed parent (torch, numpy, matplotlib already imported): a fork
costs milliseconds where a fresh interpreter costs seconds.

parent --fork--> A (root, host pid ns): joins cgroup, unshare(NEWPID|NEWNS|NEWNET), builds mounts
   A --fork--> B (root, pid 1 of the new ns = tiny init): mounts /proc, reaps orphans
      B --fork--> C (pid 2): stdout/err -> pipe, drops to uid 61000+slot, NO_NEW_PRIVS,
                  seccomp (no non-AF_UNIX sockets, no new namespaces), rlimits, runs fn(), writes result bytes to a pipe
A sends B's host pid over a control pipe; B sends C's raw wait status. When C ends, B exits and the
kernel SIGKILLs everything left in the namespace; on wall timeout the parent SIGKILLs B (same effect):
setsid()/double-forked daemons included. C is not pid 1, so it has normal signal semantics.

Full isolation needs root with CAP_SYS_ADMIN (as on the course servers and
CI). Elsewhere ``run_sandboxed`` falls back to a reduced mode: its own session,
rlimits, and the whole process group killed at the end; see README "Security
model" for what each mode enforces.
"""
import ctypes, errno, os, resource, select, signal, struct, sys, time
from dataclasses import dataclass, field

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
SANDBOX_UID_BASE = 61000          # uid = base + slot; no passwd entry needed
CG_V1 = "/sys/fs/cgroup"          # v1 controllers 'memory', 'pids'; v2 at /sys/fs/cgroup/unified


@dataclass
class Limits:
    wall_s: float = 10.0
    cpu_s: int = 10               # RLIMIT_CPU soft (SIGXCPU), hard = soft+1 (SIGKILL)
    as_extra_mb: int = 1024       # RLIMIT_AS = VmSize-at-fork + this
    cgroup_mem_mb: int = 1536     # whole-tree RSS limit via cgroup v1 memory (if available)
    fsize_mb: int = 32
    nofile: int = 64
    nproc: int = 32               # effective only because we drop root
    tmpfs_mb: int = 128           # private /tmp (also the work dir)
    out_cap: int = 64 * 1024      # stdout+stderr kept; the rest is drained and discarded
    result_cap: int = 1 << 20
    hide: tuple = ()              # paths to cover with an empty root-only tmpfs
    slot: int = 0                 # distinct uid per concurrently running sandbox


@dataclass
class Result:
    status: str                   # ok | error | timeout | memory | crash | signal
    data: bytes = b""             # fn's return value (bytes), or traceback text for 'error'
    output: bytes = b""
    output_truncated: bool = False
    exit_code: int | None = None  # B's exit code, or -signal
    elapsed: float = 0.0
    detail: str = ""


# ---------------------------------------------------------------- helpers used inside the child
def _chk(rc, what):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")


def _mount(src, tgt, fstype=None, flags=0, data=None):
    b = lambda s: s.encode() if s else None
    _chk(libc.mount(b(src), b(tgt), b(fstype), ctypes.c_ulong(flags), b(data)), f"mount {tgt}")


def _setup_mounts(lim: Limits, uid: int) -> str:
    """Runs in A (root, fresh mount ns). Returns the work dir."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)               # never propagate back to host
    # stdlib/venv may live under /root (0700): re-expose only those trees after hiding /root
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cand = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, sys.executable, package)}
    covered = ("/root/", "/tmp/", "/var/tmp/")
    keep = sorted(p for p in cand if p.startswith(covered)
                  and not any(p.startswith(q + "/") for q in cand))
    fds = [(p, os.open(p, os.O_PATH)) for p in keep]
    for p in lim.hide:                                          # e.g. reference solutions
        if os.path.isdir(p):
            _mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0700")
    for d in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock"):  # world-writable places -> private, capped
        if os.path.isdir(d):
            _mount("tmpfs", d, "tmpfs", MS_NOSUID | MS_NODEV, f"size={lim.tmpfs_mb}m,mode=1777")
    if any(p.startswith("/root/") for p, _ in fds):
        _mount("tmpfs", "/root", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    # The interpreter and the kit's code stay visible, read-only, wherever they live.
    for p, fd in fds:
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(p, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(p), exist_ok=True); open(p, "w").close()
        _mount(f"/proc/self/fd/{fd}", p, None, MS_BIND | MS_REC)
        _mount(None, p, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        os.close(fd)
    work = "/tmp/work"
    os.mkdir(work, 0o700); os.chown(work, uid, uid)
    return work


def _seccomp():
    """Deny-list filter via libseccomp (ctypes): socket(domain != AF_UNIX) -> EPERM (AF_VSOCK etc.
    are not isolated by a netns), no new namespaces (unshare/setns, clone(CLONE_NEWUSER)),
    clone3 -> ENOSYS (glibc falls back to clone, where the flags can be checked)."""
    try:
        sc = ctypes.CDLL("libseccomp.so.2")
    except OSError:
        return False

    class Cmp(ctypes.Structure):
        _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                    ("a", ctypes.c_uint64), ("b", ctypes.c_uint64)]
    NE, MASKED_EQ = 1, 7
    ERR = lambda e: ctypes.c_uint32(0x00050000 | e)
    sc.seccomp_init.restype = ctypes.c_void_p
    ctx = ctypes.c_void_p(sc.seccomp_init(ctypes.c_uint32(0x7FFF0000)))     # default ALLOW
    rules = [("socket", ERR(errno.EPERM), [Cmp(0, NE, 1, 0)]),               # arg0 != AF_UNIX
             ("unshare", ERR(errno.EPERM), []), ("setns", ERR(errno.EPERM), []),
             ("clone", ERR(errno.EPERM), [Cmp(0, MASKED_EQ, 0x10000000, 0x10000000)]),
             ("clone3", ERR(errno.ENOSYS), [])]
    for name, act, cmps in rules:
        nr = sc.seccomp_syscall_resolve_name(name.encode())
        arr = (Cmp * max(len(cmps), 1))(*cmps)
        _chk(sc.seccomp_rule_add_array(ctx, act, nr, len(cmps), arr), f"seccomp rule {name}")
    _chk(sc.seccomp_load(ctx), "seccomp_load")
    sc.seccomp_release(ctx)
    return True


def _vmsize():
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024


def _write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def _init_B(fn, args, lim, uid, work, res_w, out_w, ctl_w):
    """pid 1 of the new pid ns, stays root, runs no student code. Never returns."""
    try:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)  # hides host pids
        c = os.fork()
        if c == 0:
            os.close(ctl_w)
            _run_C(fn, args, lim, uid, work, res_w, out_w)
        os.close(res_w); os.close(out_w)
        while True:                          # reap orphans until the student process is done
            pid, st = os.wait()
            if pid == c:
                os.write(ctl_w, b"S" + struct.pack("i", st))
                os._exit(0)                  # pid 1 exits -> kernel SIGKILLs the rest of the ns
    except BaseException as e:
        os.write(ctl_w, b"E" + repr(e).encode()[:500])
        os._exit(70)


def _redirect_output(out_w, keep_fd):
    nul = os.open("/dev/null", os.O_RDONLY)
    os.dup2(nul, 0); os.dup2(out_w, 1); os.dup2(out_w, 2)
    for fd in (nul, out_w):
        os.close(fd)
    os.closerange(3, keep_fd); os.closerange(keep_fd + 1, 4096)            # drop inherited fds


def _set_rlimits(lim: Limits) -> None:
    R = resource
    as_lim = _vmsize() + lim.as_extra_mb * 2**20
    for r, v in ((R.RLIMIT_AS, (as_lim, as_lim)), (R.RLIMIT_CPU, (lim.cpu_s, lim.cpu_s + 1)),
                 (R.RLIMIT_FSIZE, (lim.fsize_mb * 2**20,) * 2), (R.RLIMIT_NOFILE, (lim.nofile,) * 2),
                 (R.RLIMIT_NPROC, (lim.nproc,) * 2), (R.RLIMIT_CORE, (0, 0))):
        R.setrlimit(r, v)
    if "torch" in sys.modules:
        # If the parent ever ran a multi-threaded op, its OpenMP pool is dead after fork.
        sys.modules["torch"].set_num_threads(1)


def _enter_workdir(work):
    os.chdir(work)
    os.environ.update(HOME=work, TMPDIR=work, MPLCONFIGDIR=work)
    import tempfile; tempfile.tempdir = work


def _run_C(fn, args, lim, uid, work, res_w, out_w):
    """The student process (pid 2 of the ns): normal signal semantics. Never returns."""
    try:
        _redirect_output(out_w, res_w)
        _enter_workdir(work)
        os.setgroups([]); os.setgid(uid); os.setuid(uid)                    # caps are gone now
        _chk(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        _seccomp()
        _set_rlimits(lim)
    except BaseException as e:
        os.write(res_w, b"S" + f"sandbox setup failed: {e!r}".encode())
        os._exit(70)
    _call_and_report(fn, args, res_w)


def _run_C_reduced(fn, args, lim, work, res_w, out_w):
    try:
        _redirect_output(out_w, res_w)
        _enter_workdir(work)
        _set_rlimits(lim)
    except BaseException as e:
        os.write(res_w, b"S" + f"sandbox setup failed: {e!r}".encode())
        os._exit(70)
    _call_and_report(fn, args, res_w)


def _call_and_report(fn, args, res_w):
    """Run fn, write a tagged result to res_w, exit. Never returns."""
    tag, payload, me = b"X", b"", os.getpid()
    try:
        out = fn(*args)
        tag, payload = b"O", out if isinstance(out, (bytes, bytearray)) else str(out).encode()
    except MemoryError:
        tag = b"M"
    except BaseException as e:
        import traceback
        msg = "".join(traceback.format_exception(e))
        tag = b"M" if "can't allocate memory" in msg else b"E"   # torch's allocator error
        payload = msg.encode(errors="replace")
    if os.getpid() != me:         # a fork made by student code returned through us
        os._exit(0)
    try:
        sys.stdout.flush(); sys.stderr.flush()
    except Exception:
        pass
    try:
        _write_all(res_w, tag + bytes(payload))
    except OSError:
        os._exit(71)
    os._exit(0)


# ---------------------------------------------------------------- cgroup (optional, v1 here)
class _Cgroup:
    def __init__(self, name, mem_bytes, nproc):
        self.dirs = {}
        for ctl, files in (("memory", {"memory.limit_in_bytes": mem_bytes,
                                       "memory.memsw.limit_in_bytes": mem_bytes}),
                           ("pids", {"pids.max": nproc + 8})):
            d = f"{CG_V1}/{ctl}/{name}"
            try:
                os.makedirs(d, exist_ok=True)
                for f, v in files.items():
                    try:
                        open(f"{d}/{f}", "w").write(str(v))
                    except OSError:
                        pass
                self.dirs[ctl] = d
            except OSError:
                pass

    def join(self):                          # called in A before unshare
        for d in self.dirs.values():
            open(f"{d}/cgroup.procs", "w").write("0")

    def oom_kills(self):
        d = self.dirs.get("memory")
        if not d:
            return 0
        kv = open(f"{d}/memory.oom_control").read().split()
        return int(kv[kv.index("oom_kill") + 1]) if "oom_kill" in kv else 0

    def destroy(self):
        for d in self.dirs.values():
            for _ in range(200):             # procs may need a moment to be reaped
                try:
                    os.rmdir(d); break
                except OSError:
                    time.sleep(0.005)


# ---------------------------------------------------------------- parent side
def _parse_ctl(buf):
    """Control pipe: b'P'+pid(B) from A, b'S'+wait status(C) from B, or b'E'+text on setup failure."""
    msgs, i = {}, 0
    while i < len(buf):
        t = chr(buf[i])
        if t == "E":
            msgs["E"] = buf[i + 1:].decode(errors="replace"); break
        if i + 5 > len(buf):
            break
        msgs[t] = struct.unpack("i", buf[i + 1:i + 5])[0]; i += 5
    return msgs


def full_isolation_available() -> bool:
    """True when this process may create namespaces (root with CAP_SYS_ADMIN)."""
    return os.geteuid() == 0 and hasattr(os, "fork") and sys.platform.startswith("linux")


def run_sandboxed(fn, *args, limits: Limits | None = None) -> Result:
    """Run ``fn(*args)`` in an isolated child; return how it ended and its bytes."""
    lim = limits or Limits()
    if not full_isolation_available():
        return _run_reduced(fn, args, lim)
    uid = SANDBOX_UID_BASE + lim.slot
    cg = _Cgroup(f"sbx_{os.getpid()}_{lim.slot}", lim.cgroup_mem_mb * 2**20, lim.nproc)
    res_r, res_w = os.pipe(); out_r, out_w = os.pipe(); ctl_r, ctl_w = os.pipe()
    sys.stdout.flush(); sys.stderr.flush()
    t0 = time.monotonic()
    a = os.fork()
    if a == 0:                                                   # ---- A
        try:
            os.close(res_r); os.close(out_r); os.close(ctl_r)
            keep = sorted({0, 1, 2, res_w, out_w, ctl_w}) + [65536]
            for lo, hi in zip(keep, keep[1:]):
                os.closerange(lo + 1, hi)         # fds of other sandboxes, sockets, ...
            cg.join()
            _chk(libc.unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET), "unshare")
            work = _setup_mounts(lim, uid)
            b = os.fork()
            if b == 0:
                _init_B(fn, args, lim, uid, work, res_w, out_w, ctl_w)
            os.close(res_w); os.close(out_w)
            os.write(ctl_w, b"P" + struct.pack("i", b))
            os.waitpid(b, 0)
            os._exit(0)
        except BaseException as e:
            try:
                os.write(ctl_w, b"E" + repr(e).encode()[:500])
            finally:
                os._exit(70)
    os.close(res_w); os.close(out_w); os.close(ctl_w)
    bufs, truncated, timed_out = _drain({res_r: lim.result_cap + 1, out_r: lim.out_cap, ctl_r: 4096}, out_r, t0 + lim.wall_s)
    b_pid = _parse_ctl(bytes(bufs[ctl_r])).get("P")
    # SIGKILL to pid 1 of the namespace takes every descendant with it.
    if b_pid:
        try:
            os.kill(b_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.waitpid(a, 0)     # A exits right after B is reaped
    except ChildProcessError:
        pass
    os.set_blocking(ctl_r, False)
    while True:                         # collect A's last message (B's wait status)
        try:
            chunk = os.read(ctl_r, 4096)
        except BlockingIOError:
            break
        if not chunk:
            break
        bufs[ctl_r] += chunk
    msgs = _parse_ctl(bytes(bufs[ctl_r]))
    for fd in (res_r, out_r, ctl_r):
        os.close(fd)
    oom = cg.oom_kills()
    cg.destroy()
    if "E" in msgs:
        return Result("crash", output=bytes(bufs[out_r]), detail="sandbox setup failed: " + msgs["E"])
    return _classify(msgs.get("S"), bytes(bufs[res_r]), bytes(bufs[out_r]), truncated, timed_out, lim, time.monotonic() - t0, oom=oom)


def _drain(caps: dict, out_fd: int, deadline: float):
    """Read every fd in caps until all close or the deadline; keep at most caps[fd] bytes."""
    for fd in caps:
        os.set_blocking(fd, False)
    bufs = {fd: bytearray() for fd in caps}
    truncated, open_fds = False, set(caps)
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            return bufs, truncated, True
        ready, _, _ = select.select(list(open_fds), [], [], min(left, 0.5))
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                open_fds.discard(fd)
                continue
            room = caps[fd] - len(bufs[fd])
            bufs[fd] += chunk[:max(room, 0)]
            truncated |= fd == out_fd and len(chunk) > room       # keep draining, discard excess
    return bufs, truncated, False


def _classify(st, res: bytes, out: bytes, truncated: bool, timed_out: bool, lim: Limits, elapsed: float, *, oom: int) -> Result:
    """Turn the student process's wait status and result bytes into a Result."""
    r = Result("crash", output=out, output_truncated=truncated, elapsed=elapsed)
    if st is not None:
        r.exit_code = os.waitstatus_to_exitcode(st)
    sig = os.WTERMSIG(st) if st is not None and os.WIFSIGNALED(st) else None
    if timed_out:
        r.status, r.detail = "timeout", f"took longer than {lim.wall_s:g} s"
    elif oom:
        r.status, r.detail = "memory", "killed for using more than its memory cap"
    elif res[:1] == b"O" and r.exit_code == 0:
        r.status, r.data = "ok", res[1:]
    elif res[:1] == b"M":
        r.status, r.detail = "memory", "ran out of its memory cap (MemoryError)"
    elif res[:1] == b"E":
        r.status, r.data, r.detail = "error", res[1:], "exception in submission"
    elif res[:1] == b"S":
        r.detail = res[1:].decode(errors="replace")
    elif sig in (signal.SIGXCPU,) or (sig == signal.SIGKILL and elapsed >= lim.cpu_s):
        r.status, r.detail = "timeout", "CPU time limit"
    elif sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT):
        r.status, r.detail = "crash", f"killed by {signal.Signals(sig).name}"
    elif sig is not None:
        r.status, r.detail = "signal", f"killed by {signal.Signals(sig).name}"
    else:
        r.detail = f"exited with code {r.exit_code} before reporting"
    return r


def _run_reduced(fn, args, lim: Limits) -> Result:
    """Without root: a child in its own session with rlimits, killed as a group."""
    res_r, res_w = os.pipe()
    out_r, out_w = os.pipe()
    sys.stdout.flush(); sys.stderr.flush()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(res_r); os.close(out_r)
        os.setsid()
        work = tempfile_mkdtemp()
        _run_C_reduced(fn, args, lim, work, res_w, out_w)
    os.close(res_w); os.close(out_w)
    bufs, truncated, timed_out = _drain({res_r: lim.result_cap + 1, out_r: lim.out_cap}, out_r, t0 + lim.wall_s)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _, st = os.waitpid(pid, 0)
    for fd in (res_r, out_r):
        os.close(fd)
    return _classify(st, bytes(bufs[res_r]), bytes(bufs[out_r]), truncated, timed_out, lim, time.monotonic() - t0, oom=0)


def tempfile_mkdtemp() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="sandbox-")
