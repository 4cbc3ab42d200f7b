"""A submission's ``results/<file>.json``, in the Gradescope format ``otter run`` writes.

It reports what the grader judged, never what the submission's process says of
itself. The public tests run in that process (as in Otter), where the notebook's
own code can rewrite their outcome, so the "Public Tests" entry Otter's layout
has says so instead of passing on a pass or a fail; a submission that never ran
to the end has no such entry.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

from autograder.authoring.language import say
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.judging.grade import COMPLETED, CaseOutcome, Grade
from autograder.grading.judging.judge import SCORE_DECIMALS
from autograder.grading.records.outputs import write_atomic

PUBLIC_TESTS_NOT_REPEATED = say(
    "公开测试在提交的 notebook 自己的进程里运行，那里的代码能改写它们报告的结果，所以这里不转述；"
    "分数只来自评分程序自己判定的隐藏测试。",
    "The public tests ran in the submission's own process, whose code can rewrite what they report, so their outcome "
    "is not repeated here; the scores come from the hidden tests, judged by the grader alone.",
)


class ResultsFileError(ValueError):
    """A results file ``autograder grade`` did not write, or one damaged since."""


def write_results(path: Path, grade: Grade, autograder: AutograderZip) -> None:
    """Write ``grade`` to ``path`` atomically, in the format ``otter run`` writes."""
    write_atomic(path, json.dumps(otter_results(grade, autograder), indent=1))


def read_grade(path: Path) -> Grade:
    """The grade a results file holds.

    Raises:
        OSError: the file cannot be read.
        ResultsFileError: it is not a results file the kit wrote.
    """
    text = path.read_text(encoding="utf-8")
    try:
        return _grade_of(json.loads(text)["extra_data"]["kit"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ResultsFileError(f"{path}: not a results file written by `autograder grade` ({error})") from error


def _grade_of(data: dict) -> Grade:
    """The grade a results file's ``extra_data.kit`` holds; a key the kit no longer knows is dropped."""
    cases = [CaseOutcome(**case) for case in data.get("cases", [])]
    known = {item.name for item in fields(Grade)}
    return Grade(**{**{key: value for key, value in data.items() if key in known}, "cases": cases})


def otter_results(grade: Grade, autograder: AutograderZip) -> dict:
    """``grade`` in the Gradescope results format ``otter run`` writes."""
    config = _otter_config(autograder)
    # Otter's rule: per-question results show after publishing only when the zip says show_hidden.
    visibility = "after_published" if config.get("show_hidden") else "hidden"
    tests = []
    if grade.status == COMPLETED:
        tests.append({"name": "Public Tests", "visibility": "visible", "output": PUBLIC_TESTS_NOT_REPEATED})
    for name, question in autograder.questions.items():
        tests.append(
            {
                "name": name,
                "score": round(grade.scores.get(name, 0.0), SCORE_DECIMALS),
                "max_score": round(question.points, SCORE_DECIMALS),
                "visibility": visibility,
                "output": _summary(grade, question=name),
            }
        )
    results = {"tests": tests, "extra_data": {"kit": asdict(grade)}}
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
