"""The sandbox on its own: commit-then-reveal, the allow-listed root, how runs end.

Each test forks a sandbox around a small function (no notebook, no torch
work), so they take milliseconds. Full isolation needs root on Linux; the
reduced mode, which any user gets, is checked for the same commit protocol.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from autograder import sandbox
from autograder.sandbox.reduced import run_reduced

FULL = pytest.mark.skipif(not sandbox.full_isolation_available(), reason="full isolation needs root on Linux")
LIMITS = sandbox.Limits(wall_s=20)
SECRET = b'{"sigmoid": "def sigmoid(x): ..."}'


@pytest.fixture
def secret_fd(tmp_path):
    path = tmp_path / "secret.json"
    path.write_bytes(SECRET)
    os.chmod(path, 0o600)
    fd = os.open(path, os.O_RDONLY)
    yield fd
    os.close(fd)


def _run(mode: str, fn, *args, secret_fd=None, limits=LIMITS) -> sandbox.Result:
    if mode == "full":
        return sandbox.run_sandboxed(fn, *args, limits=limits, secret_fd=secret_fd)
    return run_reduced(fn, args, limits, secret_fd)


MODES = [pytest.param("full", marks=FULL), "reduced"]


def _commit_then_use(prefix, reveal):
    secret = reveal(prefix + b" committed")
    return b"after: " + secret


def _reveal_twice(reveal):
    reveal(b"first")
    reveal(b"second")


def _never_reveals(reveal):
    return b"no commit"


def _commits_too_much(reveal):
    return reveal(b"x" * (LIMITS.result_cap + 1))


@pytest.mark.parametrize("mode", MODES)
def test_the_commit_comes_back_apart_from_what_follows_the_secret(mode, secret_fd):
    result = _run(mode, _commit_then_use, b"phase one", secret_fd=secret_fd)
    assert result.status == "ok", result.detail
    assert result.committed == b"phase one committed"
    assert result.data == b"after: " + SECRET


@pytest.mark.parametrize("mode", MODES)
def test_reveal_works_once(mode, secret_fd):
    result = _run(mode, _reveal_twice, secret_fd=secret_fd)
    assert result.status == "error" and b"RevealRefused" in result.data
    assert result.committed == b"first"


@pytest.mark.parametrize("mode", MODES)
def test_a_run_that_never_commits_has_no_commit(mode, secret_fd):
    result = _run(mode, _never_reveals, secret_fd=secret_fd)
    assert result.status == "ok" and result.committed is None


@pytest.mark.parametrize("mode", MODES)
def test_an_oversized_commit_is_refused_without_the_secret(mode, secret_fd):
    result = _run(mode, _commits_too_much, secret_fd=secret_fd)
    assert result.status == "error" and b"refused" in result.data
    assert result.committed is None


def _look_around(project: str) -> bytes:
    found = {"root": sorted(os.listdir("/")), "uid": os.getuid(), "cwd": os.getcwd()}
    for path in (project, "/proc/1/cmdline", "/home", "/var", "/sys/fs/cgroup"):
        found[path] = os.path.exists(path)
    try:
        with open(f"{project}/secret.json") as handle:
            found["read"] = handle.read()
    except OSError as error:
        found["read"] = type(error).__name__
    return json.dumps(found).encode()


@FULL
def test_the_sandbox_sees_an_allow_list_not_the_host(tmp_path, secret_fd):
    (tmp_path / "secret.json").write_bytes(SECRET)
    result = sandbox.run_sandboxed(_look_around, str(tmp_path), limits=LIMITS)
    assert result.status == "ok", result.detail
    seen = json.loads(result.data)
    assert seen["uid"] >= sandbox.SANDBOX_UID_BASE and seen["cwd"] == "/tmp/work"
    assert set(seen["root"]) <= {
        "bin",
        "dev",
        "etc",
        "lib",
        "lib32",
        "lib64",
        "libx32",
        "proc",
        "sbin",
        "tmp",
        "usr",
        *Path(os.sys.prefix).parts[1:2],
        *Path(sandbox.__file__).parts[1:2],
        *Path(os.sys.base_prefix).parts[1:2],
    }
    assert not seen[str(tmp_path)] and seen["read"] == "FileNotFoundError"
    assert not seen["/home"] and not seen["/var"] and not seen["/sys/fs/cgroup"]


def _spin():
    while True:
        pass


def _exit_hard():
    os._exit(3)


def _segfault():
    import ctypes

    ctypes.string_at(0)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "fn, status, detail",
    [
        (_spin, "timeout", "took longer than 1 s"),
        (_exit_hard, "crash", "exited with code 3"),
        (_segfault, "crash", "SIGSEGV"),
    ],
    ids=["wall clock", "os._exit", "segfault"],
)
def test_how_a_run_ends_is_told_apart(mode, fn, status, detail):
    result = _run(mode, fn, limits=sandbox.Limits(wall_s=1, cpu_s=5))
    assert result.status == status and detail in result.detail


KIT_UNDER_TMP = """
import sys
import numpy  # the kit's wire format needs it: a sandbox imports only what its parent has (or its view holds)
from autograder import sandbox

def imports_the_kit():
    import autograder.authoring.wire as wire
    return wire.__file__

result = sandbox.run_sandboxed(imports_the_kit, limits=sandbox.Limits(wall_s=60))
print(result.status, result.data.decode(errors="replace"), result.detail)
"""


@FULL
def test_a_kit_checked_out_under_tmp_is_visible_in_the_sandbox(tmp_path):
    import shutil
    import subprocess
    import sys

    assert str(tmp_path).startswith("/tmp/")
    checkout = tmp_path / "checkout"
    shutil.copytree(
        Path(sandbox.__file__).parents[1], checkout / "autograder", ignore=shutil.ignore_patterns("__pycache__")
    )
    ran = subprocess.run(
        [sys.executable, "-c", KIT_UNDER_TMP],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(checkout)},
    )
    assert ran.stdout.split()[:2] == ["ok", str(checkout / "autograder" / "authoring" / "wire.py")], (
        ran.stdout + ran.stderr
    )


def _open_files() -> set[str]:
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the listing's own descriptor, closed by now
            pass
    return found


def test_the_shell_a_notebook_runs_in_keeps_no_history(tmp_path, monkeypatch):
    """The shell opens no history database under HOME and starts no thread to save one: in a
    sandbox that is a file the student could reach, in the warm process one every worker inherits."""
    import threading

    from autograder.notebook_run import new_shell

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    threads, files = set(threading.enumerate()), _open_files()
    shell = new_shell()
    assert shell.run_cell("x = 6 * 7").success and shell.user_ns["x"] == 42
    assert not set(threading.enumerate()) - threads, "the shell started a thread"
    assert not [path for path in _open_files() - files if "history" in path]
    assert not list(tmp_path.rglob("history.sqlite"))
