"""Each defence of the sandbox, alone: with it the attack fails, without it the same attack works.

``Limits.without`` leaves one defence out. Every test runs an attack twice,
in a sandbox with every defence and in one without the defence under test,
so a defence that stops nothing (or an attack that never ran) fails here.
Both isolated modes run: as root, and rootless as an ordinary user (CI runs
as root: ``tests.unprivileged`` drops to a plain uid for the second).
"""

from __future__ import annotations

import ctypes
import mmap
import os
import random
import socket
import time
from dataclasses import dataclass
from typing import Callable

import pytest

from autograder import sandbox
from autograder.sandbox import cgroups
from tests.sandbox_modes import MODES, in_mode
from tests.unprivileged import TEST_UID, as_user

COUNTED_UID = TEST_UID - 1  # the process-cap test's own uid
CGROUP = pytest.mark.skipif(
    os.geteuid() != 0 or "pids" not in cgroups._v1_bases(),
    reason="no writable cgroup (v1 or delegated v2) on this host",
)


def _socket() -> bytes:
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return b"blocked"
    return b"succeeded"


def _mount() -> bytes:
    libc = ctypes.CDLL(None, use_errno=True)
    os.mkdir("over")
    return b"succeeded" if libc.mount(b"tmpfs", b"over", b"tmpfs", 0, None) == 0 else b"blocked"


def _no_new_privs() -> bytes:
    flag = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("NoNewPrivs:"))
    return b"blocked" if flag == "1" else b"succeeded"  # 0: an exec'd setuid program would gain privileges


def _fork(count: int) -> Callable[[], bytes]:
    def attack() -> bytes:
        children = []
        try:
            for _ in range(count):
                pid = os.fork()
                if pid == 0:
                    time.sleep(5)
                    os._exit(0)
                children.append(pid)
        except OSError:
            return b"blocked"
        finally:
            for pid in children:
                os.kill(pid, 9)
        return b"succeeded"

    return attack


def _map_address_space() -> bytes:
    try:
        mmap.mmap(-1, 3 * 2**30)  # reserved, never touched: only the address-space cap can refuse it
    except (OSError, MemoryError):
        return b"blocked"
    return b"succeeded"


def _spin_cpu() -> bytes:
    started = time.process_time()
    while time.process_time() - started < 2:  # twice the 1 s cap
        pass
    return b"succeeded"


def _write_file() -> bytes:
    try:
        with open("big", "wb") as handle:
            handle.write(b"x" * (2 * 2**20))
    except OSError:
        return b"blocked"
    return b"succeeded"


def _open_files() -> bytes:
    handles = []
    try:
        for _ in range(100):
            handles.append(open("/dev/null"))
    except OSError:
        return b"blocked"
    return b"succeeded"


def _print_a_lot() -> bytes:
    os.write(1, b"y" * (200 * 1024))
    return b"done"


def _fill_memory() -> bytes:
    """Two children touch 400 MiB each: under each process's address-space cap, over a 512 MiB sandbox."""
    children = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            block = bytearray(400 * 2**20)
            block[::4096] = b"x" * len(block[::4096])
            time.sleep(3)
            os._exit(0)
        children.append(pid)
    return (
        b"succeeded" if all(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0 for pid in children) else b"blocked"
    )


def _said(result: sandbox.Result) -> bool:
    return result.status == "ok" and result.data == b"succeeded"


@dataclass(frozen=True)
class Attack:
    fn: Callable[[], bytes]
    succeeded: Callable[[sandbox.Result], bool] = _said
    limits: dict = None


