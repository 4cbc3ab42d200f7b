"""One rule decides which code cells run: for the solution at release and for every submission."""

import nbformat

from autograder.notebook_run import code_cells, run_notebook
from autograder.sandbox.probe_run import _cells_with_checkpoints

CELLS = [
    "x = 1",
    "# ignore\nraise RuntimeError('an ignored cell ran')",
    "# IGNORE: scratch work\nx = 99",
    'grader.check("q1")',
    "grader.check_all()",
    "# Save your notebook first, then run this cell to export your submission.\ngrader.export(pdf=False)",
    "from autograder.authoring.student import export\nexport()",
    "y = x + 1",
]


def _notebook() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])


def test_the_solution_run_and_a_submission_run_the_same_cells():
    notebook = _notebook()
    solution = [index for index, _ in code_cells(notebook)]
    submission = [index for index, _ in _cells_with_checkpoints(notebook)]
    assert solution == [0, 7]
    assert submission == [0, 3, 7], "a submission adds only its grader.check cells, as checkpoints"


def test_an_ignored_cell_does_not_run_in_the_solution_run(tmp_path):
    run = run_notebook(_notebook(), workdir=tmp_path)
    assert [cell.error for cell in run.cells] == ["", ""]
    assert run.namespace["x"] == 1 and run.namespace["y"] == 2
