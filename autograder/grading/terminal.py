"""What ``autograder grade`` shows on the terminal: progress while it runs, tables at the end."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from rich.markup import escape

from autograder.grading.text import shown_controls
from autograder.tables import render, table


def grade_table(report) -> str:
    """Per-submission scores of this run, then the class view and where the outputs are."""
    header = ["file", *report.questions, "total", "status"]
    rows = [
        [
            shown_controls(g.file),
            *(f"{g.scores.get(q, 0):g}" for q in report.questions),
            f"{g.total:g}/{report.possible:g}",
            shown_controls(g.status[:60]),
        ]
        for g in report.grades
    ]
    lines = [render(table(header, rows)), "", f"graded {report.graded}, reused {report.reused} unchanged results"]
    lines += [shown_controls(note) for note in getattr(report, "notes", [])]
    if getattr(report, "view", None) is not None:
        lines.append(class_lines(report.view, report.out))
    return "\n".join(lines)


def class_lines(view, out: Path) -> str:
    """The class as a whole (students, missing, unknown, similar pairs) and the files to open."""
    from autograder.grading.records.class_book import MISSING, UNKNOWN

    missing = sum(1 for row in view.rows if row.status == MISSING)
    unknown = sum(1 for row in view.rows if row.status.startswith(UNKNOWN))
    late = sum(1 for row in view.rows if row.late.fraction)
    counts = f"class: {len(view.grades)} graded files, {len(view.rows)} rows"
    if view.roster is not None:
        counts += f" ({len(view.roster.students)} on the roster, {missing} missing, {unknown} unknown)"
    counts += f", {late} late, {view.similar} similar pairs"
    places = [
        ("class index", "index.html"),
        ("gradebook", "final_grades.csv"),
        ("by student", "students.csv"),
        ("summary", "summary.html"),
        ("similar", "similarity.html"),
        ("feedback", "feedback/"),
    ]
    places += [
        (f"{system} import", f"{system}.csv") for system in ("canvas", "moodle") if (out / f"{system}.csv").is_file()
    ]
    if (out / "written").is_dir():
        places += [("written answers", "written/"), ("whose answer", "written_key.csv")]
    lines = [counts, *(f"  {label:<16} {out / name}" for label, name in places if name not in view.failed)]
    lines += [f"  NOT WRITTEN      {out / name}: {shown_controls(why)}" for name, why in view.failed.items()]
    for system, made in getattr(view, "imports", {}).items():
        lines += [f"{system}.csv: {shown_controls(made.note)}"] if made.note else []
        if made.left_out:
            lines.append(f"{system}.csv leaves out {len(made.left_out)} row(s):")
            lines += [f"  {shown_controls(why)}" for why in made.left_out]
    return "\n".join(lines)


def unwritten_error(view) -> str:
    """What the TA is told, after the tables, when some class files could not be written."""
    return (
        f"{len(view.failed)} class file(s) could not be written ({', '.join(view.failed)}; why is listed above); "
        "every other file "
        "was written. Once the cause is fixed, run the command again: the class files are rebuilt from OUT/results"
    )


@contextlib.contextmanager
def progress_printer(*, header: str = ""):
    """A callback ``(grade, done, total)`` showing progress on stderr: a bar with rate and time left on a
    terminal, one line per submission elsewhere (logs of a cluster job). ``header`` is printed before
    the first submission's progress, so a run that fails at once shows its error alone."""
    import click

    pending = [header] if header else []
    bar = _Bar() if sys.stderr.isatty() else None

    def on_progress(grade, done: int, total: int) -> None:
        while pending:
            click.echo(pending.pop(), err=True)
        if bar is None:
            click.echo(
                f"graded {done}/{total} {shown_controls(grade.file)} {grade.total:g} "
                f"({shown_controls(grade.status[:40])})",
                err=True,
            )
        else:
            bar.show(shown_controls(grade.file), done, total)

    try:
        yield on_progress
    finally:
        if bar is not None:
            bar.stop()


class _Bar:
    """rich's progress bar, started at the first submission: the file, done of total, rate, time spent and left."""

    def __init__(self):
        self.progress = None

    def show(self, file: str, done: int, total: int) -> None:
        if self.progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
            )
            self.progress = Progress(*columns, console=Console(file=sys.stderr))
            self.task = self.progress.add_task("", total=total, rate="")
            self.progress.start()
        elapsed = self.progress.tasks[0].elapsed or 0.0
        rate = f"{done / elapsed * 60:.1f}/min" if elapsed > 1 else ""
        # A file name is the student's text: rich must not read it as markup ([link=...], [/]).
        self.progress.update(self.task, completed=done, total=total, rate=rate, description=escape(file[:30].ljust(30)))

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
