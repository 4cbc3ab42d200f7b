"""`autograder grade` starts its warm process before its own imports and reading, so the two run on
separate cores: one logistic_regression file took 7.2 s before, 6.3 s after. The pool then uses that
process (one warm process a run, not two), and a run with nothing to grade stops it at once (every file
reused took 1.2 s before; waiting for its imports would have cost seconds)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from autograder.cli import main
from autograder.forking import run_forked
from autograder.grading import batch
from autograder.sandbox import phase_gate, warm_handle

PROJECT = Path(__file__).resolve().parents[1]


def test_an_early_warm_process_that_is_not_needed_is_stopped_at_once():
    with warm_handle.early_warm_process() as warm:
        started = warm.process.pid
    stopped = time.monotonic()
    assert warm.closed == "was stopped before it was needed"
    assert time.monotonic() - stopped < 1
    assert not Path(f"/proc/{started}").exists()


def test_a_grading_run_uses_the_warm_process_it_started_first(releases, tmp_path, monkeypatch):
    assignment, _ = releases("kmeans")
    started = []
    original = warm_handle.WarmProcess.__init__

    def counted(self, context, setup=None):
        started.append(setup is None)
        processes.append(self)
        original(self, context, setup)

    processes, stopped_before_the_class_view = [], []
    rebuild = batch.rebuild_planned

    def class_view(*args, **kwargs):
        stopped_before_the_class_view.append(bool(processes[-1].closed))
        return rebuild(*args, **kwargs)

    monkeypatch.setattr(warm_handle.WarmProcess, "__init__", counted)
    monkeypatch.setattr(batch, "rebuild_planned", class_view)
    monkeypatch.setenv(phase_gate.FOLDER_VARIABLE, "")
    (tmp_path / "in").mkdir()
    example = PROJECT / "examples" / "submissions" / "kmeans" / "correct_course_style.ipynb"
    (tmp_path / "in" / "mine.ipynb").write_bytes(example.read_bytes())
    command = ["--root", str(assignment.root), "--phase-gate", str(tmp_path), "grade", str(tmp_path / "in")]
    command += ["-a", "kmeans", "-o", str(tmp_path / "out"), "--workers", "1"]
    ran = CliRunner().invoke(main, command)
    assert ran.exit_code == 0, ran.output
    assert "mine.ipynb 10 (Completed)" in ran.output, ran.output
    assert started == [True], "one warm process, started before it had a setup"
    again = CliRunner().invoke(main, command)  # every file reused: its early process is stopped unused
    assert again.exit_code == 0 and started == [True, True], again.output
    assert stopped_before_the_class_view == [True, True], "a warm process stops before the pages are drawn"


def test_what_a_fork_does_meanwhile_is_not_charged_to_the_forks_deadline():
    """The recorder folds the heap meanwhile; a fork that ended in time was said to have run too long."""
    slow = [run_forked([lambda: {"ok": 1}], workers=1, timeout=1, meanwhile=lambda: time.sleep(1.5))]
    assert slow[0][0].result == {"ok": 1}, slow
    called = []
    assert run_forked([], meanwhile=lambda: called.append(1)) == [] and called == [1]


_FAILED_WARM_PROCESS = """
import multiprocessing, os, signal, time
from autograder.sandbox import warm_handle
if __name__ == "__main__":
    warm = warm_handle.WarmProcess(multiprocessing.get_context("spawn"))
    warm.process.join(timeout=0.1)
    os.kill(warm.process.pid, signal.SIGTERM)
    warm.process.join(timeout=10)
    warm.given = True  # as though it failed after its setup: its stderr is quoted
    started = time.monotonic()
    said = warm.close()
    print(round(time.monotonic() - started, 2), said.splitlines()[0])
"""


def test_a_warm_process_that_failed_is_quoted_without_waiting_out_the_relay(tmp_path):
    """Multiprocessing's resource tracker, started by the first spawn inside the relay, held its pipe open:
    quoting a failed warm process then waited 5 s for an end of output that never came. A fresh
    interpreter, whose first spawn this is."""
    script = tmp_path / "failed_warm.py"
    script.write_text(_FAILED_WARM_PROCESS)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=PROJECT)
    assert done.returncode == 0, done.stderr[-2000:]
    seconds, said = done.stdout.split(" ", 1)
    assert said.startswith("ended with exit code"), done.stdout
    assert float(seconds) < 3, done.stdout
