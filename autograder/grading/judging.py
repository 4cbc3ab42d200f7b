"""Turn a submission's probe data into scores, in a process that ran no student code.

The batch grader judges in its own process, which never runs student code:
sandboxes are forked by spawned workers that never hold the expected outputs.
Everything a sandbox sent is decoded with ``autograder.authoring.wire`` and compared
by the assignment's judges.
"""
from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.authoring import suite, wire
from autograder.grading.autograder_zip import AutograderZip, Question
from autograder.authoring.checks import Verdict

COMPLETED = "Completed"


@dataclass
class CaseOutcome:
    question: str
    name: str
    points: float
    passed: bool
    message: str
    hidden: bool


@dataclass
class Grade:
    """One submission's grade, as written to results/ and the gradebook."""

    file: str
    digest: str
    status: str
    scores: dict[str, float]
    cases: list[CaseOutcome] = field(default_factory=list)
    cell_errors: list[dict] = field(default_factory=list)
    output: str = ""
    variables: dict = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.scores.values())

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Grade":
        cases = [CaseOutcome(**case) for case in data.get("cases", [])]
        return cls(**{**data, "cases": cases})


class Judge:
    """Holds the expected outputs; grades decoded probe data."""

    def __init__(self, autograder: AutograderZip, support: Path):
        self.autograder = autograder
        self.module = suite.load_cases(support / suite.CASES_FILE)
        self.suite = suite.Suite(self.module.cases, suite.read_references(support / suite.REFERENCES_FILE))
        sources = self.suite.references.get("reference_functions", {}).values()
        self._reference_lines = {line.strip() for source in sources for line in source.splitlines()[1:] if len(line.strip()) >= 12}

    def grade(self, file: str, digest: str, committed: bytes | None, revealed: bytes) -> Grade:
        """Grade what a sandbox sent for ``file``.

        Parameters:
            committed: phase one's report (cell errors, output, variables, and the
                probes of cases that use only the student's functions), handed over
                before the sandbox saw any reference function; None if it never came.
            revealed: phase two's report, the probes of the cases that swap reference
                functions in. Nothing else is read from it.
        """
        try:
            report = _report(committed) if committed is not None else {"probes": {}}
            later = _report(revealed)
        except (ValueError, TypeError) as error:
            return self.failed(file, digest, f"crash: the submission's process returned unreadable results ({error})")
        grade = Grade(file, digest, COMPLETED, {})
        for question in self.autograder.questions.values():
            outcomes = [self._case(question, case, report["probes"], later["probes"]) for case in question.cases if case.points or case.hidden]
            grade.cases.extend(outcomes)
            grade.scores[question.name] = _question_score(question, outcomes)
        grade.cell_errors = [e for e in _as_list_or_empty(report.get("errors")) if isinstance(e, dict)][:50]
        grade.output = str(report.get("output", ""))[-20000:]
        grade.variables = self._variables(report.get("variables", {}))
        return grade

    def failed(self, file: str, digest: str, status: str) -> Grade:
        """A grade of zero for a submission that could not be run."""
        return Grade(file, digest, status, {name: 0.0 for name in self.autograder.questions})

    def _case(self, question: Question, graded, own: dict, swapped: dict) -> CaseOutcome:
        case = self.suite.case(question.name, graded.name)
        try:
            probe = (swapped if case.swap_in else own)[case.key]
            if not isinstance(probe, dict):
                raise wire.MalformedProbeData(f"a probe result is a {type(probe).__name__}, not an object")
            student = {key: wire.decode(value) for key, value in probe.items()}
            verdict = suite.judge(case, student, self.suite.expected(case), self.suite.inputs(case))
        except KeyError:
            verdict = Verdict.fail(f"{question.name} was not graded: the notebook stopped before it could be checked")
        except wire.MalformedProbeData as error:
            verdict = Verdict.fail(f"{question.name} returned data that could not be read ({error})")
        message = self._without_reference_source(verdict.message) if case.swap_in else verdict.message
        return CaseOutcome(question.name, graded.name, graded.points, verdict.passed, message, graded.hidden)

    def _without_reference_source(self, message: str) -> str:
        """``message``, unless it quotes the reference functions a swap-in case lent the notebook."""
        if any(line in message for line in self._reference_lines):
            return "(this message quoted the reference solution, so it is not shown)"
        return message

    def _variables(self, variables) -> dict:
        """The student's values of the plotted notebook variables, as lists."""
        shown = {}
        for name in self.suite.references.get("notebook", {}):
            try:
                shown[name] = _as_list(wire.decode(variables.get(name)))
            except (wire.MalformedProbeData, AttributeError, TypeError):
                shown[name] = None
        return shown

    @property
    def charts(self) -> tuple:
        return self.module.charts

    @functools.cached_property
    def reference_variables(self) -> dict:
        """The solution's values of the same variables (kept in the judge only)."""
        return {name: _as_list(wire.decode(payload)) for name, payload in self.suite.references.get("notebook", {}).items()}


def _report(raw: bytes) -> dict:
    """A sandbox report as a dict whose "probes" is a dict; raises ValueError otherwise."""
    report = json.loads(raw)
    if not isinstance(report, dict) or not isinstance(report.get("probes"), dict):
        raise ValueError("no probes object")
    return report


def _as_list_or_empty(value) -> list:
    return value if isinstance(value, list) else []


def _as_list(value: wire.Value):
    """A recorded value as (nested) lists of floats for the charts, or None."""
    if value.kind in ("tensor", "ndarray", "npscalar"):
        return value.array.astype(float).tolist()
    if value.kind == "list":
        numbers = [item.number for item in value.items if item.kind in ("float", "int")]
        return numbers if len(numbers) == len(value.items) else None
    return None


# Otter reports a question's score rounded to 5 decimals (Gradescope's results.json);
# the gradebook and the feedback carry that same number (2 of 3 cases of 2 points: 1.33333).
SCORE_DECIMALS = 5


def _question_score(question: Question, outcomes: list[CaseOutcome]) -> float:
    """Otter's rule: points of passed cases, or all-or-nothing when configured, rounded as Otter's results."""
    if question.all_or_nothing:
        return question.points if all(o.passed for o in outcomes) else 0.0
    return round(sum(o.points for o in outcomes if o.passed), SCORE_DECIMALS)


def otter_results(grade: Grade, autograder: AutograderZip) -> dict:
    """``grade`` in the Gradescope results format ``otter run`` writes."""
    config = _otter_config(autograder)
    # Otter's rule: per-question results show after publishing only when the zip says show_hidden.
    visibility = "after_published" if config.get("show_hidden") else "hidden"
    tests = [{"name": "Public Tests", "visibility": "visible", "output": _summary(grade, public_only=True), "status": "passed" if all(c.passed for c in grade.cases if not c.hidden) else "failed"}]
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


def _summary(grade: Grade, *, question: str | None = None, public_only: bool = False) -> str:
    lines = []
    names = [question] if question else list(grade.scores)
    for name in names:
        cases = [c for c in grade.cases if c.question == name and (not public_only or not c.hidden)]
        failed = [c for c in cases if not c.passed]
        if not failed:
            lines.append(f"{name} results: All test cases passed!")
            continue
        lines.append(f"{name} results:")
        lines.extend(f"    {c.name} result:\n        ❌ {c.message}" for c in failed)
    if grade.status != COMPLETED:
        lines.insert(0, f"Not graded: {grade.status}")
    return "\n".join(lines)
