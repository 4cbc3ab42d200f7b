"""The class's outputs, rebuilt from every result in an output folder.

Whatever a run graded, the class view covers all of ``OUT/results``: grading one file into a class's
folder updates its row and keeps the others. Each file is written atomically, and the gradebooks
keep their previous version beside them (``final_grades.previous.csv``). Each file is also written
on its own: one that cannot be written is named in the ClassView, and every other is still written.
A folder an older run left broken heals: its stray temporary files go, and every file is rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignment import Assignment
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.judging.grade import Grade
from autograder.grading.pages.class_summary import summary_page
from autograder.grading.pages.feedback_page import FeedbackPage
from autograder.grading.pages.standing import Standing, page_with_standing, standing_section, with_standing
from autograder.grading.pages.ta_pages import index_page, similarity_page
from autograder.grading.records.class_book import StudentRow, class_book
from autograder.grading.records.class_plan import ClassPlan
from autograder.grading.records.class_settings import ClassSettings
from autograder.grading.records.exports import students_csv
from autograder.grading.records.gradebook import gradebook_csv
from autograder.grading.records.late import LatePolicy
from autograder.grading.records.lms_imports import LmsImport, lms_import
from autograder.grading.records.outputs import (
    ClassFileWrites,
    page_name,
    remove_stale_temporaries,
    write_atomic,
    write_keeping_previous,
)
from autograder.grading.records.results_file import ResultsFileError, read_grade
from autograder.grading.records.roster import Roster
from autograder.grading.records.times_file import read_times
from autograder.grading.records.written import Mark
from autograder.grading.records.written_outputs import WRITTEN, read_all_marks, write_written
from autograder.grading.similarity.similar_pairs import clusters, similar_pairs

RESULTS, FEEDBACK = "results", "feedback"
GRADEBOOK, STUDENTS, SUMMARY, INDEX, SIMILARITY = (
    "final_grades.csv",
    "students.csv",
    "summary.html",
    "index.html",
    "similarity.html",
)
EXPORT_FILES = {"canvas": "canvas.csv", "moodle": "moodle.csv"}


@dataclass
class ClassView:
    """What the class outputs were built from, for the terminal's closing lines."""

    rows: list[StudentRow]
    grades: list[Grade]
    similar: int
    roster: Roster | None
    failed: dict[str, str] = field(default_factory=dict)  # a class file that could not be written → why
    imports: dict[str, LmsImport] = field(default_factory=dict)  # the LMS import files written, by system
    now_counting: list[str] = field(default_factory=list)  # students whose counted file the run changed


def load_grades(out: Path) -> list[Grade]:
    """Every submission's grade in ``OUT/results``, by file. A results file counts only at its own
    name (``<page_name(file)>.json``): a renamed copy or backup is neither reused nor shown, and an
    unreadable one is skipped, so its submission is graded again and the file rewritten."""
    grades = []
    for path in sorted((out / RESULTS).glob("*.json")):
        try:
            grade = read_grade(path)
        except (OSError, ResultsFileError):
            continue
        if isinstance(grade.file, str) and path.name == f"{page_name(grade.file)}.json":
            grades.append(grade)
    return sorted(grades, key=lambda grade: grade.file)


def feedback_link(file: str) -> str:
    return f"{FEEDBACK}/{page_name(file)}.html"


def rebuild_class_outputs(
    out: Path, autograder: AutograderZip, assignment: Assignment, settings: ClassSettings, **options
) -> ClassView:
    """``rebuild_planned`` with the class plan ``settings`` give ``assignment``."""
    return rebuild_planned(out, autograder, ClassPlan.of(settings, assignment), **options)


def rebuild_planned(
    out: Path,
    autograder: AutograderZip,
    plan: ClassPlan,
    *,
    shard: bool = False,
    grades: list[Grade] | None = None,
    drawn: dict[str, FeedbackPage] | None = None,
    before: list[Grade] | None = None,
    graded=frozenset(),
) -> ClassView:
    """Save the plan's settings (in the course's time zone) in ``out`` and rebuild the class's outputs from every
    result there. ``shard``: OUT holds one shard's results, so the LMS import files leave out the students it has
    no file of. ``grades``: every result in ``out``, when the caller holds them (else they are read from ``out``).
    ``drawn``: feedback pages drawn but not yet written, by file; ``before``, ``graded``: OUT's results before
    the run and the files it graded, for the students whose counted file it changed (see
    ``write_class_outputs``)."""
    plan.settings.save(out)
    return write_class_outputs(
        out,
        autograder,
        assignment=plan.assignment,
        title=plan.title,
        settings=plan.settings,
        policy=plan.policy,
        manual=autograder.manual_questions(),
        solution=plan.code.solution,
        starter=plan.code.starter,
        canvas_id=plan.canvas_id,
        shard=shard,
        grades=grades,
        drawn=drawn,
        before=before,
        graded=graded,
    )