ATTACKS = {
    "seccomp": Attack(_socket),
    "privileges": Attack(_mount),
    "no_new_privs": Attack(_no_new_privs),
    # 36 children: over RLIMIT_NPROC (32), under the pids cgroup (40), so this is the rlimit alone
    "rlimit_nproc": Attack(_fork(36)),
    "rlimit_as": Attack(_map_address_space, limits={"as_extra_mb": 512}),
    # 2 CPU-s took over 30 s of wall clock on two cores at load 10: the wall limit must not end it first
    "rlimit_cpu": Attack(_spin_cpu, limits={"cpu_s": 1, "wall_s": 120}),
    "rlimit_fsize": Attack(_write_file, limits={"fsize_mb": 1}),
    "rlimit_nofile": Attack(_open_files),
    "output_cap": Attack(
        _print_a_lot, succeeded=lambda result: len(result.output) >= 200 * 1024 and not result.output_truncated
    ),
}
CGROUP_ATTACKS = {
    # the pids cap with RLIMIT_NPROC out of the way: 45 children over pids.max (40)
    "cgroup": Attack(_fork(45), limits={"without": frozenset({"rlimit_nproc"})}),
}
MEMORY_ATTACK = Attack(
    _fill_memory,
    succeeded=lambda result: _said(result) and result.status != "memory",
    limits={"cgroup_mem_mb": 512, "as_extra_mb": 1024},
)


def _attack(mode: str, attack: Attack, without: frozenset) -> dict:
    def job() -> dict:
        assert sandbox.current_mode().name == mode, sandbox.current_mode().describe()
        overrides = dict(attack.limits or {})
        limits = sandbox.Limits(
            wall_s=overrides.pop("wall_s", 20), without=overrides.pop("without", frozenset()) | without, **overrides
        )
        result = sandbox.run_sandboxed(attack.fn, limits=limits)
        return {
            "succeeded": attack.succeeded(result),
            "result": f"{result.status} {result.detail} {result.data[:300]!r}",
        }

    return in_mode(mode, job)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("defence", sorted(ATTACKS))
def test_each_defence_alone_stops_its_attack(mode, defence):
    attack = ATTACKS[defence]
    defended = _attack(mode, attack, frozenset())
    undefended = _attack(mode, attack, frozenset({defence}))
    assert not defended["succeeded"], f"the attack on {defence} got through: {defended['result']}"
    assert undefended["succeeded"], (
        f"without {defence} the attack should work (else this test proves nothing): {undefended['result']}"
    )


@CGROUP
@pytest.mark.parametrize("defence", sorted(CGROUP_ATTACKS))
def test_the_pids_cgroup_alone_stops_a_fork_bomb(defence):
    attack = CGROUP_ATTACKS[defence]
    assert not _attack("root", attack, frozenset())["succeeded"]
    assert _attack("root", attack, frozenset({"cgroup"}))["succeeded"]


@CGROUP
def test_the_memory_cgroup_alone_stops_a_sandbox_that_fills_memory():
    defended = _attack("root", MEMORY_ATTACK, frozenset())
    assert not defended["succeeded"] and defended["result"].startswith("memory"), defended
    assert _attack("root", MEMORY_ATTACK, frozenset({"cgroup"}))["succeeded"]


# IPC: a segment one sandbox makes is not another's, and does not outlive it ----------------------


def _shm(key: int, create: bool) -> bytes:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    ipc_creat = 0o1000
    ident = libc.shmget(key, 4096, (ipc_creat | 0o600) if create else 0o600)
    if ident < 0:
        return b"absent" if ctypes.get_errno() == 2 else f"refused {ctypes.get_errno()}".encode()
    address = libc.shmat(ident, None, 0)
    if create:
        ctypes.memmove(address, b"reference functions", 19)
        return b"written"
    return ctypes.string_at(address, 19)


def _host_has_segment(key: int) -> bool:
    with open("/proc/sysvipc/shm") as table:
        return any(line.split()[0] == str(key) for line in table.readlines()[1:])


