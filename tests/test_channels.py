"""Channels between sandboxes: each closed by its defence, and open without it.

Every sandbox binds the same Python installation, so a standard-library file
is one inode for all of them, and for every other grading run on the host.
Locks, notifications and futexes on such a file, io_uring, the page cache and
/proc's view of the host could carry the reference functions from a phase two
to another sandbox's phase one. Each probe (``tests/corpus/channels.py``) runs
in a sandbox with every defence and in one without the defence that closes
it; both isolated modes run (root, and rootless as an ordinary user).

The whole attack, a phase two publishing to a phase one through such a
channel, and the phase gate that keeps the two apart, are ``tests/test_phase_gate.py``.
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import tempfile

import pytest

from autograder import sandbox
from tests.corpus import channels
from tests.sandbox_modes import MODES, in_mode


@pytest.fixture(autouse=True)
def _shared_file_of_this_worker(worker_id):
    channels.use_file_of_worker(worker_id)


# probe → (the function a sandbox runs, the defence that closes its channel)
PROBES = {
    "flock": (channels.flock_shared_file, "seccomp"),
    "ofd_lock": (channels.ofd_lock_shared_file, "seccomp"),
    "ofd_lock_command_above_32_bits": (functools.partial(channels.ofd_lock_shared_file, 1 << 32), "seccomp"),
    "dnotify": (channels.dnotify_shared_folder, "seccomp"),
    "inotify": (channels.inotify_shared_file, "seccomp"),
    "fanotify": (channels.fanotify_shared_file, "seccomp"),
    "shared_futex": (channels.shared_futex, "seccomp"),
    "io_uring_socket": (channels.io_uring_sockets, "seccomp"),
    "page_cache": (channels.page_cache_probes, "seccomp"),
    "host_proc": (channels.host_proc_files, "proc_subset"),
}
x86_64 = pytest.mark.skipif(os.uname().machine != "x86_64", reason="raw system call numbers for x86_64")


def _opened(verdict) -> bool:
    """A probe's verdict: one string, or one per family, file or probe; open if any is."""
    return verdict == channels.OPEN or isinstance(verdict, dict) and channels.OPEN in verdict.values()


@functools.lru_cache(maxsize=None)
def _probed(mode: str, without: frozenset) -> dict:
    """Every probe's verdict, all run in one sandbox (so a table of them costs two sandboxes per mode)."""

    def run_all() -> bytes:
        return json.dumps({name: probe() for name, (probe, _) in PROBES.items()}).encode()

    def job() -> dict:
        with (
            tempfile.TemporaryDirectory() as gate_folder
        ):  # a gate of its own: no waiting behind the host's other sandboxes
            result = sandbox.run_sandboxed(
                run_all, limits=sandbox.Limits(wall_s=60, without=without, gate_folder=gate_folder)
            )
        assert result.status == "ok", f"{result.status} {result.detail} {result.data[-2000:]!r}"
        return json.loads(result.data)

    return in_mode(mode, job)


@x86_64
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("probe", sorted(PROBES))
def test_each_channel_is_closed_by_its_defence(mode, probe):
    defence = PROBES[probe][1]
    defended = _probed(mode, frozenset())[probe]
    undefended = _probed(mode, frozenset({defence}))[probe]
    assert not _opened(defended), f"{probe} opened with every defence: {defended}"
    assert _opened(undefended), f"without {defence}, {probe} should open (else this test proves nothing): {undefended}"


@x86_64
@pytest.mark.parametrize("mode", MODES)
def test_io_uring_cannot_even_start(mode):
    assert _probed(mode, frozenset())["io_uring_socket"] == {"setup": "closed: io_uring_setup: Operation not permitted"}


def _x32_socket() -> bytes:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    result = libc.syscall(ctypes.c_long(0x40000000 | 41), 2, 1, 0)  # socket(AF_INET, SOCK_STREAM) by its x32 number
    return f"{result} {os.strerror(ctypes.get_errno())}".encode()


@x86_64
def test_the_x32_numbering_of_a_call_kills_the_process():
    """The filter checks x86_64 numbers; the same calls numbered for x32 would pass it unseen. It kills them."""
    result = in_mode("root", lambda: sandbox.run_sandboxed(_x32_socket, limits=sandbox.Limits(wall_s=20)))
    assert (result.status, result.detail) == ("signal", "killed by SIGSYS"), result.data


def test_the_sandbox_keeps_its_own_processes_in_proc():
    def look() -> bytes:
        return json.dumps(
            {
                "status": open("/proc/self/status").read(10),
                "pids": sorted(p for p in os.listdir("/proc") if p.isdigit()),
            }
        ).encode()

    seen = in_mode("root", lambda: json.loads(sandbox.run_sandboxed(look, limits=sandbox.Limits(wall_s=20)).data))
    assert seen["status"].startswith("Name:")
    assert seen["pids"] and len(seen["pids"]) <= 3  # B, the student process, and nothing of the host
