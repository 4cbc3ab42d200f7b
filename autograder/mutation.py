"""``autograder validate``: do the hidden cases catch a broken solution?

Mutation testing of an assignment's hidden cases. For each question, the
function its solution cell defines is mutated one small change at a time
(an operator or a constant changed, a statement or a method call dropped,
two arguments swapped, a minus sign added or removed). Each mutant replaces
the solution's function in a forked copy of the solved notebook's namespace
and faces the question's hidden cases, judged against the references
release computes. A mutant that fails a case, crashes or runs past the time
limit is caught; the rest survive and are listed, except known-equivalent
mutants (a table below, each with its reason), which are reported apart.
"""
from __future__ import annotations

import ast
import copy
import faulthandler
import json
import os
import re
import select
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import nbformat
import yaml

from autograder import suite
from autograder.assignment import Assignment
from autograder.solving import SolutionFails, solve

MUTANT_TIMEOUT = 20.0
WORKERS = 2
TARGET_SCORE = 0.9

ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
COMPARISONS = (ast.GtE, ast.Gt, ast.LtE, ast.Lt, ast.Eq, ast.NotEq)
_STATEMENT_LISTS = ("body", "orelse", "finalbody")
# Where a minus sign may be put in front of an expression.
_MINUS_SITES = {
    (ast.BinOp, "left"), (ast.BinOp, "right"), (ast.Call, "args"), (ast.Return, "value"),
    (ast.Assign, "value"), (ast.AugAssign, "value"), (ast.Compare, "left"), (ast.Compare, "comparators"),
}
# Never negated: literals that cannot be numbers (numbers get their own changes).
_NOT_NEGATED = (ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.JoinedStr, ast.Lambda, ast.Starred)
# `torch.no_grad()` -> `torch` is no mistake anyone makes: calls on modules are never dropped.
_MODULE_NAMES = frozenset({"torch", "nn", "F", "np", "numpy", "math"})
_SNIPPET_CHARS = 70
_MARKER = re.compile(r"^\s*#\s*(BEGIN|END)\s+(QUESTION|SOLUTION|TESTS)\b", re.IGNORECASE)


class MutationError(RuntimeError):
    """Mutation testing could not run (no function to mutate, or the solution fails)."""


