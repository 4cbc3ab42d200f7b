"""Attack: answer a question by calling a solution the student folder itself ships.

``diagnoses.py`` sits beside every student's notebook (the public checks import it) and says
"nothing here is secret". But to recognise the strict-threshold mistake it carries
``_labels(p, y)``, which with its default is the accuracy the question asks for, and to recognise
swapped loss terms it carries ``_cross_entropy(p, y)``, the clamped mean binary cross-entropy. A
student who never writes either answer delegates to them and is graded as having solved it.
"""

from __future__ import annotations

import nbformat
import pytest

from autograder.grading.batch import GradeOptions, grade_paths

pytestmark = pytest.mark.slow

DELEGATED = """def accuracy(y_pred, y):
    import diagnoses
    return diagnoses._labels(y_pred.detach().numpy(), y.detach().numpy())
"""


def test_delegating_to_the_shipped_diagnoses_does_not_earn_the_question(releases, tmp_path):
    assignment, _ = releases("logistic_regression")
    notebook = nbformat.read(assignment.student_dir / "logistic_regression.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.lstrip().startswith("def accuracy("):
            cell.source = DELEGATED
    folder = tmp_path / "submissions"
    folder.mkdir()
    nbformat.write(notebook, folder / "delegates.ipynb")

    report = grade_paths([folder], assignment, tmp_path / "out", options=GradeOptions(workers=1, timeout=60))

    [grade] = report.grades
    assert grade.scores["accuracy"] == 0, "accuracy earned by calling the accuracy diagnoses.py ships to every student"
