"""``autograder validate``: do the hidden cases catch a broken solution?

For each question, the definition its solution cells write (a function, or a
class such as an ``nn.Module``) is mutated one change at a time. Each mutant
replaces the solution's definition in a forked copy of the solved notebook
and faces the question's hidden cases, judged against the references release
computes. A mutant that fails a case, crashes or runs past the time limit is
caught; the rest survive and are listed, except mutants the assignment
declares equivalent (``EQUIVALENT_MUTANTS`` in its cases file), which are
reported apart with their reasons.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograder import definitions
from autograder.assignment import Assignment
from autograder.authoring import suite
from autograder.authoring.mutants import Equivalent
from autograder.forking import Outcome, run_forked
from autograder.release.mutation.mutator import Mutant, MutationError, mutate, only_definition
from autograder.release.solving import Solved, solved_for
from autograder.release.source_notebook import SourceNotebook

MUTANT_TIMEOUT = 20.0
WORKERS = 2
TARGET_SCORE = 0.9


@dataclass
class QuestionScore:
    """How well one question's hidden cases catch mutants of its solution.

    Attributes:
        total: mutants generated, equivalent ones included.
        caught: non-equivalent mutants that failed a case, crashed or timed out.
        equivalent: (description, reason) of mutants excluded as equivalent.
        survivors: non-equivalent mutants every case passed.
        equivalent_caught: equivalent mutants some case still fails: the
            cases may reject a correct answer.
        caught_by: case key (or "timeout", "crash") -> mutants it caught first.
    """

    question: str
    function: str
    total: int = 0
    caught: int = 0
    equivalent: list[tuple[str, str]] = field(default_factory=list)
    survivors: list[Mutant] = field(default_factory=list)
    equivalent_caught: list[str] = field(default_factory=list)
    caught_by: dict[str, int] = field(default_factory=dict)

    @property
    def score(self) -> float:
        """caught / (total - equivalent); 1.0 when nothing is left to catch."""
        judged = self.total - len(self.equivalent)
        return self.caught / judged if judged else 1.0


@dataclass
class MutationReport:
    assignment: str
    questions: list[QuestionScore]
    seconds: float
    workers: int

    def below(self, target: float = TARGET_SCORE) -> list[QuestionScore]:
        """Questions whose score is under ``target``."""
        return [question for question in self.questions if question.score < target]


def question_definitions(source: SourceNotebook) -> dict[str, str]:
    """Question name -> source of the function or class its solution cells define.

    A question whose solution defines several is represented by the one named
    like it.

    Raises:
        MutationError: a question's solution defines several, none named like the question.
    """
    found = {}
    for question in source.questions:
        defined = definitions.definitions(source.solution_sources(question))
        if not defined:
            continue
        if len(defined) == 1:
            found[question.name] = next(iter(defined.values()))
        elif question.name in defined:
            found[question.name] = defined[question.name]
        else:
            raise MutationError(
                f"question {question.name}: its solution defines {list(defined)}; name one of them {question.name!r} "
                "so validate knows which to mutate"
            )
    return found


def equivalence_of(mutant: Mutant, equivalents: tuple[Equivalent, ...]) -> Equivalent | None:
    """The declared entry that calls ``mutant`` a correct answer, if any."""
    return next((entry for entry in equivalents if entry.matches(mutant)), None)


def validate(
    assignment: Assignment,
    *,
    questions: tuple[str, ...] = (),
    workers: int = WORKERS,
    timeout: float = MUTANT_TIMEOUT,
    solved: Solved | None = None,
) -> MutationReport:
    """Mutate each question's solution definition and run the hidden cases on every mutant.

    Args:
        assignment: the assignment whose source notebook and cases to use.
        questions: only these questions (default: every question with a solution definition).
        workers: mutants run at once, each in a forked child.
        timeout: seconds before a mutant is killed (and counted as caught).
        solved: the solution already run by release; None runs it here.

    Raises:
        MutationError: a named question has no solution definition, or the
            unmutated definition fails its cases.
        KitError: the solution or the cases file cannot be run (see release).
    """
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"validate-{assignment.name}-") as scratch:
        if solved is None:
            solved = solved_for(assignment, Path(scratch))
        chosen = _selected(question_definitions(solved.source), questions)
        checked = suite.Suite(solved.cases.cases, solved.references)
        plan = [(question, mutant) for question, source in chosen.items() for mutant in [None, *mutate(source)]]
        outcomes = run_forked(
            [_job(solved.namespace, checked, question, mutant) for question, mutant in plan],
            workers=workers,
            timeout=timeout,
        )
    scores = {question: QuestionScore(question, only_definition(source).name) for question, source in chosen.items()}
    for (question, mutant), outcome in zip(plan, outcomes):
        _record(scores[question], mutant, outcome, solved.cases.equivalents)
    return MutationReport(assignment.name, list(scores.values()), time.monotonic() - started, workers)


def _selected(functions: dict[str, str], questions: tuple[str, ...]) -> dict[str, str]:
    unknown = [question for question in questions if question not in functions]
    if unknown:
        raise MutationError(
            f"no solution function for question {unknown}; questions with one: {', '.join(functions) or 'none'}"
        )
    return {question: source for question, source in functions.items() if not questions or question in questions}


def _job(namespace: dict, checked: suite.Suite, question: str, mutant: Mutant | None) -> Callable[[], dict]:
    """Define the mutant (or, for None, the unmutated definition) and run the question's cases."""

    def run() -> dict:
        # The child owns a copy-on-write copy of the whole namespace, so the
        # mutant can be defined in place: notebook helpers that call the
        # definition see the mutant too.
        if mutant is not None:
            exec(compile(mutant.source, f"<mutant {mutant.description}>", "exec"), namespace)
        for case in checked.cases:
            if case.question == question:
                verdict = suite.run_in_process(checked, case, namespace)
                if not verdict.passed:
                    return {"failed": case.key, "message": verdict.message[:300]}
        return {"failed": None}

    return run


