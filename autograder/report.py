"""Plain-text tables for the terminal."""
from __future__ import annotations

import contextlib
import sys


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = lambda row: "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def release_table(report) -> str:
    """Summary of one release: per question, points and what validation saw."""
    a = report.assignment
    caught = {q.question: q for q in report.mutation.questions} if report.mutation else {}
    rows = []
    for question, possible in report.points.items():
        rows.append([question, f"{possible:g}", _score(report.solution_scores, question), _score(report.template_scores, question), _caught(caught.get(question))])
    total = sum(report.points.values())
    rows.append(["total", f"{total:g}", _score_total(report.solution_scores), _score_total(report.template_scores), ""])
    lines = [
        f"released {a.name}" + (" (generated data/data.txt)" if report.data_generated else ""),
        f"  student template  {a.student_dir.relative_to(a.root)}/",
        f"  solution          {a.solution_dir.relative_to(a.root)}/",
        f"  autograder zip    {a.zip_path.relative_to(a.root)}",
        "",
        table(["question", "points", "solution", "blank template", "mutants caught"], rows),
    ]
    weak = report.mutation.below() if report.mutation else []
    if weak:
        lines.append(f"\nwarning: the hidden cases of {', '.join(q.question for q in weak)} miss too many mutants; `autograder validate {a.name}` lists the survivors")
    return "\n".join(lines)


def _caught(score) -> str:
    """'49/49 (100%)' for a question's mutation score, '-' when not measured."""
    if score is None:
        return "-"
    counted = score.total - len(score.equivalent)
    return f"{score.caught}/{counted} ({score.score:.0%})"


def _score(scores: dict, question: str) -> str:
    return f"{scores[question]:g}" if question in scores else "-"


def _score_total(scores: dict) -> str:
    return f"{sum(scores.values()):g}" if scores else "-"


def grade_table(report) -> str:
    """Per-submission scores and where the outputs are."""
    header = ["file", *report.questions, "total", "status"]
    rows = [[g.file, *(f"{g.scores.get(q, 0):g}" for q in report.questions), f"{g.total:g}/{report.possible:g}", g.status[:60]] for g in report.grades]
    lines = [
        table(header, rows),
        "",
        f"graded {report.graded}, reused {report.reused} unchanged results",
        f"  gradebook  {report.out / 'final_grades.csv'}",
        f"  feedback   {report.out / 'feedback'}/",
        f"  summary    {report.out / 'summary.html'}",
    ]
    return "\n".join(lines)


@contextlib.contextmanager
def progress_printer(*, width: int = 30):
    """A callback ``(grade, done, total)`` drawing progress on stderr: a bar on a terminal, lines elsewhere."""
    import click

    interactive = sys.stderr.isatty()

    def on_progress(grade, done: int, total: int) -> None:
        text = f"{done}/{total} {grade.file} {grade.total:g} ({grade.status[:40]})"
        if interactive:
            filled = width * done // max(total, 1)
            click.echo(f"\r\033[K[{'#' * filled}{'-' * (width - filled)}] {text}"[:160], err=True, nl=False)
        else:
            click.echo(f"graded {text}", err=True)

    yield on_progress
    if interactive:
        click.echo("", err=True)
