"""Turn a submission's probe data into scores, in a process that ran no student code.

The batch grader judges in its own process, which never runs student code:
sandboxes are forked by spawned workers that never hold the expected outputs.
Everything a sandbox sent is decoded with ``autograder.authoring.wire`` and compared
by the assignment's judges.
"""

from __future__ import annotations

import dataclasses
import functools
import unicodedata
from pathlib import Path

from autograder import authoring
from autograder.authoring import suite, wire
from autograder.authoring.checks import Verdict
from autograder.authoring.language import say
from autograder.grading.judging.autograder_zip import AutograderZip, Question
from autograder.grading.judging.grade import COMPLETED, CaseOutcome, Grade
from autograder.grading.judging.quoted_numbers import QuotableNumbers, message_constants
from autograder.grading.text import storable
from autograder.sandbox.probe_report import ProbeReport

HIDDEN_REFERENCE = say(
    "（这条信息引用了参考答案，因此不显示）", "(this message quoted the reference solution, so it is not shown)"
)
# What a student sees instead of text their code produced while it held the reference functions.
SILENCED = say(
    "（借用参考函数期间产生的文本不显示）", "(text produced while the reference functions were lent is not shown)"
)


class Judge:
    """Holds the expected outputs; grades decoded probe data."""

    def __init__(self, autograder: AutograderZip, support: Path):
        self.autograder = autograder
        self.module = suite.load_cases(support / suite.CASES_FILE)
        self.suite = suite.Suite(self.module.cases, autograder.references)
        sources = self.suite.references.sources().values()
        lines = {_normalised(line) for source in sources for line in source.splitlines()[1:]}
        self._reference_lines = {line for line in lines if len(line) >= 10}
        self._constants = message_constants(
            support / suite.CASES_FILE, *sorted(Path(authoring.__file__).parent.glob("*.py"))
        )

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
            report = ProbeReport.from_bytes(committed) if committed is not None else ProbeReport.nothing_committed()
        except (ValueError, TypeError, RecursionError) as error:
            return self.failed(file, digest, f"crash: the submission's process returned unreadable results ({error})")
        try:
            later = ProbeReport.from_bytes(revealed)
        except (ValueError, TypeError, RecursionError):
            # written after the reference functions were lent: JSON's error says where it broke, a number of its choice
            return self.failed(
                file, digest, "crash: the submission's process returned unreadable results after its commit"
            )
        grade = Grade(file, digest, COMPLETED, {})
        for question in self.autograder.questions.values():
            outcomes = [
                self._case(question, case, report.probes, later.probes)
                for case in question.cases
                if case.points or case.hidden
            ]
            grade.cases.extend(outcomes)
            grade.scores[question.name] = _question_score(question, outcomes)
        grade.cell_errors = [{"cell": error.cell, "error": storable(error.error[:500])} for error in report.errors]
        grade.output = storable(str(report.output)[-20000:])
        grade.variables = self._variables(report.variables)
        return grade

    def failed(self, file: str, digest: str, status: str) -> Grade:
        """A grade of zero for a submission that could not be run."""
        return Grade(file, digest, storable(status), dict.fromkeys(self.autograder.questions, 0.0))

    def _case(self, question: Question, graded, own: dict, swapped: dict) -> CaseOutcome:
        case = self.suite.case(question.name, graded.name)
        student: dict[str, wire.Value] = {}
        try:
            probe = (swapped if case.swap_in else own)[case.key]
            if not isinstance(probe, dict):
                raise wire.MalformedProbeData(f"a probe result is a {type(probe).__name__}, not an object")
            student = {key: wire.decode(value) for key, value in probe.items()}
            if case.swap_in:
                student = {key: _silenced(value) for key, value in student.items()}
            verdict = suite.judge(case, student, self.suite.expected(case), self.suite.inputs(case))
        except KeyError:
            verdict = Verdict.fail(
                say(
                    f"{question.name} 没有评分：notebook 在能检查它之前就停止了",
                    f"{question.name} was not graded: the notebook stopped before it could be checked",
                )
            )
        except wire.MalformedProbeData as error:
            # after the commit, the error would quote what the notebook wrote (a kind's name: 38 letters of its choice)
            why_zh, why_en = ("", "") if case.swap_in else (f"（{error}）", f" ({error})")
            verdict = Verdict.fail(
                say(
                    f"{question.name} 返回的数据无法读取{why_zh}",
                    f"{question.name} returned data that could not be read{why_en}",
                )
            )
        message = storable(verdict.message)
        if case.swap_in:
            quotable = QuotableNumbers(self.suite.expected(case), self.suite.inputs(case), self._constants)
            message = quotable.scrub(self._without_reference_source(message), student)
        return CaseOutcome(question.name, graded.name, graded.points, verdict.passed, message, graded.hidden)

    def _without_reference_source(self, message: str) -> str:
        """``message``, unless it quotes a line of the reference functions a swap-in case lent the notebook.

        Compared after normalising both (NFKC, case folded, letters and digits
        only), so no-break spaces, other spacing or punctuation do not hide a quote.
        """
        flat = _normalised(message)
        if any(line in flat for line in self._reference_lines):
            return HIDDEN_REFERENCE
        return message

    def _variables(self, variables) -> dict:
        """The student's values of the plotted notebook variables, as lists."""
        shown = {}
        for name in self.suite.references.recorded():
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
        return {name: _as_list(wire.decode(payload)) for name, payload in self.suite.references.recorded().items()}


# The torch types a judge may name; the grader does not import torch to look names up there.
TORCH_TYPES = frozenset({"torch.Tensor", "torch.nn.parameter.Parameter", "torch.Size", "torch.dtype", "torch.device"})


def _silenced(value: wire.Value) -> wire.Value:
    """``value`` without free text: exception messages, strings and type names the notebook chose.

    A type name is kept only if it names a real type (``_known_types``): a class the notebook
    defines can say its module is torch, with a name of its choosing."""
    text = SILENCED if value.text else ""
    type_name = (
        value.type_name if value.type_name in _known_types() or not value.type_name else "(a class of the notebook)"
    )
    return dataclasses.replace(
        value, text=text, type_name=type_name, items=tuple(_silenced(item) for item in value.items)
    )


@functools.cache
def _known_types() -> frozenset[str]:
    """Python's own types (``builtins.dict``, ``builtins.generator``), NumPy's, and TORCH_TYPES."""
    import builtins
    import types

    import numpy

    found = (*vars(builtins).values(), *vars(types).values(), *vars(numpy).values())
    return TORCH_TYPES | {
        f"{kind.__module__}.{kind.__qualname__}"
        for kind in found
        if isinstance(kind, type) and kind.__module__ in ("builtins", "numpy")
    }


def _normalised(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKC", text).casefold() if char.isalnum())


def _as_list(value: wire.Value):
    """A recorded value as (nested) lists of floats for the charts, or None."""
    if value.kind in ("tensor", "ndarray", "npscalar"):
        # An empty array of huge dimensions costs nothing to send but millions of lists here.
        if value.array.size == 0 or value.array.ndim > 3:
            return None
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