def _record(score: QuestionScore, mutant: Mutant | None, outcome: Outcome, equivalents: tuple[Equivalent, ...]) -> None:
    failed = outcome.result.get("failed") if outcome.result else None
    caught_by = failed or (
        "timeout" if outcome.problem.startswith("ran longer") else "crash" if outcome.problem else None
    )
    if mutant is None:
        if caught_by:
            detail = outcome.result.get("message") if outcome.result else outcome.problem
            raise MutationError(
                f"question {score.question}: the unmutated {score.function} fails {caught_by} ({detail}); validate "
                "needs a solution that passes its own cases"
            )
        return
    score.total += 1
    equivalent = equivalence_of(mutant, equivalents)
    if equivalent:
        score.equivalent.append((mutant.description, equivalent.reason))
        if caught_by:
            score.equivalent_caught.append(f"{mutant.description} (fails {caught_by})")
    elif caught_by:
        score.caught += 1
        score.caught_by[caught_by] = score.caught_by.get(caught_by, 0) + 1
    else:
        score.survivors.append(mutant)


def format_report(report: MutationReport, *, target: float = TARGET_SCORE) -> str:
    """The report as text: a table of scores, then equivalents and survivors per question."""
    total = sum(question.total for question in report.questions)
    # Name columns as wide as the longest name, plus a gap (16 at least, as before).
    names = max([15, *(len(q.question) for q in report.questions)]) + 1
    functions = max([15, *(len(q.function) for q in report.questions)]) + 1
    lines = [
        f"Mutation testing of {report.assignment}: {total} mutants in {report.seconds:.1f} s "
        f"({report.workers} workers)",
        f"{'question':<{names}}{'definition':<{functions}}{'mutants':>8}{'equiv.':>8}{'caught':>8}{'score':>8}",
    ]
    for question in report.questions:
        flag = "" if question.score >= target else f"  below {target:.0%}"
        lines.append(
            f"{question.question:<{names}}{question.function:<{functions}}{question.total:>8}{len(question.equivalent):>8}{question.caught:>8}{question.score:>8.0%}{flag}"
        )
    for question in report.questions:
        if question.equivalent:
            lines.append(f"\n{question.question}: equivalent, not counted")
            lines.extend(f"  {description}: {reason}" for description, reason in question.equivalent)
        if question.equivalent_caught:
            lines.append(
                f"\n{question.question}: equivalent but failed by a case (does a case reject a correct answer?)"
            )
            lines.extend(f"  {item}" for item in question.equivalent_caught)
        if question.survivors:
            lines.append(f"\n{question.question}: survivors (no hidden case fails them)")
            lines.extend(f"  {mutant.description}  [operator {mutant.operator!r}]" for mutant in question.survivors)
            lines.append(
                "  Add a hidden case that fails each one; a survivor that is a correct answer too goes in cases.py:"
            )
            lines.append("    EQUIVALENT_MUTANTS = [")
            lines.extend(f"        {equivalent_entry(mutant)}," for mutant in question.survivors)
            lines.append("    ]")
    return "\n".join(lines)


def equivalent_entry(mutant: Mutant) -> str:
    """An ``Equivalent(...)`` declaration matching ``mutant`` alone, with its reason left to write."""
    return (
        f'Equivalent("<why this is a correct answer too>", function={mutant.function!r}, '
        f'operator={mutant.operator!r}, before=r"{_pattern(mutant.before)}", after=r"{_pattern(mutant.after)}")'
    )


def _pattern(snippet: str) -> str:
    """A regular expression for a changed snippet as the report shows it (a long one ends in "...")."""
    if snippet.endswith("..."):
        return "^" + re.escape(snippet[:-3]).replace('"', '\\"')
    return "^" + re.escape(snippet).replace('"', '\\"') + "$"
