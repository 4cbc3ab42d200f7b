"""The warm process imports torch only for a lesson that uses it: importing it costs a NumPy lesson's
run over a second, a fifth of the whole run for a small class. A submission there may still import it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
from click.testing import CliRunner

from autograder.cli import main
from autograder.sandbox import phase_gate

PROJECT = Path(__file__).resolve().parents[1]


def _uses_torch(template: Path, student_files: dict[str, bytes] | None = None) -> bool:
    """``uses_torch`` in a fresh interpreter: this one may have imported torch for other tests."""
    code = (
        "import sys\nfrom pathlib import Path\nfrom autograder.sandbox.warm_process import uses_torch\n"
        f"print(uses_torch(Path({str(template)!r}), {student_files or {}!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip() == "True"


def test_only_a_lesson_whose_notebook_or_files_import_torch_gets_it():
    templates = PROJECT / "student_template"
    assert not _uses_torch(templates / "kmeans" / "kmeans.ipynb")
    assert not _uses_torch(templates / "pca" / "pca.ipynb")
    assert _uses_torch(templates / "logistic_regression" / "logistic_regression.ipynb")
    helper = {"helpers.py": b"import numpy as np\n\nif True:\n    from torch import nn\n"}
    assert _uses_torch(templates / "kmeans" / "kmeans.ipynb", helper)


def test_a_submission_to_a_lesson_without_torch_may_still_import_it(releases, tmp_path, monkeypatch):
    assignment, _ = releases("kmeans")
    # --phase-gate sets the variable for the workers; undone after, or later tests here (as an ordinary
    # user, who may not write in this root-owned folder) would take turns in it.
    monkeypatch.setenv(phase_gate.FOLDER_VARIABLE, "")
    notebook = nbformat.read(PROJECT / "examples" / "submissions" / "kmeans" / "correct_course_style.ipynb", 4)
    defining = next(cell for cell in notebook.cells if "def assign_clusters" in cell.source)
    defining.source = "import torch\n_zeros = torch.zeros(1)\n" + defining.source
    (tmp_path / "in").mkdir()
    nbformat.write(notebook, tmp_path / "in" / "uses_torch.ipynb")
    ran = CliRunner().invoke(
        main,
        ["--root", str(assignment.root), "--phase-gate", str(tmp_path), "grade", str(tmp_path / "in")]
        + ["-a", "kmeans", "-o", str(tmp_path / "out"), "--workers", "1"],
    )
    assert ran.exit_code == 0, ran.output
    assert "uses_torch.ipynb 10 (Completed)" in ran.output, ran.output