# The mutator --------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    """One small change to a function.

    Attributes:
        function: the mutated function's name.
        line: line of the change, counting the ``def`` line as 1.
        operator: the kind of change, e.g. "arithmetic", "drop statement".
        before, after: the changed code, before and after (trimmed).
        statement: the original statement holding the change (first line).
        source: the whole mutated function, ready to exec.
    """

    function: str
    line: int
    operator: str
    before: str
    after: str
    statement: str
    source: str

    @property
    def description(self) -> str:
        return f"line {self.line}: {self.before} -> {self.after}"


Edit = Callable[[ast.AST], ast.AST]


def mutate(source: str) -> list[Mutant]:
    """Every mutant of the one function defined in ``source``, in a fixed order.

    Raises:
        MutationError: ``source`` does not define exactly one function.
    """
    function = _only_function(source)
    original = ast.unparse(function)
    seen = {original}
    mutants = []
    for position, (node, parent, field_name, statement) in enumerate(_walk(function)):
        for operator, edit in _edits(node, parent, field_name):
            mutant = _apply(function, position, operator, edit, statement)
            if mutant.source not in seen:  # two edits may write the same code
                seen.add(mutant.source)
                mutants.append(mutant)
    return mutants


def _only_function(source: str) -> ast.FunctionDef:
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise MutationError(f"cannot parse the function to mutate: {error}") from error
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    if len(functions) != 1:
        raise MutationError(f"expected one function to mutate, found {len(functions)} in {source.strip()[:80]!r}")
    return functions[0]


def _walk(function: ast.FunctionDef) -> Iterator[tuple[ast.AST, ast.AST, str, ast.stmt]]:
    """(node, parent, field, enclosing statement) under the body, in a fixed pre-order."""

    def visit(node, parent, field_name, statement):
        statement = node if isinstance(node, ast.stmt) else statement
        yield node, parent, field_name, statement
        for name, value in ast.iter_fields(node):
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    yield from visit(child, node, name, statement)

    for statement in function.body:
        yield from visit(statement, function, "body", statement)


def _edits(node: ast.AST, parent: ast.AST, field_name: str) -> Iterator[tuple[str, Edit]]:
    """The changes that apply at ``node``, each as (operator, edit)."""
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ARITHMETIC):
        for op in ARITHMETIC:
            if not isinstance(node.op, op):
                yield "arithmetic", _set_attribute("op", op)
    if isinstance(node, ast.Compare):
        for index, current in enumerate(node.ops):
            for op in COMPARISONS:
                if isinstance(current, COMPARISONS) and not isinstance(current, op):
                    yield "comparison", _set_compare(index, op)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "remove minus", lambda n: n.operand
    elif (type(parent), field_name) in _MINUS_SITES and not isinstance(node, _NOT_NEGATED):
        yield "insert minus", lambda n: ast.UnaryOp(ast.USub(), n)
    if _is_number(node):
        for value in _constant_values(node.value):
            yield "constant", _set_constant(value)
    if isinstance(node, ast.stmt) and field_name in _STATEMENT_LISTS and not isinstance(node, ast.Pass) and not _is_docstring(node):
        yield "drop statement", lambda n: ast.Pass()
    if isinstance(node, ast.Call):
        positional = [arg for arg in node.args if not isinstance(arg, ast.Starred)]
        for i in range(len(positional)):
            for j in range(i + 1, len(positional)):
                if ast.dump(positional[i]) != ast.dump(positional[j]):
                    yield "swap arguments", _swap_arguments(i, j)
    if _is_droppable_call(node):
        yield "drop call", lambda n: n.func.value


def _apply(function: ast.FunctionDef, position: int, operator: str, edit: Edit, statement: ast.stmt) -> Mutant:
    tree = copy.deepcopy(function)
    node, parent, field_name, _ = list(_walk(tree))[position]
    before = ast.unparse(node)
    line = node.lineno - function.lineno + 1
    replacement = edit(node)
    slot = getattr(parent, field_name)
    if isinstance(slot, list):
        slot[slot.index(node)] = replacement
    else:
        setattr(parent, field_name, replacement)
    return Mutant(
        function=function.name,
        line=line,
        operator=operator,
        before=_trim(before.splitlines()[0]),
        after=_trim(ast.unparse(replacement).splitlines()[0]),
        statement=_trim(ast.unparse(statement).splitlines()[0]),
        source=ast.unparse(tree),
    )


def _set_attribute(name: str, op: type) -> Edit:
    def edit(node):
        setattr(node, name, op())
        return node

    return edit


def _set_compare(index: int, op: type) -> Edit:
    def edit(node):
        node.ops[index] = op()
        return node

    return edit


def _set_constant(value: float) -> Edit:
    # A negative literal is a minus in front of a number, as Python parses it.
    return lambda node: ast.UnaryOp(ast.USub(), ast.Constant(-value)) if value < 0 else ast.Constant(value)


def _swap_arguments(i: int, j: int) -> Edit:
    def edit(node):
        positions = [k for k, arg in enumerate(node.args) if not isinstance(arg, ast.Starred)]
        a, b = positions[i], positions[j]
        node.args[a], node.args[b] = node.args[b], node.args[a]
        return node

    return edit


def _constant_values(value: float) -> list[float]:
    """c -> 0, c + 1, -c, 2c, without repeats or c itself."""
    values = []
    for candidate in (type(value)(0), value + 1, -value, value * 2):
        if candidate != value and candidate not in values:
            values.append(candidate)
    return values


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _is_droppable_call(node: ast.AST) -> bool:
    """A method call without positional arguments, like ``.mean()`` or ``.clamp(min=0)``."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)) or node.args:
        return False
    receiver = node.func.value
    return not (isinstance(receiver, ast.Name) and receiver.id in _MODULE_NAMES)


def _trim(text: str) -> str:
    return text if len(text) <= _SNIPPET_CHARS else text[: _SNIPPET_CHARS - 3] + "..."


# Known-equivalent mutants -------------------------------------------------------


@dataclass(frozen=True)
class Equivalence:
    """A kind of mutant that is a correct answer too, and why."""

    name: str
    reason: str
    matches: Callable[[Mutant], bool]


def _tiny_positive(text: str) -> bool:
    try:
        return 0 < float(text) <= 1e-6
    except ValueError:
        return False


def _clamp_floor_kept_tiny(mutant: Mutant) -> bool:
    return mutant.operator == "constant" and ".clamp(" in mutant.statement and _tiny_positive(mutant.before) and _tiny_positive(mutant.after)


