"""A submission's ``results/<file>.json``, in the Gradescope format ``otter run`` writes.

"Public Tests" reports what the notebook's public tests gave when the sandbox
ran them (after phase one, on the student's own functions); a submission
whose public tests never ran has no such entry rather than a claim.
"""
from __future__ import annotations

import json

from autograder.grading.autograder_zip import AutograderZip
from autograder.grading.judging import COMPLETED, SCORE_DECIMALS, Grade


def otter_results(grade: Grade, autograder: AutograderZip) -> dict:
    """``grade`` in the Gradescope results format ``otter run`` writes."""
    config = _otter_config(autograder)
    # Otter's rule: per-question results show after publishing only when the zip says show_hidden.
    visibility = "after_published" if config.get("show_hidden") else "hidden"
    tests = []
    if grade.public:
        passed = all(result["passed"] for result in grade.public.values())
        output = "\n\n".join(result["summary"] for result in grade.public.values())
        tests.append({"name": "Public Tests", "visibility": "visible", "output": output, "status": "passed" if passed else "failed"})
    for name, question in autograder.questions.items():
        tests.append({"name": name, "score": round(grade.scores.get(name, 0.0), SCORE_DECIMALS), "max_score": round(question.points, SCORE_DECIMALS), "visibility": visibility, "output": _summary(grade, question=name)})
    results = {"tests": tests, "extra_data": {"kit": grade.to_json()}}
    if config.get("show_stdout"):
        results["stdout_visibility"] = "after_published"
    return results


_CONFIGS: dict[str, dict] = {}


def _otter_config(autograder: AutograderZip) -> dict:
    """The zip's otter_config.json, read once per zip; {} (Otter's defaults) when absent."""
    if autograder.digest not in _CONFIGS:
        try:
            _CONFIGS[autograder.digest] = json.loads(autograder.read_member("otter_config.json"))
        except (KeyError, ValueError):
            _CONFIGS[autograder.digest] = {}
    return _CONFIGS[autograder.digest]


def _summary(grade: Grade, *, question: str) -> str:
    lines = []
    for name in [question]:
        cases = [c for c in grade.cases if c.question == name]
        failed = [c for c in cases if not c.passed]
        if not failed:
            lines.append(f"{name} results: All test cases passed!")
            continue
        lines.append(f"{name} results:")
        lines.extend(f"    {c.name} result:\n        ❌ {c.message}" for c in failed)
    if grade.status != COMPLETED:
        lines.insert(0, f"Not graded: {grade.status}")
    return "\n".join(lines)
