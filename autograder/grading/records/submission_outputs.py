"""One submission's outputs in OUT: its results file, and its feedback page drawn (and, for the course
server's graded folder, written).

A failure to write them costs that submission's row only: its grade becomes a zero whose
grading_status says what could not be written. The batch grader and the course server both record
here; the class's files are ``class_outputs``'.
"""

from __future__ import annotations

from pathlib import Path

from autograder.grading.judging.grade import Grade
from autograder.grading.judging.judge import Judge
from autograder.grading.pages.feedback_page import FeedbackPage, draw_feedback
from autograder.grading.records.class_outputs import FEEDBACK, RESULTS
from autograder.grading.records.outputs import page_name, write_atomic
from autograder.grading.records.results_file import write_results


def recorded(
    grade: Grade, judge: Judge, *, out: Path, assignment: str, page_now: bool
) -> tuple[Grade, FeedbackPage | None]:
    """Write ``grade``'s results in ``out`` and draw its feedback page; ``page_now``: write the page too,
    headed by its autograded score alone (else the class view writes it once with the student's standing).

    Returns the grade the gradebook gets (``grade``, or a zero whose grading_status names what could not be
    written) and its page (the failed grade's, or None when even that could not be drawn).
    """
    try:
        return grade, _write(grade, judge, out=out, assignment=assignment, page_now=page_now)
    except Exception as error:  # one file's outputs must never cost the run, or the other rows
        failed = judge.failed(
            grade.file,
            grade.digest,
            f"crash: the grader could not write this submission's results ({type(error).__name__}: {str(error)[:120]})",
        )
        try:
            return failed, _write(failed, judge, out=out, assignment=assignment, page_now=page_now)
        except Exception:
            return failed, None  # the row in the gradebook still says why


def drawn_page(grade: Grade, judge: Judge, *, assignment: str) -> FeedbackPage:
    """``grade``'s feedback page, drawn with the judge's reference values and charts."""
    return draw_feedback(
        grade, judge.autograder, assignment=assignment, reference=judge.reference_variables, charts=judge.charts
    )


def _write(grade: Grade, judge: Judge, *, out: Path, assignment: str, page_now: bool) -> FeedbackPage:
    """Write one submission's results file and draw its feedback page. With ``page_now`` the page is written
    too, before the results file, which marks the submission done."""
    name = page_name(grade.file)
    results = out / RESULTS / f"{name}.json"
    if not page_now:
        write_results(results, grade, judge.autograder)
        return drawn_page(grade, judge, assignment=assignment)
    page = drawn_page(grade, judge, assignment=assignment)
    write_atomic(out / FEEDBACK / f"{name}.html", page.html())
    write_results(results, grade, judge.autograder)
    return page
