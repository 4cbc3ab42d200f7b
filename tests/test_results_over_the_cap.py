"""Release refuses hidden cases whose results could not come back from a sandbox.

A sandbox hands back every case's results in one message through a capped pipe, and a student's
results are the size of the solution's: cases over the cap would make the grader refuse every
submission's run, with a message about the commit. Release says so first, naming the largest cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.authoring import Cases, normal
from autograder.authoring.suite import CasesModule
from autograder.release.references import CasesFileError, compute_references
from tests.test_declared_cases import _namespace

arrays = Cases(torch=False)
DOUBLE = "def double(x):\n    return x * 2\n"


def test_cases_whose_results_overflow_a_sandbox_are_refused_naming_the_largest():
    whole = arrays.output("double", "all_the_data", normal(0, 1, (900, 100)))
    small = arrays.output("double", "a_slice", normal(0, 1, (20, 100)))
    with pytest.raises(
        CasesFileError,
        match=r"cases\.py: the solution's results .* over the 512 KiB .* "
        r"the largest: double/all_the_data \(\d+ KiB\), double/a_slice",
    ):
        compute_references(CasesModule(Path("cases.py"), [whole, small]), _namespace(DOUBLE), [DOUBLE], seed=7)


def test_cases_within_the_cap_release():
    cases = [arrays.output("double", f"slice_{index}", normal(0, 1, (100, 64))) for index in range(3)]
    references = compute_references(CasesModule(Path("cases.py"), cases), _namespace(DOUBLE), [DOUBLE], seed=7)
    assert sorted(references.cases) == ["double/slice_0", "double/slice_1", "double/slice_2"]
