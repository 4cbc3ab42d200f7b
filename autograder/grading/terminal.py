"""What ``autograder grade`` shows on the terminal: progress while it runs, a table at the end."""
from __future__ import annotations

import contextlib
import sys

from autograder.grading.text import shown_controls
from autograder.tables import render, table


def grade_table(report) -> str:
    """Per-submission scores and where the outputs are."""
    header = ["file", *report.questions, "total", "status"]
    rows = [[shown_controls(g.file), *(f"{g.scores.get(q, 0):g}" for q in report.questions), f"{g.total:g}/{report.possible:g}", shown_controls(g.status[:60])] for g in report.grades]
    lines = [
        render(table(header, rows)),
        "",
        f"graded {report.graded}, reused {report.reused} unchanged results",
        f"  gradebook  {report.out / 'final_grades.csv'}",
        f"  feedback   {report.out / 'feedback'}/",
        f"  summary    {report.out / 'summary.html'}",
    ]
    return "\n".join(lines)


@contextlib.contextmanager
def progress_printer(*, width: int = 30, header: str = ""):
    """A callback ``(grade, done, total)`` drawing progress on stderr: a bar on a terminal, lines elsewhere.

    ``header`` is printed once, before the first progress line.
    """
    import click

    interactive = sys.stderr.isatty()
    pending = [header] if header else []

    def on_progress(grade, done: int, total: int) -> None:
        while pending:
            click.echo(pending.pop(), err=True)
        text = f"{done}/{total} {shown_controls(grade.file)} {grade.total:g} ({shown_controls(grade.status[:40])})"
        if interactive:
            filled = width * done // max(total, 1)
            click.echo(f"\r\033[K[{'#' * filled}{'-' * (width - filled)}] {text}"[:160], err=True, nl=False)
        else:
            click.echo(f"graded {text}", err=True)

    yield on_progress
    if interactive:
        click.echo("", err=True)