def _bool_kept_for_equality(mutant: Mutant) -> bool:
    """`name = (a >= b).float()` -> `name = a >= b`, where `name` is only ever compared by == or !=."""
    match = re.fullmatch(r"(\w+) = \(.+ [<>]=? .+\)\.float\(\)", mutant.statement)
    if mutant.operator != "drop call" or not match or not mutant.before.endswith(".float()"):
        return False
    name, function = match.group(1), _only_function(mutant.source)
    uses = [node for node in ast.walk(function) if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)]
    compared = {id(operand) for node in ast.walk(function) if isinstance(node, ast.Compare) and all(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops) for operand in [node.left, *node.comparators]}
    return bool(uses) and all(id(use) in compared for use in uses)


def _loss_kept_as_tensor(mutant: Mutant) -> bool:
    return mutant.operator == "drop call" and re.fullmatch(r"\w+\.append\(\w+\.item\(\)\)", mutant.statement) is not None


KNOWN_EQUIVALENTS = (
    Equivalence(
        "clamp floor",
        "any tiny positive clamp floor is correct (the task asks for 'a tiny positive number'); it only changes the loss at exact 0s and 1s",
        _clamp_floor_kept_tiny,
    ),
    Equivalence(
        "bool prediction",
        "`==` promotes a bool tensor to float, so leaving the thresholded prediction bool gives the same share",
        _bool_kept_for_equality,
    ),
    Equivalence(
        "tensor loss",
        "the train cases accept each recorded loss as a float or a 0-dim tensor, so dropping .item() before append is a correct answer",
        _loss_kept_as_tensor,
    ),
)


def equivalence_of(mutant: Mutant) -> Equivalence | None:
    """The table entry that declares ``mutant`` equivalent, if any."""
    return next((entry for entry in KNOWN_EQUIVALENTS if entry.matches(mutant)), None)


# Which function each question asks for ------------------------------------------


