"""How often release runs the solution, and says why; each notebook Otter Assign writes is read and written once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.release.pipeline import BY_OTTER, IN_KERNEL, IN_PROCESS, KERNEL_SKIPPED, OTTER_KEPT


def _release(root: Path, monkeypatch, *, otter: bool = False) -> tuple[str, Counter, Counter]:
    """Release ``quiz`` without mutants (and without otter run unless ``otter``); its output and the notebooks
    read and written, by path."""
    reads, writes = Counter(), Counter()
    read, write = nbformat.read, nbformat.write

    def counted_read(path, *args, **kwargs):
        reads[str(path)] += 1
        return read(path, *args, **kwargs)

    def counted_write(notebook, path, *args, **kwargs):
        writes[str(path)] += 1
        return write(notebook, path, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(nbformat, "read", counted_read)
        patched.setattr(nbformat, "write", counted_write)
        result = CliRunner().invoke(
            main, ["--root", str(root), "release", "quiz", "--no-mutation", *([] if otter else ["--no-otter-check"])]
        )
    assert result.exit_code == 0, result.output
    return result.output, reads, writes


def _said(output: str, run) -> bool:
    return any(line.split() == f"{run.label} {run.why}".split() for line in output.splitlines())


@pytest.mark.slow
def test_release_runs_the_solution_in_a_kernel_only_when_its_inputs_changed(tmp_path, monkeypatch):
    assert CliRunner().invoke(main, ["--root", str(tmp_path), "new", "quiz"]).exit_code == 0
    first, _, _ = _release(tmp_path, monkeypatch)
    assert _said(first, IN_PROCESS) and _said(first, IN_KERNEL) and not _said(first, KERNEL_SKIPPED)
    assert "otter run" not in first, "--no-otter-check: no otter run, and no line about one"
    executed = (tmp_path / "solutions" / "quiz" / "quiz.ipynb").read_bytes()

    again, reads, writes = _release(tmp_path, monkeypatch)
    assert _said(again, IN_PROCESS) and _said(again, KERNEL_SKIPPED) and not _said(again, IN_KERNEL)
    assert (tmp_path / "solutions" / "quiz" / "quiz.ipynb").read_bytes() == executed
    assigned = [path for path in reads if "/assigned/" in path]
    assert len(assigned) == 2, f"the student's and the solution's notebook from Otter Assign, read: {assigned}"
    assert {path: (reads[path], writes[path]) for path in assigned} == dict.fromkeys(assigned, (1, 1)), (
        "each read once and written once"
    )
    published = str(tmp_path / "student_template" / "quiz" / "quiz.ipynb")
    assert reads[published] == writes[published] == 0, "the student's notebook is copied as written, not read back"


@pytest.mark.slow
def test_release_runs_otter_again_only_when_what_it_checks_changed(tmp_path, monkeypatch):
    assert CliRunner().invoke(main, ["--root", str(tmp_path), "new", "quiz"]).exit_code == 0
    first, _, _ = _release(tmp_path, monkeypatch, otter=True)
    assert _said(first, BY_OTTER) and not _said(first, OTTER_KEPT), first
    again, _, _ = _release(tmp_path, monkeypatch, otter=True)
    assert _said(again, OTTER_KEPT) and not _said(again, BY_OTTER), again

    source = tmp_path / "assignments" / "quiz" / "quiz.ipynb"
    notebook = nbformat.read(source, as_version=4)
    prose = next(cell for cell in notebook.cells if cell.cell_type == "markdown")
    prose.source += "\n\nOne more line for the students."
    nbformat.write(notebook, source)
    edited, _, _ = _release(tmp_path, monkeypatch, otter=True)
    assert _said(edited, BY_OTTER) and not _said(edited, OTTER_KEPT), "the template changed: checked again"
