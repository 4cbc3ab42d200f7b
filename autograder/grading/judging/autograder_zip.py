"""Read an Otter autograder zip the way the kit's grader needs it.

Otter's test files give each question its points and cases; the kit maps
every hidden case to a probe/judge pair by the ``grade_case(env, q, name)``
call in its body. Public cases must carry 0 points: they run student code
in-process with plain asserts, which a hostile notebook can defeat.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder import KitError
from autograder.authoring.reference_data import REFERENCES_FILE, ReferenceDataError, References

SUPPORT_PREFIX = "files/"


class AutograderZipError(KitError, ValueError):
    """The zip is not an Otter autograder zip the kit can grade with."""


@dataclass(frozen=True)
class GradedCase:
    question: str
    name: str
    points: float
    hidden: bool

    @property
    def key(self) -> str:
        return f"{self.question}/{self.name}"


@dataclass
class Question:
    name: str
    points: float
    all_or_nothing: bool = False
    cases: list[GradedCase] = field(default_factory=list)


@dataclass
class AutograderZip:
    """An autograder zip read once: its digest, its questions and every member, kept in memory."""

    path: Path
    digest: str
    questions: dict[str, Question]
    members: dict[str, bytes] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, path: Path) -> "AutograderZip":
        path = Path(path)
        try:
            content = path.read_bytes()
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                members = {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}
        except (OSError, zipfile.BadZipFile) as error:
            raise AutograderZipError(f"{path}: not a readable zip ({error}); run `autograder release` first") from error
        tests = {
            name: data.decode("utf-8")
            for name, data in members.items()
            if name.startswith("tests/") and name.endswith(".py")
        }
        if not tests:
            raise AutograderZipError(f"{path}: no tests/*.py inside; is this an Otter autograder zip?")
        questions = [_read_test_file(name, source, path) for name, source in sorted(tests.items())]
        return cls(path, hashlib.sha256(content).hexdigest(), {q.name: q for q in questions}, members)

    def read_member(self, member: str) -> bytes:
        """A member's bytes; raises KeyError if the zip has none of that name."""
        return self.members[member]

    @functools.cached_property
    def references(self) -> References:
        """The reference data release stored in the zip, parsed on first use.

        Raises:
            ReferenceDataError: the zip holds none, or one the kit cannot read.
        """
        where = f"{self.path}:{SUPPORT_PREFIX}{REFERENCES_FILE}"
        if SUPPORT_PREFIX + REFERENCES_FILE not in self.members:
            raise ReferenceDataError(f"{where}: no reference data in the zip; run `autograder release` again")
        return References.from_json(self.members[SUPPORT_PREFIX + REFERENCES_FILE], where=where)

    def manual_questions(self) -> dict[str, float]:
        """Written question → points, as release recorded them with the references ({} for older zips)."""
        try:
            return self.references.written_questions()
        except ReferenceDataError:
            return {}

    def extract_support(self, target: Path, *, skip: tuple[str, ...] = ()) -> None:
        """Write the zip's files/ (data, cases, kit modules) to ``target``, less ``skip``."""
        for member, data in self.members.items():
            if not member.startswith(SUPPORT_PREFIX) or member[len(SUPPORT_PREFIX) :] in skip:
                continue
            relative = Path(member[len(SUPPORT_PREFIX) :])
            if ".." in relative.parts or relative.is_absolute():
                raise AutograderZipError(f"{self.path}: unsafe path {member!r} inside")
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)

    @property
    def possible(self) -> float:
        return sum(q.points for q in self.questions.values())


def _literal(node: ast.AST, what: str, where: str):
    try:
        return ast.literal_eval(node)
    except ValueError as error:
        raise AutograderZipError(f"{where}: {what} is not a literal") from error


def _read_test_file(member: str, source: str, zip_path: Path) -> Question:
    where = f"{zip_path}:{member}"
    tree = ast.parse(source)
    settings = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            settings[node.targets[0].id] = _literal(node.value, node.targets[0].id, where)
    if settings.get("OK_FORMAT") is not False:
        raise AutograderZipError(
            f"{where}: OK-format tests; the kit needs exception-based tests (tests: ok_format: false)"
        )
    question = Question(str(settings["name"]), 0.0, bool(settings.get("all_or_nothing", False)))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            question.cases.append(_read_case(node, question.name, where))
    total = settings.get("points")
    question.points = float(total) if isinstance(total, (int, float)) else sum(c.points for c in question.cases)
    if abs(sum(c.points for c in question.cases) - question.points) > 1e-9:
        raise AutograderZipError(
            f"{where}: give every test case its points; they must add up to the question's {question.points:g}"
        )
    return question


def _read_case(node: ast.FunctionDef, question: str, where: str) -> GradedCase:
    decorator = next(
        (d for d in node.decorator_list if isinstance(d, ast.Call) and getattr(d.func, "id", "") == "test_case"), None
    )
    if decorator is None:
        raise AutograderZipError(f"{where}: {node.name} is not a @test_case")
    options = {kw.arg: _literal(kw.value, kw.arg, where) for kw in decorator.keywords}
    points, hidden = float(options.get("points") or 0), bool(options.get("hidden", False))
    call = next(
        (c for c in ast.walk(node) if isinstance(c, ast.Call) and getattr(c.func, "id", "") == "grade_case"), None
    )
    if call is None:
        if points:
            raise AutograderZipError(
                f"{where}: public test {node.name} carries {points:g} points; the kit grades only grade_case() cases, "
                "so give public tests 0 points"
            )
        return GradedCase(question, node.name, 0.0, hidden)
    case_question, case_name = (_literal(arg, "grade_case argument", where) for arg in call.args[1:3])
    if case_question != question:
        raise AutograderZipError(
            f"{where}: {node.name} grades case {case_question}/{case_name} under question {question}"
        )
    return GradedCase(question, str(case_name), points, hidden)