def question_functions(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """Question name -> source of the function its solution cells define.

    Solution cells are the code cells between raw ``# BEGIN SOLUTION`` and
    ``# END SOLUTION`` cells inside a question. A question whose solution
    defines several functions is represented by the one named like it.

    Raises:
        MutationError: a question's solution defines several functions, none
            named like the question.
    """
    found: dict[str, list[tuple[str, str]]] = {}
    question, in_solution = None, False
    for index, cell in enumerate(notebook.cells):
        marker = _marker(cell)
        if marker == ("BEGIN", "QUESTION"):
            question = _question_name(cell.source, index)
        elif marker == ("END", "QUESTION"):
            question = None
        elif marker and marker[1] == "SOLUTION":
            in_solution = marker[0] == "BEGIN"
        elif cell.cell_type == "code" and question and in_solution:
            found.setdefault(question, []).extend(_defined_functions(cell.source))
    return {question: _pick(question, functions) for question, functions in found.items() if functions}


def _question_name(source: str, index: int) -> str:
    config = yaml.safe_load(source.split("\n", 1)[1] if "\n" in source else "") or {}
    return str(config.get("name", f"cell {index}"))


def _marker(cell: nbformat.NotebookNode) -> tuple[str, str] | None:
    if cell.cell_type != "raw":
        return None
    match = _MARKER.match(cell.source.strip().split("\n", 1)[0])
    return (match.group(1).upper(), match.group(2).upper()) if match else None


def _defined_functions(source: str) -> list[tuple[str, str]]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [(node.name, ast.get_source_segment(source, node)) for node in tree.body if isinstance(node, ast.FunctionDef)]


def _pick(question: str, functions: list[tuple[str, str]]) -> str:
    if len(functions) == 1:
        return functions[0][1]
    named = [source for name, source in functions if name == question]
    if not named:
        raise MutationError(f"question {question}: its solution defines {[name for name, _ in functions]}; name one of them {question!r} so validate knows which to mutate")
    return named[0]


# Running mutants in forked children ---------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """How one job in a forked child ended: its JSON result, or why there is none."""

    result: dict | None
    problem: str = ""


@dataclass
class _Child:
    index: int
    pid: int
    deadline: float
    data: bytearray = field(default_factory=bytearray)


def run_forked(jobs: list[Callable[[], dict]], *, workers: int = WORKERS, timeout: float = MUTANT_TIMEOUT) -> list[Outcome]:
    """Run each job in a forked child, ``workers`` at a time; kill any past ``timeout`` s.

    A job returns a JSON-serialisable dict. Children share the parent's
    memory copy-on-write, so whatever a job changes stays in its child.
    Returns one Outcome per job, in the order of ``jobs``.
    """
    outcomes: list[Outcome | None] = [None] * len(jobs)
    pending = list(enumerate(jobs))[::-1]
    running: dict[int, _Child] = {}  # by the read end of its pipe
    try:
        while pending or running:
            while pending and len(running) < workers:
                index, job = pending.pop()
                fd, pid = _fork(job)
                running[fd] = _Child(index, pid, time.monotonic() + timeout)
            for index, outcome in _wait(running, timeout=timeout):
                outcomes[index] = outcome
    finally:
        for fd, child in running.items():
            _kill(child.pid, fd)
    return outcomes


def _wait(running: dict[int, _Child], *, timeout: float) -> list[tuple[int, Outcome]]:
    """Read what children wrote until one finishes or a deadline passes; return (index, outcome) of those done."""
    soonest = min(child.deadline for child in running.values())
    ready, _, _ = select.select(list(running), [], [], max(0.0, soonest - time.monotonic()))
    done = []
    for fd in ready:
        chunk = os.read(fd, 65536)
        if chunk:
            running[fd].data.extend(chunk)
        else:
            child = running.pop(fd)
            os.close(fd)
            done.append((child.index, _finish(child.pid, bytes(child.data))))
    now = time.monotonic()
    for fd in [fd for fd, child in running.items() if child.deadline <= now]:
        child = running.pop(fd)
        _kill(child.pid, fd)
        done.append((child.index, Outcome(None, f"ran longer than {timeout:g} s")))
    return done


def _fork(job: Callable[[], dict]) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(job, write_end)
    os.close(write_end)
    return read_end, pid


def _child(job: Callable[[], dict], write_end: int) -> None:
    """Run ``job`` and write its JSON to ``write_end``. Never returns."""
    code = 1
    try:
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        faulthandler.disable()  # a mutant's crash is a result here, not a bug to dump
        if "torch" in sys.modules:
            # An OpenMP pool the parent started does not survive the fork.
            sys.modules["torch"].set_num_threads(1)
        data = json.dumps(job()).encode()
        while data:
            data = data[os.write(write_end, data):]
        code = 0
    finally:
        os._exit(code)


def _finish(pid: int, data: bytes) -> Outcome:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return Outcome(None, f"crashed ({signal.Signals(os.WTERMSIG(status)).name})")
    try:
        return Outcome(json.loads(data))
    except ValueError:
        return Outcome(None, f"crashed (exit code {os.waitstatus_to_exitcode(status)}, no result)")


def _kill(pid: int, fd: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)


# Validation ---------------------------------------------------------------------


@dataclass
class QuestionScore:
    """How well one question's hidden cases catch mutants of its solution.

    Attributes:
        total: mutants generated, equivalent ones included.
        caught: non-equivalent mutants that failed a case, crashed or timed out.
        equivalent: (description, reason) of mutants excluded as equivalent.
        survivors: descriptions of non-equivalent mutants every case passed.
        equivalent_caught: equivalent mutants some case still fails: the
            cases may reject a correct answer.
        caught_by: case key (or "timeout", "crash") -> mutants it caught first.
    """

    question: str
    function: str
    total: int = 0
    caught: int = 0
    equivalent: list[tuple[str, str]] = field(default_factory=list)
    survivors: list[str] = field(default_factory=list)
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


@dataclass
class _Solved:
    namespace: dict
    suite: suite.Suite


def validate(assignment: Assignment, *, questions: tuple[str, ...] = (), workers: int = WORKERS, timeout: float = MUTANT_TIMEOUT) -> MutationReport:
    """Mutate each question's solution function and run the hidden cases on every mutant.

    Args:
        assignment: the assignment whose source notebook and cases to use.
        questions: only these questions (default: every question with a solution function).
        workers: mutants run at once, each in a forked child.
        timeout: seconds before a mutant is killed (and counted as caught).

    Raises:
        MutationError: a named question has no solution function, the
            solution fails in the notebook, or the unmutated function fails its cases.
        suite.SuiteError: the cases module is missing or inconsistent.
    """
    started = time.monotonic()
    source = nbformat.read(assignment.source_notebook, as_version=4)
    functions = _selected(question_functions(source), questions)
    with tempfile.TemporaryDirectory(prefix=f"validate-{assignment.name}-") as scratch:
        solved = _solve(assignment, source, Path(scratch))
        plan = [(question, mutant) for question, function in functions.items() for mutant in [None, *mutate(function)]]
        outcomes = run_forked([_job(solved, question, mutant) for question, mutant in plan], workers=workers, timeout=timeout)
    scores = {question: QuestionScore(question, _only_function(function).name) for question, function in functions.items()}
    for (question, mutant), outcome in zip(plan, outcomes):
        _record(scores[question], mutant, outcome)
    return MutationReport(assignment.name, list(scores.values()), time.monotonic() - started, workers)


def _selected(functions: dict[str, str], questions: tuple[str, ...]) -> dict[str, str]:
    unknown = [question for question in questions if question not in functions]
    if unknown:
        raise MutationError(f"no solution function for question {unknown}; questions with one: {', '.join(functions) or 'none'}")
    return {question: source for question, source in functions.items() if not questions or question in questions}


def _solve(assignment: Assignment, source: nbformat.NotebookNode, workdir: Path) -> _Solved:
    """Run the solution notebook and compute the references, as release does."""
    if not assignment.data_file.is_file():
        raise MutationError(f"{assignment.data_file}: no data set; run `autograder make-data` first")
    try:
        solved = solve(assignment, source, workdir)
    except SolutionFails as error:
        raise MutationError(f"{error}; fix it before validating") from error
    return _Solved(solved.namespace, suite.Suite(solved.cases, solved.references))


def _job(solved: _Solved, question: str, mutant: Mutant | None) -> Callable[[], dict]:
    """Define the mutant (or, for None, the unmutated function) and run the question's cases."""

    def run() -> dict:
        # The child owns a copy-on-write copy of the whole namespace, so the
        # mutant can be defined in place: notebook helpers that call the
        # function (logistic_regression -> sigmoid) see the mutant too.
        namespace = solved.namespace
        if mutant is not None:
            exec(compile(mutant.source, f"<mutant {mutant.description}>", "exec"), namespace)
        for case in solved.suite.cases:
            if case.question == question:
                verdict = suite.run_in_process(solved.suite, case, namespace)
                if not verdict.passed:
                    return {"failed": case.key, "message": verdict.message[:300]}
        return {"failed": None}

    return run


def _record(score: QuestionScore, mutant: Mutant | None, outcome: Outcome) -> None:
    failed = outcome.result.get("failed") if outcome.result else None
    caught_by = failed or ("timeout" if outcome.problem.startswith("ran longer") else "crash" if outcome.problem else None)
    if mutant is None:
        if caught_by:
            detail = outcome.result.get("message") if outcome.result else outcome.problem
            raise MutationError(f"question {score.question}: the unmutated {score.function} fails {caught_by} ({detail}); validate needs a solution that passes its own cases")
        return
    score.total += 1
    equivalent = equivalence_of(mutant)
    if equivalent:
        score.equivalent.append((mutant.description, equivalent.reason))
        if caught_by:
            score.equivalent_caught.append(f"{mutant.description} (fails {caught_by})")
    elif caught_by:
        score.caught += 1
        score.caught_by[caught_by] = score.caught_by.get(caught_by, 0) + 1
    else:
        score.survivors.append(mutant.description)


def format_report(report: MutationReport, *, target: float = TARGET_SCORE) -> str:
    """The report as text: a table of scores, then equivalents and survivors per question."""
    total = sum(question.total for question in report.questions)
    lines = [
        f"Mutation testing of {report.assignment}: {total} mutants in {report.seconds:.1f} s ({report.workers} workers)",
        f"{'question':<14}{'function':<14}{'mutants':>8}{'equiv.':>8}{'caught':>8}{'score':>8}",
    ]
    for question in report.questions:
        flag = "" if question.score >= target else f"  below {target:.0%}"
        lines.append(f"{question.question:<14}{question.function:<14}{question.total:>8}{len(question.equivalent):>8}{question.caught:>8}{question.score:>8.0%}{flag}")
    for question in report.questions:
        if question.equivalent:
            lines.append(f"\n{question.question}: equivalent, not counted")
            lines.extend(f"  {description}: {reason}" for description, reason in question.equivalent)
        if question.equivalent_caught:
            lines.append(f"\n{question.question}: equivalent but failed by a case (does a case reject a correct answer?)")
            lines.extend(f"  {item}" for item in question.equivalent_caught)
        if question.survivors:
            lines.append(f"\n{question.question}: survivors (no hidden case fails them)")
            lines.extend(f"  {description}" for description in question.survivors)
    return "\n".join(lines)
