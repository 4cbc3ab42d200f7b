"""A kept otter run check must stand for a check that would pass now.

The record beside the zip is kept when a digest of the zip's members, both notebooks, Python, the
installed packages and the kit's modules is unchanged. ``otter run`` grades the notebooks in a
Jupyter kernel, and which kernel starts, and what it runs before the first cell, come from the
environment too: a ``python3`` kernel spec on ``JUPYTER_PATH`` (or in the user's Jupyter folder) is
started instead of the environment's own, and every IPython kernel runs the startup files of its
profile (``IPYTHONDIR``, else ~/.ipython). A startup file that broke the notebook failed the check
when it ran (the solution earned 0); with the record kept, the release passed without a word.

A record is a file anyone who can write dist/ may edit, and it outlives the zip it describes; one whose
findings are not scores must not be taken for a check that passed: a solution "scored" null is not
checked against the points at all. And a record names the files as they were when otter run began.
(Found by a review; each case failed on the first version of the record.)
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.assignment import Assignment
from autograder.release import otter_check, pipeline
from autograder.release.otter_run import OtterResult

PASSED = otter_check.OtterCheck(OtterResult({"q1": 2.0}), OtterResult({"q1": 0.0}, "q1 failed"))


def _released(folder: Path) -> tuple[Path, Path, Path]:
    """A zip, an executed solution and a blank template, as a release leaves them."""
    zip_path = folder / "quiz-autograder.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("tests/q1.py", "OK_FORMAT = False\n")
        archive.writestr("otter_config.json", "{}")
    notebooks = []
    for name, source in (("solution", "x = 1"), ("template", "x = ...")):
        (folder / name).mkdir()
        path = folder / name / "quiz.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]), path)
        notebooks.append(path)
    return zip_path, notebooks[0], notebooks[1]


def _kept(files: tuple[Path, Path, Path]) -> otter_check.OtterCheck | None:
    """What a release of ``files`` now would keep of the record beside their zip."""
    return otter_check.passed_before(files[0], otter_check.fingerprint(*files))


def _kernel_spec_elsewhere(folder: Path) -> tuple[str, str]:
    kernel = folder / "jupyter" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(
        json.dumps(
            {
                "argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3",
                "language": "python",
            }
        )
    )
    return "JUPYTER_PATH", str(folder / "jupyter")


def _startup_file(folder: Path) -> tuple[str, str]:
    startup = folder / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-numbers.py").write_text("import numpy\nnumpy.mean = lambda *a, **k: 0.0\n")
    return "IPYTHONDIR", str(folder / "ipython")


@pytest.mark.parametrize("change", [_kernel_spec_elsewhere, _startup_file], ids=["kernel spec", "ipython startup"])
def test_a_check_is_not_kept_once_the_kernel_otter_run_starts_changed(tmp_path, monkeypatch, change):
    files = _released(tmp_path)
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    monkeypatch.delenv("IPYTHONDIR", raising=False)
    otter_check.remember_passed(files[0], PASSED, otter_check.fingerprint(*files))
    assert _kept(files) == PASSED  # unchanged: kept, as it should be
    monkeypatch.setenv(*change(tmp_path))
    assert _kept(files) is None, "the kernel otter run grades in changed; the check was kept"


@pytest.mark.parametrize(
    "findings",
    [{"scores": None}, {"scores": ["q1", 2.0]}, {"scores": {"q1": 2.0}, "public_failures": {"q1": "failed"}}],
    ids=["scores null", "scores a list", "failures not text"],
)
def test_a_record_whose_findings_are_not_scores_is_no_record(tmp_path, findings):
    files = _released(tmp_path)
    otter_check.remember_passed(files[0], PASSED, otter_check.fingerprint(*files))
    record_path = tmp_path / "quiz-autograder.otter-check.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["solution"] = findings
    record_path.write_text(json.dumps(record), encoding="utf-8")
    assert _kept(files) is None, f"kept a record whose solution findings are {findings}"


def _files_of(assignment: Assignment) -> tuple[Path, Path, Path]:
    """The zip, executed solution and blank template of ``assignment``, as a release leaves them."""
    (assignment.root / "made").mkdir()
    made = _released(assignment.root / "made")
    places = (
        assignment.zip_path,
        assignment.solution_dir / assignment.source_notebook.name,
        assignment.student_dir / assignment.source_notebook.name,
    )
    for source, place in zip(made, places):
        place.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, place)
    return places


def test_a_record_names_only_the_files_that_were_checked(tmp_path, monkeypatch):
    """Two releases of one assignment at once (two terminals, or CI beside an instructor): the second
    rewrites the solution while the first one's otter run grades the files it built. The first passes
    and records a digest taken after its run, of the second's files, which never passed: the second's
    own check fails, and the next release of those files keeps the first one's record."""
    assignment = Assignment("quiz", tmp_path)
    zip_path, solution, template = _files_of(assignment)
    checked = []

    def otter_run_while_another_release_writes(zip_path, notebooks):
        checked.append([notebook.read_bytes() for notebook in notebooks])
        broken = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 2  # another release's solution")])
        nbformat.write(broken, solution)  # the other release writes its solution meanwhile
        return [PASSED.solution, PASSED.template]  # what otter run gave the files it was handed

    monkeypatch.setattr(otter_check, "otter_results_many", otter_run_while_another_release_writes)
    pipeline._check_with_otter_run(assignment, pipeline.ReleaseReport(assignment, points={"q1": 2.0}))
    assert solution.read_bytes() not in checked[0]  # the files now there were never checked...
    again = pipeline._check_with_otter_run(assignment, pipeline.ReleaseReport(assignment, points={"q1": 2.0}))
    assert again != pipeline.OTTER_KEPT, "a check that passed on other files was kept for these"
