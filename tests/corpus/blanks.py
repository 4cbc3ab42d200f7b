"""Honest submissions of any assignment: the released student template with its blanks filled.

An assignment's corpus (``tests/corpus/<assignment>.py``) lists entries: a correct
answer in one of several styles, or one typical mistake in one question, each
with the points a fair grader gives. Questions an entry leaves out keep the
course-style answer, so a mistake must cost points on its own question only.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
import math
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import nbformat


class BlankCellNotFound(LookupError):
    """The template has no blank cell ``def name(...): ...`` (or ``class name`` with blank methods) to fill in."""


def code(source: str) -> str:
    return textwrap.dedent(source).strip() + "\n"


@dataclass(frozen=True)
class Submission:
    """One student's notebook, described by the answers that differ from the course's.

    Attributes:
        name: file stem of the notebook; says what the student did.
        description: one line: the style of a correct entry, or its mistake.
        answers: question → the source the student wrote; missing questions get the course style.
        expected: question → the points a fair grader gives (missing: full marks).
        says: words of the diagnosis (its English half, or part of it) that the failing public check
            and the hidden feedback both show: the mistake is named, not only found.
    """

    name: str
    description: str
    answers: Mapping[str, str] = field(default_factory=dict)
    expected: Mapping[str, float] = field(default_factory=dict)
    says: str = ""


@dataclass(frozen=True)
class Corpus:
    """An assignment's honest corpus.

    Attributes:
        assignment: the assignment's name.
        points: question → its points.
        course_style: question → the course's own correct answer.
        definitions: question → the name its blank defines (default: the question's name).
        entries: the submissions.
        demo: names of the entries bundled in examples/submissions/<assignment>/.
    """

    assignment: str
    points: Mapping[str, float]
    course_style: Mapping[str, str]
    entries: list[Submission]
    demo: tuple[str, ...] = ()
    definitions: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        # An entry's expected scores are completed here: questions it leaves out earn full marks.
        full = [
            dataclasses.replace(e, expected={q: float(e.expected.get(q, p)) for q, p in self.points.items()})
            for e in self.entries
        ]
        self.entries[:] = full

    def is_correct(self, entry: Submission) -> bool:
        return dict(entry.expected) == dict(self.points)

    def submission(self, name: str) -> Submission:
        """The entry called ``name``; raises KeyError listing the known names."""
        for entry in self.entries:
            if entry.name == name:
                return entry
        raise KeyError(
            f"no honest {self.assignment} submission {name!r}; known: {', '.join(e.name for e in self.entries)}"
        )

    def combined_mistakes(self) -> list[Submission]:
        """Notebooks that each carry mistakes in several questions at once, as few as can be.

        A mistake costs points on its own question only, so mistakes in different questions
        compose. Each question gets the set of notebooks that carry a mistake in it, at least one
        per kind of mistake (a distinct score) it has, and no set inside another. So for any two
        questions some notebook has a mistake in the first and full marks in the second (a
        question that wrongly used another's answer would show), every question has full marks in
        some notebook, and together the notebooks show every question's every score the corpus
        gives.
        """
        kinds = self._mistake_kinds()
        questions = [question for question in self.points if question in kinds]
        carriers = _separating_sets({question: len(kinds[question]) for question in questions})
        picks: list[dict[str, Submission]] = (
            [{} for _ in range(1 + max(max(found) for found in carriers.values()))] if carriers else []
        )
        for question in questions:
            for shown, notebook in enumerate(sorted(carriers[question])):
                picks[notebook][question] = kinds[question][shown % len(kinds[question])]
        return [self._combine(number, chosen) for number, chosen in enumerate((p for p in picks if p), start=1)]

    def _mistake_kinds(self) -> dict[str, list[Submission]]:
        """question → the first entry of each distinct score a mistake in it gets."""
        kinds: dict[str, dict[float, Submission]] = {}
        for entry in self.entries:
            lost = [question for question, score in entry.expected.items() if score != self.points[question]]
            if lost and (len(lost) > 1 or set(entry.answers) != set(lost)):
                raise ValueError(f"{entry.name}: a mistake entry answers exactly the one question it loses points on")
            if lost:
                kinds.setdefault(lost[0], {}).setdefault(entry.expected[lost[0]], entry)
        return {question: list(found.values()) for question, found in kinds.items()}

    def _combine(self, number: int, chosen: dict[str, Submission]) -> Submission:
        return Submission(
            f"mistakes_combined_{number}",
            "; ".join(f"{question}: {entry.name}" for question, entry in chosen.items()),
            answers={question: entry.answers[question] for question, entry in chosen.items()},
            expected={**self.points, **{question: entry.expected[question] for question, entry in chosen.items()}},
        )

    def build(self, entry: Submission, template_path: Path) -> nbformat.NotebookNode:
        """The student template with every blank filled from ``entry`` (the template file is unchanged).

        Raises:
            BlankCellNotFound: the template has no blank cell for a question.
            ValueError: an answer does not define its question's function or class.
        """
        notebook = nbformat.read(template_path, as_version=4)
        for question in self.points:
            name = self.definitions.get(question, question)
            source = entry.answers.get(question, self.course_style[question])
            if not _defines(source, name):
                raise ValueError(f"{entry.name}: the answer to {question} does not define {name}")
            _blank_cell(notebook, name, template_path).source = source.rstrip("\n")
        return notebook

    def write(self, folder: Path, template_path: Path, *, names: Iterable[str] | None = None) -> list[Path]:
        """Write ``<name>.ipynb`` in ``folder`` for every entry (or only ``names``); return the paths in order."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        entries = self.entries if names is None else [self.submission(name) for name in names]
        written = []
        for entry in entries:
            path = folder / f"{entry.name}.ipynb"
            nbformat.write(self.build(entry, template_path), path)
            written.append(path)
        return written


def _defines(source: str, name: str) -> bool:
    return any(
        isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name for node in ast.parse(source).body
    )


def _is_blank(source: str, name: str) -> bool:
    """``def name(...): ...``, ``class name: ...``, or a class whose methods all hold only ``...``."""
    lines = [line.strip() for line in source.strip().splitlines() if line.strip() and not line.strip().startswith("#")]
    if not lines or re.match(rf"(def|class)\s+{re.escape(name)}\b", lines[0]) is None:
        return False
    if lines[1:] == ["..."]:
        return True
    body = lines[1:]
    return (
        lines[0].startswith("class")
        and bool(body)
        and all(line.startswith("def ") if index % 2 == 0 else line == "..." for index, line in enumerate(body))
        and len(body) % 2 == 0
    )


def _blank_cell(notebook: nbformat.NotebookNode, name: str, template_path: Path) -> nbformat.NotebookNode:
    for cell in notebook.cells:
        if cell.cell_type == "code" and _is_blank(cell.source, name):
            return cell
    raise BlankCellNotFound(
        f"{template_path}: no blank code cell `def {name}(...): ...` or `class {name}` (with `...` or methods holding "
        "`...`); is this the released student template (autograder release)?"
    )


def _separating_sets(needs: Mapping[str, int]) -> dict[str, frozenset[int]]:
    """For each question, the notebooks (numbered from 0) that carry a mistake in it: at least
    ``needs[question]`` each, none inside another's (sets of one size never are), none all of them
    where there are two questions or more; over the fewest notebooks that allow such sets."""
    questions = list(needs)
    for count in itertools.count(1):
        for size in range(max(needs.values()), count + (len(questions) < 2)):
            if math.comb(count, size) >= len(questions):
                return dict(zip(questions, map(frozenset, itertools.combinations(range(count), size))))
