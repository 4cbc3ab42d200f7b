"""The phase gate's folder can be chosen (a Kubernetes pod has a /run/lock of its own), and a wrong choice is named.

Every grader on a host must take turns through the same files, so pods on one node mount the same
hostPath and name it in ``AUTOGRADER_PHASE_GATE`` (or ``autograder --phase-gate``). A folder that is
missing, a file, or one the
grader may not make files in stops the sandbox at once with the setting named and the fix.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import sandbox
from autograder.cli import main
from autograder.sandbox import phase_gate
from tests.unprivileged import as_user, needs_root

PROJECT = Path(__file__).resolve().parents[1]


def test_the_folder_named_by_the_environment_holds_the_gate(tmp_path, monkeypatch):
    monkeypatch.setenv(phase_gate.FOLDER_VARIABLE, str(tmp_path))
    phase_gate.PhaseGate.enter_phase_one().close()
    assert sorted(os.listdir(tmp_path)) == sorted([phase_gate.BELL, phase_gate.GATE, phase_gate.TURNSTILE])


def test_a_folder_chosen_for_a_run_goes_before_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(phase_gate.FOLDER_VARIABLE, str(tmp_path / "elsewhere"))
    assert phase_gate.gate_folder(str(tmp_path)) == str(tmp_path)


@pytest.mark.parametrize(
    "make, problem",
    [(lambda path: None, "does not exist"), (lambda path: path.write_text(""), "is not a folder")],
    ids=["missing", "a_file"],
)
def test_a_wrong_folder_is_named_with_the_fix(tmp_path, monkeypatch, make, problem):
    folder = tmp_path / "gate"
    make(folder)
    monkeypatch.setenv(phase_gate.FOLDER_VARIABLE, str(folder))
    named = rf"AUTOGRADER_PHASE_GATE={folder} {problem}\..*same\s+hostPath in every pod"
    with pytest.raises(phase_gate.PhaseGateError, match=named):
        phase_gate.PhaseGate.enter_phase_one()
    result = sandbox.run_sandboxed(lambda: b"ran")
    assert result.status == "crash" and f"AUTOGRADER_PHASE_GATE={folder} {problem}" in result.detail, result


@needs_root
def test_a_folder_an_ordinary_user_may_not_write_is_named():
    with tempfile.TemporaryDirectory() as scratch:  # tmp_path's parents are root's alone: the user would not reach it
        os.chmod(scratch, 0o755)
        refused = as_user(_enter_with(scratch), timeout=60)
    assert refused.result is not None, refused.problem
    expected = f"{phase_gate.FOLDER_VARIABLE}={scratch} is not a folder this user may make the gate's files in"
    assert expected in refused.result["refused"], refused.result


def _enter_with(folder: str):
    def enter() -> dict:
        os.environ[phase_gate.FOLDER_VARIABLE] = str(folder)
        try:
            phase_gate.PhaseGate.enter_phase_one().close()
        except phase_gate.PhaseGateError as error:
            return {"refused": str(error)}
        return {"refused": ""}

    return enter


def test_the_command_line_refuses_a_gate_folder_it_cannot_use(tmp_path, monkeypatch):
    monkeypatch.setenv(phase_gate.FOLDER_VARIABLE, "")  # so that what the command sets is undone after
    ran = CliRunner().invoke(main, ["--phase-gate", str(tmp_path / "missing"), "course"])
    expected = f"the phase gate's folder AUTOGRADER_PHASE_GATE={tmp_path / 'missing'} does not exist"
    assert ran.exit_code == 2 and "--phase-gate" in ran.output and expected in " ".join(ran.output.split()), ran.output


def test_a_grading_run_takes_turns_in_the_folder_it_was_given(releases, tmp_path, monkeypatch):
    """The setting reaches the workers' sandboxes (their environment is an allow-list)."""
    assignment, _ = releases("kmeans")  # the session's release: a fresh clone has no dist/
    monkeypatch.setenv(phase_gate.FOLDER_VARIABLE, "")  # so that what the command sets is undone after
    gate, submissions = tmp_path / "gate", tmp_path / "in"
    gate.mkdir()
    submissions.mkdir()
    example = PROJECT / "examples" / "submissions" / "kmeans" / "correct_course_style.ipynb"
    (submissions / example.name).write_bytes(example.read_bytes())
    ran = CliRunner().invoke(
        main,
        [
            "--root",
            str(assignment.root),
            "--phase-gate",
            str(gate),
            "grade",
            str(submissions),
            "-a",
            "kmeans",
            "-o",
            str(tmp_path / "out"),
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
    )
    assert ran.exit_code == 0, ran.output
    assert sorted(os.listdir(gate)) == sorted([phase_gate.BELL, phase_gate.GATE, phase_gate.TURNSTILE])
    with (tmp_path / "out" / "final_grades.csv").open() as gradebook:
        assert "correct_course_style.ipynb" in gradebook.read()
