"""Attack: a zero-size array with huge dimensions as a plotted notebook variable.

``np.zeros((10**6, 10**6, 0))`` costs no memory and encodes to ~100 bytes (its size, 0, is under
every cap), but the judge turns each recorded variable into nested lists (``_as_list`` →
``tolist()``): one Python list per row, 10**12 of them for that shape. The grader's process runs
out of memory and the whole run dies; a milder shape writes a results file of tens of megabytes
from 100 bytes.

The test uses (10**6, 2, 0): 2 million empty lists, a results file of ~25 MB. The real attack
uses a shape that kills the grader.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from autograder.grading.batch import GradeOptions, grade_paths

pytestmark = pytest.mark.slow

RESULTS_BYTES_LIMIT = 2 * 2**20


def test_a_zero_size_variable_does_not_blow_up_in_the_judge(releases, tmp_path):
    assignment, _ = releases("logistic_regression")
    notebook = nbformat.read(assignment.student_dir / "logistic_regression.ipynb", as_version=4)
    # `losses` is a variable the loss-curve chart records; the sandbox encodes it as 103 bytes.
    notebook.cells.append(nbformat.v4.new_code_cell("losses = np.zeros((10**6, 2, 0))"))
    folder = tmp_path / "submissions"
    folder.mkdir()
    nbformat.write(notebook, folder / "zero_size.ipynb")
    out = tmp_path / "out"

    grade_paths([folder], assignment, out, options=GradeOptions(workers=1, timeout=60))

    results = out / "results" / "zero_size.ipynb.json"
    assert results.stat().st_size < RESULTS_BYTES_LIMIT, (
        f"{results.stat().st_size} bytes of results from a 103-byte value"
    )
    variables = json.loads(results.read_text(encoding="utf-8"))["extra_data"]["kit"]["variables"]
    assert not (isinstance(variables.get("losses"), list) and len(variables["losses"]) > 10_000)
