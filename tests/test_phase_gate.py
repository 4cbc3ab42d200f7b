"""The phase gate: a phase two runs alone on the host, so no phase one beside it can read what it was revealed.

The whole attack runs here: a phase two publishes the reference functions as
OFD locks on a standard-library file (one inode in every sandbox) and a phase
one beside it reads them. The seccomp filter (which refuses the locks) and the
gate (which keeps the two apart) each stop it alone; without both it crosses.
Then what the gate itself promises: a commit waiting for its turn leaves
nothing of its sandbox running, new phase ones wait behind a waiting commit,
and the student process never holds the gate. Both isolated modes run (root,
and rootless as an ordinary user).
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
import time
from typing import Callable

import pytest

from autograder import sandbox
from autograder.sandbox import phase_gate
from tests.corpus import channels
from tests.sandbox_modes import MODES, in_mode


@pytest.fixture(autouse=True)
def _shared_file_of_this_worker(worker_id):
    channels.use_file_of_worker(worker_id)


x86_64 = pytest.mark.skipif(os.uname().machine != "x86_64", reason="raw system call numbers for x86_64")


# The whole attack: phase two publishes by locks, a phase one beside it reads -------------------------
# Each runs at a phase gate of its own (``Limits.gate_folder``), so that no other sandbox on the host
# takes turns with it; the locks are the host's, on the shared file, as in an attack. The sandboxes see
# that file only with the memory view left out (with it, each sees copies of its own): the gate and the
# filter are tested here, each alone.
HOST_FILES = frozenset({"memory_view"})

SECRET = b'{"sigmoid": "def sigmoid(x):\\n    return 1 / (1 + torch.exp(-x.clamp(min=-60)))"}'


def _publish(reveal) -> bytes:
    return channels.publish_by_locks(reveal(b"{}")).encode()


def _read() -> bytes:
    return channels.read_locks()


def _with_secret(job: Callable[[int, str], dict]) -> dict:
    """``job(secret_fd, gate_folder)``, with a file holding SECRET and a folder for a gate of its own."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "secret")
        with open(path, "wb") as handle:
            handle.write(SECRET)
        secret_fd = os.open(path, os.O_RDONLY)
        try:
            return job(secret_fd, folder)
        finally:
            os.close(secret_fd)


def _steal(mode: str, without: frozenset) -> dict:
    """A publisher in phase two, then a reader in phase one once the locks are there (or the publisher has
    given up). Should the reader have to wait for its turn at the gate, the test (not a sandbox) tells the
    publisher to stop, which it then can."""

    def job(secret_fd: int, gate_folder: str) -> dict:
        limits = sandbox.Limits(wall_s=60, without=without | HOST_FILES, gate_folder=gate_folder)
        with open(channels.SHARED_FILE, "rb") as shared:
            published: dict = {}
            publisher = threading.Thread(
                target=lambda: published.update(
                    result=sandbox.run_sandboxed(_publish, limits=limits, secret_fd=secret_fd)
                )
            )
            publisher.start()
            deadline = time.monotonic() + 60
            while (
                publisher.is_alive()
                and not channels.marked(shared.fileno(), channels.DONE)
                and time.monotonic() < deadline
            ):
                time.sleep(0.01)  # locks announce nothing: look again
            waited = []

            def at_the_gate(waiting: bool) -> None:
                waited.append(waiting)
                if waiting:
                    channels.mark(shared.fileno(), channels.STOP)

            read = sandbox.run_sandboxed(_read, limits=limits, on_gate=at_the_gate)
            publisher.join()
        return {
            "stolen": read.data.decode(errors="replace"),
            "published": published["result"].data.decode(errors="replace"),
            "reader_waited": waited,
        }

    return in_mode(mode, lambda: _with_secret(job))