def write_class_outputs(
    out: Path,
    autograder: AutograderZip,
    *,
    assignment: str,
    title: str,
    settings: ClassSettings,
    policy: LatePolicy,
    manual: dict[str, float],
    solution: str = "",
    starter: str = "",
    canvas_id: str = "",
    shard: bool = False,
    grades: list[Grade] | None = None,
    drawn: dict[str, FeedbackPage] | None = None,
    before: list[Grade] | None = None,
    graded=frozenset(),
) -> ClassView:
    """Rebuild every class-level file in ``out`` from all its results (see the module docstring);
    ``grades``: those results, sorted by file, when the caller holds them. ``drawn``: feedback pages drawn but
    not yet written, by file: each is written once, with its standing; the pages already in ``out`` are
    updated where their standing changed. ``before``: OUT's results before a run that graded ``graded``, for
    the view's ``now_counting``."""
    for folder in (out, out / RESULTS, out / FEEDBACK, out / WRITTEN):
        remove_stale_temporaries(folder)
    grades = load_grades(out) if grades is None else grades
    marks = read_all_marks(out, manual, [grade.file for grade in grades])
    roster = Roster.read(Path(settings.roster)) if settings.roster else None
    book = class_book(
        grades,
        roster=roster,
        late=policy,
        times=read_times(settings.times, zone=settings.zone),
        marks={question: {file: mark.points for file, mark in found.items()} for question, found in marks.items()},
        before=before,
        graded=graded,
    )
    rows = book.rows
    pages = {grade.file: feedback_link(grade.file) for grade in grades}
    questions = sorted(autograder.questions)
    possible = autograder.possible + sum(manual.values())
    writes = ClassFileWrites()
    writes.attempt(GRADEBOOK, lambda: write_keeping_previous(out / GRADEBOOK, gradebook_csv(grades, autograder)))
    writes.attempt(
        STUDENTS,
        lambda: write_keeping_previous(
            out / STUDENTS,
            students_csv(rows, questions=questions, written=list(manual), possible=possible, pages=pages),
        ),
    )
    writes.attempt(
        SUMMARY,
        lambda: write_atomic(
            out / SUMMARY, summary_page(rows, grades, autograder, assignment=assignment, manual=manual)
        ),
    )
    writes.attempt(
        INDEX,
        lambda: write_atomic(out / INDEX, index_page(rows, assignment=assignment, possible=possible, pages=pages)),
    )
    pairs = (
        writes.attempt(
            SIMILARITY,
            lambda: _similarity(out, grades, book.owners, solution=solution, starter=starter, assignment=assignment),
        )
        or []
    )
    write_written(writes, out, rows, grades, manual, marks, assignment=assignment)
    writes.attempt(
        f"{FEEDBACK}/",
        lambda: _write_feedback(out, _standings(rows, manual, marks), drawn or {}, grades, autograder),
    )
    comments = {question: {file: mark.comment for file, mark in found.items()} for question, found in marks.items()}
    imports = {
        system: lms_import(
            system,
            rows,
            settings=settings,
            header=roster.header if roster else [],
            title=title,
            name=assignment,
            canvas_id=canvas_id,
            autograded_possible=autograder.possible,
            manual=manual,
            comments=comments,
            shard=shard,
        )
        for system in settings.exports
    }
    for system, made in imports.items():
        _write_export(writes, out / EXPORT_FILES[system], made)
    return ClassView(rows, grades, len(pairs), roster, writes.failed, imports, book.now_counting)


def _similarity(
    out: Path, grades: list[Grade], whose: dict[str, str], *, solution: str, starter: str, assignment: str
) -> list:
    """Write the similar-submissions page (each file with whose it is); returns the pairs it shows."""
    codes = {grade.file: grade.code for grade in grades if grade.code}
    pairs = similar_pairs(codes, solution=solution, starter=starter)
    write_atomic(out / SIMILARITY, similarity_page(pairs, clusters(pairs), codes, assignment=assignment, owners=whose))
    return pairs


def _standings(rows: list[StudentRow], manual: dict[str, float], marks: dict[str, dict[str, Mark]]) -> dict:
    """What each counted submission's feedback page says beside its autograded score, as its row does:
    written marks and what lateness cost."""
    standings = {}
    for row in rows:
        if row.file:
            found = {question: by_file[row.file] for question, by_file in marks.items() if row.file in by_file}
            standings[row.file] = Standing(manual, found, row.late)
    return standings


def _write_feedback(
    out: Path,
    standings: dict[str, Standing],
    drawn: dict[str, FeedbackPage],
    grades: list[Grade],
    autograder: AutograderZip,
) -> None:
    """Write each drawn page once, with its standing (a file that does not count has none beyond its
    score); a page an earlier run wrote is rewritten only where its counted standing changed."""
    for file, page in drawn.items():
        write_atomic(out / feedback_link(file), page_with_standing(page, standings.get(file, Standing())))
    earlier = {grade.file: grade for grade in grades if grade.file in standings and grade.file not in drawn}
    for file, grade in earlier.items():
        path = out / feedback_link(file)
        if not path.is_file():
            continue
        old = path.read_text(encoding="utf-8")
        new = with_standing(old, standing_section(grade.total, autograder.possible, standings[file]))
        if new != old:
            write_atomic(path, new)


def _write_export(writes: ClassFileWrites, path: Path, made: LmsImport) -> None:
    writes.attempt(path.name, lambda: write_keeping_previous(path, made.text))
