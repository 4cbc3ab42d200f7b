"""The commands that grade a class: ``grade`` and ``merge``, and the class options both take."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click


def _class_options(command):
    """The options that shape the class's view, shared by ``grade`` and ``merge``; OUT remembers them."""
    options = [
        click.option(
            "--roster",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Class list CSV (LMS export or the school's): rows for every student, missing ones included.",
        ),
        click.option(
            "--times",
            type=click.Path(dir_okay=False, path_type=Path),
            help="CSV of submission times (file or student_id, and submitted), e.g. the LMS's grading worksheet; "
            "an optional due column gives a student their own due time (an extension).",
        ),
        click.option(
            "--due", help="Due time, ISO 8601 (2026-12-01T23:59:00+08:00); overrides assignment.yml's late: due."
        ),
        click.option(
            "--late-policy",
            help='Late settings over assignment.yml\'s, e.g. "penalty=0.1,per=day,cap=0.5,grace_minutes=15".',
        ),
        click.option(
            "--export",
            "exports",
            multiple=True,
            type=click.Choice(["canvas", "moodle"]),
            help="Also write the LMS's grade import CSV (repeatable).",
        ),
        click.option(
            "--canvas-column",
            help='The Canvas assignment to fill, as Canvas names its column: "Title (ID)"; or canvas_id in '
            "assignment.yml.",
        ),
        click.option(
            "--missing-grade",
            type=click.Choice(["zero", "blank"]),
            help="What canvas.csv and moodle.csv give a student with no gradable submission: 0, or a blank (which "
            "clears a grade already in the LMS). Default: zero.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _settings(out: Path, *, roster, times, due, late_policy, exports, canvas_column, missing_grade):
    from autograder.grading.records.class_settings import ClassSettings, late_overrides

    return ClassSettings.load(out).updated(
        roster=roster,
        times=times,
        late=late_overrides(due, late_policy),
        exports=tuple(exports),
        canvas_column=canvas_column,
        missing_grade=missing_grade,
    )


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-a", "--assignment", "name", required=True, help="Assignment name (its zip is dist/NAME-autograder.zip)."
)
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output folder; grading into it again updates the files given and keeps every other row.",
)
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True, help="Submissions graded at once.")
@click.option(
    "--timeout", type=click.FloatRange(1), default=120.0, show_default=True, help="Wall-clock seconds per submission."
)
@click.option(
    "--memory",
    "memory_mb",
    type=click.IntRange(64),
    default=4096,
    show_default=True,
    help="Memory cap per submission, in MB.",
)
@click.option(
    "--shard",
    default="1/1",
    show_default=True,
    help="Grade only slice i of n (i/n), for job arrays; combine with `autograder merge`.",
)
@click.option(
    "--force", is_flag=True, help="Grade again files whose results are still valid (unchanged file, same zip)."
)
@_class_options
@click.pass_context
def grade(
    context: click.Context,
    paths: tuple[Path, ...],
    name: str,
    out: Path,
    workers: int,
    timeout: float,
    memory_mb: int,
    shard: str,
    force: bool,
    **class_options,
) -> None:
    """Grade notebooks, folders of them and export zips, without Docker."""
    # A job scheduler stops a run with SIGTERM: exit through Python so the
    # workers are stopped and the private support folder is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    from autograder.sandbox.warm_handle import early_warm_process

    # Started before the grader's own imports and reading, which then run on the other core.
    with early_warm_process() as warm:
        from autograder.assignment import Assignment
        from autograder.grading.batch import GradeOptions, grade_paths, parse_shard
        from autograder.grading.terminal import grade_table, progress_printer, unwritten_error
        from autograder.sandbox import current_mode

        options = GradeOptions(
            workers=workers, timeout=timeout, memory_mb=memory_mb, shard=parse_shard(shard), force=force
        )
        assignment = Assignment.find(name, context.obj["root"])
        settings = _settings(out, **class_options)
        # Which isolation is in force, and why: shown before the first file's progress.
        with progress_printer(header=current_mode().describe()) as on_progress:
            report = grade_paths(
                list(paths), assignment, out, options=options, on_progress=on_progress, settings=settings, warm=warm
            )
    click.echo(grade_table(report))
    if report.view is not None and report.view.failed:
        raise click.ClickException(unwritten_error(report.view))


@click.command()
@click.argument("shards", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-a", "--assignment", "name", required=True, help="Assignment the shards graded.")
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the merged gradebook, results, feedback and summary.",
)
@_class_options
@click.pass_context
def merge(context: click.Context, shards: tuple[Path, ...], name: str, out: Path, **class_options) -> None:
    """Combine the OUT folders of `grade --shard` runs, and fold in written marks entered in OUT/written/*.csv."""
    from autograder.assignment import Assignment
    from autograder.grading.records.merge import merge_outputs
    from autograder.grading.terminal import class_lines, unwritten_error

    settings = _settings(out, **class_options) if any(class_options.values()) else None
    view = merge_outputs(list(shards), Assignment.find(name, context.obj["root"]), out, settings=settings)
    click.echo(
        f"merged {len(view.grades)} submissions" + (f" from {len(shards)} shards" if shards else "") + f" into {out}"
    )
    click.echo(class_lines(view, out))
    if view.failed:
        raise click.ClickException(unwritten_error(view))
