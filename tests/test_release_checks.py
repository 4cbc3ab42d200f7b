"""What release checks in a lesson an instructor grows from `autograder new`: the solution passes its own
public tests, and the zip installs every package the notebook and its cases import."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli import main


def _new(root: Path, name: str) -> Path:
    """``autograder new NAME`` under ``root``; returns the assignment's folder."""
    result = CliRunner().invoke(main, ["--root", str(root), "new", name])
    assert result.exit_code == 0, result.output
    return root / "assignments" / name


def _edit_cell(notebook: Path, containing: str, change) -> None:
    """Replace the source of the one cell holding ``containing`` with ``change(source)``."""
    book = nbformat.read(notebook, as_version=4)
    [cell] = [cell for cell in book.cells if containing in cell.source]
    cell.source = change(cell.source)
    nbformat.write(book, notebook)


@pytest.mark.slow
def test_a_release_whose_solution_fails_its_own_public_test_fails(tmp_path):
    folder = _new(tmp_path, "quiz")
    # A public check that rejects the solution's value: at 0 points it cost no score, and release was green.
    _edit_cell(folder / "quiz.ipynb", "def test_standardize_small", lambda source: source + '\n    assert out.sum() > 1, "公开检查拒绝了参考解 / a public check that rejects the solution"')
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "release", "quiz", "--no-mutation"])
    assert result.exit_code == 1, result.output
    assert "the solution fails its own public tests" in result.output
    assert "a public check that rejects the solution" in result.output, "Otter's report names the failing check"