@x86_64
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "without", [(), ("seccomp",), ("phase_gate",)], ids=["defended", "gate_alone", "seccomp_alone"]
)
def test_a_secret_published_in_phase_two_never_reaches_a_phase_one(mode, without):
    seen = _steal(mode, frozenset(without))
    assert seen["stolen"] == "", seen
    if without == ("seccomp",):  # the locks were made: the gate alone kept the reader out until they were gone
        assert seen["published"] == "published" and seen["reader_waited"] == [True, False], seen
    else:
        assert seen["published"].startswith("closed: F_OFD_SETLK: Operation not permitted"), seen


@x86_64
@pytest.mark.parametrize("mode", MODES)
def test_without_both_defences_the_secret_crosses(mode):
    seen = _steal(mode, frozenset({"seccomp", "phase_gate"}))
    assert seen["stolen"] == SECRET.decode() and seen["published"] == "published", seen


def _commit_leaving_a_reader(reveal) -> bytes:
    """Phase one leaves a child reading locks, marks READY, and commits when the test says GO.
    Returns what the child read."""
    pipe_r, pipe_w = os.pipe()
    if os.fork() == 0:
        os.close(pipe_r)
        os.write(pipe_w, channels.read_locks(wait_s=60))
        os._exit(0)
    os.close(pipe_w)
    fd = os.open(channels.SHARED_FILE, os.O_RDONLY)
    channels.mark(fd, channels.READY)
    channels.wait_for(fd, (channels.GO,), 60)
    reveal(b"{}")
    read = b""
    while chunk := os.read(pipe_r, 65536):
        read += chunk
    return read


COMMITTING = channels.GO - 1  # a mark of this test's own: the publisher is about to commit


def _publish_briefly(reveal) -> bytes:
    channels.mark(os.open(channels.SHARED_FILE, os.O_RDONLY), COMMITTING)
    return channels.publish_by_locks(reveal(b"{}"), wait_s=3).encode()  # no ACK in 3 s: nobody read


def _steal_while_committing(mode: str, without: frozenset) -> dict:
    """Two sandboxes in phase one; the publisher commits first and waits for the other, which then commits
    too, its child still reading. The publisher's phase two begins while the other waits its turn."""

    def job(secret_fd: int, gate_folder: str) -> dict:
        limits = sandbox.Limits(
            wall_s=60, without=frozenset({"seccomp"}) | without | HOST_FILES, gate_folder=gate_folder
        )
        results: dict = {}
        with open(channels.SHARED_FILE, "rb") as shared:
            receiver = threading.Thread(
                target=lambda: results.update(
                    received=sandbox.run_sandboxed(_commit_leaving_a_reader, limits=limits, secret_fd=secret_fd)
                )
            )
            receiver.start()
            _look_until(lambda: channels.marked(shared.fileno(), channels.READY))
            turnstile = open(os.path.join(gate_folder, phase_gate.TURNSTILE), "rb")  # made by the receiver's entry
            publisher = threading.Thread(
                target=lambda: results.update(
                    published=sandbox.run_sandboxed(_publish_briefly, limits=limits, secret_fd=secret_fd)
                )
            )
            publisher.start()
            # The publisher's commit waits for the gate. Its entry to phase one took the turnstile for a moment too:
            # taken for its commit, that let the receiver commit first now and then, and the control then failed.
            _look_until(lambda: channels.marked(shared.fileno(), COMMITTING))
            _look_until(lambda: _locked_by_another(turnstile.fileno()))
            channels.mark(shared.fileno(), channels.GO)
            publisher.join()
            channels.mark(shared.fileno(), channels.STOP)  # the locks are gone: a child still waiting may end
            receiver.join()
            turnstile.close()
        return {
            "stolen": results["received"].data.decode(errors="replace"),
            "published": results["published"].data.decode(errors="replace"),
        }

    return in_mode(mode, lambda: _with_secret(job))


