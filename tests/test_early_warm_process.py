"""`autograder grade` starts its warm process before its own imports and reading, so the two run on
separate cores: one logistic_regression file took 7.2 s before, 6.3 s after. The pool then uses that
process (one warm process a run, not two), and a run with nothing to grade stops it at once (every file
reused took 1.2 s before; waiting for its imports would have cost seconds)."""

from __future__ import annotations

import time
from pathlib import Path

from click.testing import CliRunner

from autograder.cli import main
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
        original(self, context, setup)

    monkeypatch.setattr(warm_handle.WarmProcess, "__init__", counted)
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