def _remove_segment(key: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    ident = libc.shmget(key, 0, 0)
    if ident >= 0:
        libc.shmctl(ident, 0, None)  # IPC_RMID


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ipc_namespace", [True, False], ids=["with", "without"])
def test_shared_memory_stays_in_its_sandbox_and_goes_with_it(mode, ipc_namespace):
    key = random.randrange(1 << 20, 1 << 30)
    # Where no memory cgroup counts a sandbox the filter refuses SysV IPC too: leave it out, so the namespace alone is
    # tried.
    without = frozenset({"seccomp"}) if ipc_namespace else frozenset({"seccomp", "ipc_namespace"})

    def job() -> dict:
        limits = sandbox.Limits(wall_s=20, without=without)
        first = sandbox.run_sandboxed(_shm, key, True, limits=limits)
        second = sandbox.run_sandboxed(_shm, key, False, limits=limits)
        left = _host_has_segment(key)
        _remove_segment(key)
        return {"first": first.data.decode(), "second": second.data.decode(errors="replace"), "left": left}

    seen = in_mode(mode, job)
    assert seen["first"] == "written"
    if ipc_namespace:
        assert (seen["second"], seen["left"]) == ("absent", False)
    else:
        assert (seen["second"], seen["left"]) == ("reference functions", True)


# Keyrings: per uid, and they outlive processes ------------------------------------------------------

_ADD_KEY, _KEYCTL = 248, 250  # x86_64 syscall numbers
_KEY_SPEC_USER_KEYRING = -4
_KEYCTL_REVOKE, _KEYCTL_SEARCH, _KEYCTL_READ = 3, 10, 11


def _key(name: bytes, add: bool) -> bytes:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if add:
        data = b"reference functions"
        ident = libc.syscall(
            ctypes.c_long(_ADD_KEY),
            b"user",
            name,
            data,
            ctypes.c_size_t(len(data)),
            ctypes.c_int(_KEY_SPEC_USER_KEYRING),
        )
        return b"added" if ident >= 0 else b"refused"
    ident = libc.syscall(ctypes.c_long(_KEYCTL), _KEYCTL_SEARCH, ctypes.c_int(_KEY_SPEC_USER_KEYRING), b"user", name, 0)
    if ident < 0:
        return b"absent"
    buffer = ctypes.create_string_buffer(64)
    size = libc.syscall(ctypes.c_long(_KEYCTL), _KEYCTL_READ, ctypes.c_long(ident), buffer, 64)
    libc.syscall(ctypes.c_long(_KEYCTL), _KEYCTL_REVOKE, ctypes.c_long(ident))
    return buffer.raw[: max(size, 0)]


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="syscall numbers for x86_64")
@pytest.mark.parametrize("seccomp", [True, False], ids=["with", "without"])
def test_a_key_one_sandbox_adds_never_reaches_the_next_of_its_uid(seccomp):
    """As root, sandboxes of one slot share a uid, and so its keyring: seccomp refuses keyrings.
    (Rootless, each sandbox's user namespace has keyrings of its own as well.)"""
    name = f"leak-{random.randrange(1 << 30)}".encode()
    without = frozenset() if seccomp else frozenset({"seccomp"})

    def job() -> dict:
        limits = sandbox.Limits(wall_s=20, without=without)
        first = sandbox.run_sandboxed(_key, name, True, limits=limits)
        second = sandbox.run_sandboxed(_key, name, False, limits=limits)
        return {"first": first.data.decode(), "second": second.data.decode(errors="replace")}

    seen = in_mode("root", job)
    if seccomp:
        assert seen == {"first": "refused", "second": "absent"}
    else:
        assert seen == {"first": "added", "second": "reference functions"}


def test_reduced_mode_caps_new_processes_not_the_tas_existing_ones():
    """Reduced mode keeps the TA's uid, whose other processes count against RLIMIT_NPROC: the cap is on top of them."""
    from autograder.sandbox.reduced import run_reduced

    def job() -> dict:
        def hold() -> None:
            time.sleep(600)  # killed below; on a loaded machine 30 s ran out mid-test and freed room under the cap

        held = [os.fork() or (hold(), os._exit(0)) for _ in range(40)]  # the TA's other processes
        try:
            few = run_reduced(_fork(8), (), sandbox.Limits(wall_s=20), None)
            many = run_reduced(_fork(36), (), sandbox.Limits(wall_s=20), None)
        finally:
            for pid in held:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
        return {"few": few.data.decode(), "many": many.data.decode()}

    # A uid no other test runs as: processes of a parallel test's run ending mid-job would free room under the cap.
    outcome = as_user(job, timeout=120, uid=COUNTED_UID) if os.geteuid() == 0 else None
    if outcome is None:
        pytest.skip("needs root to switch to an ordinary user")
    assert outcome.result == {"few": "succeeded", "many": "blocked"}, outcome
