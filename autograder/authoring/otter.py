"""Entry point of the hidden test cells inside Otter's test files.

Under ``otter run`` or on Gradescope, the zip's files sit next to the
student's notebook; each hidden test calls ``grade_case`` with the notebook's
globals. The kit's own grader does not come through here: it probes in the
sandbox and judges in a separate process.
"""

from __future__ import annotations

import functools
from pathlib import Path

from autograder.authoring.checks import CheckFailed
from autograder.authoring.reference_data import REFERENCES_FILE
from autograder.authoring.suite import Suite, run_in_process


@functools.lru_cache(maxsize=1)
def _suite() -> Suite:
    for folder in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (folder / REFERENCES_FILE).is_file():
            return Suite.load(folder)
    raise FileNotFoundError(
        f"{REFERENCES_FILE} not found next to the notebook: is this the assignment's autograder zip?"
    )


def grade_case(env: dict, question: str, name: str) -> None:
    """Grade one hidden case against ``env``; raise CheckFailed with a hint."""
    suite = _suite()
    verdict = run_in_process(suite, suite.case(question, name), env)
    if not verdict.passed:
        raise CheckFailed(verdict.message)