def _look_until(condition: Callable[[], bool], wait_s: float = 60) -> None:
    deadline = time.monotonic() + wait_s
    while not condition():  # locks announce nothing: look again
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _locked_by_another(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(fd, fcntl.LOCK_UN)
    return False


@x86_64
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stopped", [True, False], ids=["stopped", "not_stopped"])
def test_a_sandbox_waiting_for_its_turn_runs_nothing(mode, stopped):
    """A commit gives up its place in phase one while it waits: its sandbox is stopped meanwhile,
    so a child it left reading cannot read a phase two that goes first."""
    seen = _steal_while_committing(mode, frozenset() if stopped else frozenset({"stop_aside"}))
    if stopped:
        assert seen == {"stolen": "", "published": "published, never read"}
    else:
        assert seen == {"stolen": SECRET.decode(), "published": "published"}


def _gate_files_held(reveal) -> bytes:
    def held() -> list[str]:
        names = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                names.append(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                continue  # the listing's own descriptor, closed by now
        return [name for name in names if "autograder-phase" in name]

    before = held()
    reveal(b"{}")
    return json.dumps({"phase one": before, "phase two": held()}).encode()


@pytest.mark.parametrize("mode", MODES)
def test_the_student_process_never_holds_the_gate(mode):
    """Holding the gate's open file, it could let go of the gate in its phase two (had seccomp not refused it flock
    too)."""

    def job() -> dict:
        return _with_secret(
            lambda secret_fd, folder: json.loads(
                sandbox.run_sandboxed(
                    _gate_files_held, limits=sandbox.Limits(wall_s=20, gate_folder=folder), secret_fd=secret_fd
                ).data
            )
        )

    assert in_mode(mode, job) == {"phase one": [], "phase two": []}


# The gate's order, on its own -------------------------------------------------------------------------


def _asleep_in_flock(thread_id: int) -> bool:
    """Whether a thread of this process sleeps in flock (x86_64 call 73): waits for a lock."""
    with open(f"/proc/self/task/{thread_id}/stat") as stat, open(f"/proc/self/task/{thread_id}/syscall") as call:
        return stat.read().rsplit(")", 1)[1].split()[0] == "S" and call.read().split()[0] == "73"


@x86_64
def test_a_commit_waits_for_phase_ones_and_holds_new_ones_back(tmp_path):
    folder = str(tmp_path)
    running = phase_gate.PhaseGate.enter_phase_one(folder=folder)
    committing = phase_gate.PhaseGate.enter_phase_one(folder=folder)
    granted = threading.Event()

    def commit() -> None:
        committing.enter_phase_two()
        granted.set()

    committer = threading.Thread(target=commit)
    committer.start()
    native = _native_id(committer)
    deadline = time.monotonic() + 20
    while not _asleep_in_flock(native) and time.monotonic() < deadline:
        time.sleep(0.005)  # a thread's sleep in the kernel announces nothing
    assert not granted.is_set(), "phase two began beside a phase one"
    waits: list[bool] = []
    waiting = threading.Event()
    late: list = []

    def on_wait(now_waiting: bool) -> None:
        waits.append(now_waiting)
        waiting.set()

    newcomer = threading.Thread(
        target=lambda: late.append(phase_gate.PhaseGate.enter_phase_one(folder=folder, on_wait=on_wait))
    )
    newcomer.start()
    assert waiting.wait(20), "a phase one that came while a commit waited went ahead of it"
    running.close()  # the last phase one ends: the commit goes first, the newcomer still waits behind it
    assert granted.wait(20)
    assert waits == [True]
    committing.close()
    newcomer.join(20)
    assert waits == [True, False] and late
    late[0].close()


def _native_id(thread: threading.Thread) -> int:
    while thread.native_id is None:
        time.sleep(0.001)
    return thread.native_id


def test_a_gate_file_no_one_can_open_is_named_with_the_fix(tmp_path):
    (tmp_path / phase_gate.TURNSTILE).symlink_to("/etc/hostname")
    with pytest.raises(phase_gate.PhaseGateError, match=r"autograder-phase\.turnstile: .*chmod 666.*remove it"):
        phase_gate.PhaseGate.enter_phase_one(folder=str(tmp_path))
