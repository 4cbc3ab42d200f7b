"""The ``autograder`` command: parses arguments and delegates to the library.

Every error the kit means for its user is a ``KitError``; this is the one
place that turns it into ``Error: ...`` and exit code 1.
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from autograder import KitError


class _KitGroup(click.Group):
    def invoke(self, context: click.Context):
        try:
            return super().invoke(context)
        except KitError as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=_KitGroup)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True, help="Project folder holding assignments/ and the generated folders.")
@click.option("--phase-gate", "gate_folder", type=click.Path(file_okay=False, path_type=Path), envvar="AUTOGRADER_PHASE_GATE",
              help="Folder of the phase gate every grader on the host takes turns at (default /run/lock; env AUTOGRADER_PHASE_GATE). "
                   "In Kubernetes, mount the same hostPath in every pod on a node and name it here.")
@click.pass_context
def main(context: click.Context, root: Path, gate_folder: Path | None) -> None:
    """Release, grade and validate self-grading assignments."""
    context.obj = {"root": root}
    if gate_folder is not None:
        _use_gate_folder(gate_folder)


def _use_gate_folder(folder: Path) -> None:
    """Every sandbox this command starts, in any worker, takes turns in ``folder``; refused at once if it cannot."""
    from autograder.sandbox import phase_gate

    os.environ[phase_gate.FOLDER_VARIABLE] = str(folder)
    try:
        phase_gate.gate_folder()
    except phase_gate.PhaseGateError as error:
        raise click.BadParameter(error.strerror or str(error), param_hint="--phase-gate") from error


@main.command()
@click.argument("names", nargs=-1)
@click.option("--no-otter-check", is_flag=True, help="Skip grading the solution and the blank template with otter run.")
@click.option("--no-validate", "deprecated_no_validate", is_flag=True, hidden=True,
              help="Deprecated spelling of --no-otter-check (`autograder validate` is mutation testing, which --no-mutation skips).")
@click.option("--no-mutation", is_flag=True, help="Skip measuring the share of solution mutants the hidden cases catch.")
@click.pass_context
def release(context: click.Context, names: tuple[str, ...], no_otter_check: bool, deprecated_no_validate: bool,
            no_mutation: bool) -> None:
    """Release assignments NAMES (default: every folder under assignments/): student template, solution, zip."""
    from autograder.release import release as run_release
    from autograder.release.summary import release_table

    if deprecated_no_validate:
        click.echo("warning: --no-validate is deprecated and will be removed; it skips the otter run check, so write "
                   "--no-otter-check (mutation testing, `autograder validate`, is skipped by --no-mutation)", err=True)
    otter_check = not (no_otter_check or deprecated_no_validate)
    for assignment in _assignments(context, names):
        click.echo(release_table(run_release(assignment, otter_check=otter_check, mutation=not no_mutation)))


@main.command()
@click.option("--markdown", is_flag=True, help="Print the table as Markdown (the README's list of assignments).")
@click.pass_context
def course(context: click.Context, markdown: bool) -> None:
    """List the course's assignments in teaching order, with what each one teaches."""
    from autograder.course import course_markdown, course_rows
    from autograder.tables import render, table

    root = Path(context.obj["root"])
    if markdown:
        click.echo(course_markdown(root))
    else:
        rows = [[str(number), name, title, teaches] for number, (name, title, teaches) in enumerate(course_rows(root), 1)]
        click.echo(render(table(["#", "assignment", "title", "teaches"], rows)))


@main.command()
@click.argument("name")
@click.option("--title", default="", help="The assignment's title, shown to students (both languages).")
@click.pass_context
def new(context: click.Context, name: str, title: str) -> None:
    """Start assignment NAME: a one-question source notebook, cases and settings that release at once."""
    from autograder.release.scaffold import scaffold

    written = scaffold(Path(context.obj["root"]), name, title=title)
    click.echo("\n".join(["wrote", *(f"  {path}" for path in written), f"next: autograder release {name}  (see docs/authoring.md)"]))


@main.command("make-data")
@click.argument("names", nargs=-1)
@click.pass_context
def make_data(context: click.Context, names: tuple[str, ...]) -> None:
    """Build the course's data: run the generator (make_data.py) of each data set NAME in data/, or of the
    data sets assignment NAME declares and its own (default: every data set, and every assignment's own)."""
    from autograder.course import make_data as run_generators

    for path in run_generators(Path(context.obj["root"]), names):
        click.echo(f"wrote {path}")


def _class_options(command):
    """The options that shape the class's view, shared by ``grade`` and ``merge``; OUT remembers them."""
    options = [
        click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="Class list CSV (LMS export or the school's): rows for every student, missing ones included."),
        click.option("--times", type=click.Path(dir_okay=False, path_type=Path), help="CSV of submission times (file or student_id, and submitted), e.g. the LMS's grading worksheet."),
        click.option("--due", help="Due time, ISO 8601 (2026-12-01T23:59:00+08:00); overrides assignment.yml's late: due."),
        click.option("--late-policy", help='Late settings over assignment.yml\'s, e.g. "penalty=0.1,per=day,cap=0.5,grace_minutes=15".'),
        click.option("--export", "exports", multiple=True, type=click.Choice(["canvas", "moodle"]), help="Also write the LMS's grade import CSV (repeatable)."),
        click.option("--canvas-column", help='The Canvas assignment to fill, as Canvas names its column: "Title (ID)"; or canvas_id in assignment.yml.'),
        click.option("--missing-grade", type=click.Choice(["zero", "blank"]), help="What canvas.csv and moodle.csv give a student with no gradable submission: 0, or a blank (which clears a grade already in the LMS). Default: zero."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _settings(out: Path, *, roster, times, due, late_policy, exports, canvas_column, missing_grade):
    from autograder.grading.records.class_settings import ClassSettings, late_overrides

    return ClassSettings.load(out).updated(roster=roster, times=times, late=late_overrides(due, late_policy), exports=tuple(exports),
                                           canvas_column=canvas_column, missing_grade=missing_grade)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-a", "--assignment", "name", required=True, help="Assignment name (its zip is dist/NAME-autograder.zip).")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder; grading into it again updates the files given and keeps every other row.")
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True, help="Submissions graded at once.")
@click.option("--timeout", type=click.FloatRange(1), default=120.0, show_default=True, help="Wall-clock seconds per submission.")
@click.option("--memory", "memory_mb", type=click.IntRange(64), default=4096, show_default=True, help="Memory cap per submission, in MB.")
@click.option("--shard", default="1/1", show_default=True, help="Grade only slice i of n (i/n), for job arrays; combine with `autograder merge`.")
@click.option("--force", is_flag=True, help="Grade again files whose results are still valid (unchanged file, same zip).")
@_class_options
@click.pass_context
def grade(context: click.Context, paths: tuple[Path, ...], name: str, out: Path, workers: int, timeout: float, memory_mb: int, shard: str, force: bool,
          **class_options) -> None:
    """Grade notebooks, folders of them and export zips, without Docker."""
    from autograder.assignment import Assignment
    from autograder.grading.batch import GradeOptions, grade_paths, parse_shard
    from autograder.grading.terminal import grade_table, progress_printer, unwritten_error

    # A job scheduler stops a run with SIGTERM: exit through Python so the
    # workers are stopped and the private support folder is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    from autograder.sandbox import current_mode

    options = GradeOptions(workers=workers, timeout=timeout, memory_mb=memory_mb, shard=parse_shard(shard), force=force)
    assignment = Assignment.find(name, context.obj["root"])
    settings = _settings(out, **class_options)
    # Which isolation is in force, and why: shown before the first file's progress.
    with progress_printer(header=current_mode().describe()) as on_progress:
        report = grade_paths(list(paths), assignment, out, options=options, on_progress=on_progress, settings=settings)
    click.echo(grade_table(report))
    if report.view is not None and report.view.failed:
        raise click.ClickException(unwritten_error(report.view))


@main.command()
@click.argument("shards", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-a", "--assignment", "name", required=True, help="Assignment the shards graded.")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for the merged gradebook, results, feedback and summary.")
@_class_options
@click.pass_context
def merge(context: click.Context, shards: tuple[Path, ...], name: str, out: Path, **class_options) -> None:
    """Combine the OUT folders of `grade --shard` runs, and fold in written marks entered in OUT/written/*.csv."""
    from autograder.assignment import Assignment
    from autograder.grading.records.merge import merge_outputs
    from autograder.grading.terminal import class_lines, unwritten_error

    settings = _settings(out, **class_options) if any(class_options.values()) else None
    view = merge_outputs(list(shards), Assignment.find(name, context.obj["root"]), out, settings=settings)
    click.echo(f"merged {len(view.grades)} submissions" + (f" from {len(shards)} shards" if shards else "") + f" into {out}")
    click.echo(class_lines(view, out))
    if view.failed:
        raise click.ClickException(unwritten_error(view))


@main.command()
@click.argument("name")
@click.option("--question", "questions", multiple=True, help="Mutate only this question (repeatable); default: every question with a solution definition.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Mutants run at once, each in a forked child.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=20.0, show_default=True, help="Seconds before a mutant is killed (and counted as caught).")
@click.pass_context
def validate(context: click.Context, name: str, questions: tuple[str, ...], workers: int, timeout: float) -> None:
    """Mutate assignment NAME's solution and report the share of mutants the hidden cases catch."""
    from autograder.assignment import Assignment
    from autograder.release.mutation import TARGET_SCORE, format_report, validate as run_validate

    report = run_validate(Assignment.find(name, context.obj["root"]), questions=questions, workers=workers, timeout=timeout)
    click.echo(format_report(report))
    weak = report.below(TARGET_SCORE)
    if weak:
        raise click.ClickException(f"the hidden cases catch under {TARGET_SCORE:.0%} of the mutants of {', '.join(q.question for q in weak)}: add cases that fail the survivors listed above, or declare the ones that are correct answers in EQUIVALENT_MUTANTS (an entry for each is printed above)")


@main.command()
@click.argument("course_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--init", is_flag=True, help="Create the course folder instead of serving it: its database, an account per --roster student and per --staff login, and first_logins.csv.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="With --init: the class list CSV the grader reads (学号/student_id, 姓名/name, ...).")
@click.option("--staff", multiple=True, help="With --init: a staff login (repeatable); each gets a first-login link too.")
@click.option("--assignment", "assignments", multiple=True, help="With --init: an assignment to offer (repeatable; default: every released one).")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="With --init: the address students open (the first-login links use it).")
@click.option("--demo", is_flag=True, help="With --init: a made-up roster and accounts with a known password, to try the server.")
@click.option("--add-students", "late_roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Instead of serving: add the students of this roster CSV who have no account yet, appending their links to first_logins.csv.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (put an HTTPS proxy in front for anything but loopback).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--database", "database_url", help="SQLAlchemy database URL (default: course.db in COURSE_DIR), e.g. postgresql+psycopg://user@host/course.")
@click.option("--queue", "queue_url", help="A task queue's URL (redis://host:6379/0): `autograder worker` machines grade, not this one (default: the queue: setting, else the embedded pools).")
@click.pass_context
def serve(context: click.Context, course_dir: Path, init: bool, roster, staff, assignments, url, demo, late_roster, host, port, database_url,
          queue_url) -> None:
    """Serve the course in COURSE_DIR: students submit and read feedback, staff follow the class (see README, "Course server")."""
    if late_roster:
        from autograder.server.account_changes import enroll_lines, enroll_roster

        click.echo(enroll_lines(enroll_roster(course_dir, late_roster, database_url=database_url)))
        return
    if init:
        from autograder.server.course_init import init_course, init_lines, kit_project

        root_given = context.find_root().get_parameter_source("root") is not click.core.ParameterSource.DEFAULT
        project = kit_project(Path(context.obj["root"]), given=root_given)
        report = init_course(course_dir, project=project, roster=roster, staff=staff, assignments=assignments, url=url, database_url=database_url, demo=demo)
        click.echo(init_lines(report))
        return
    from autograder.server.serve import serve as run_server

    run_server(course_dir, host=host, port=port, database_url=database_url, queue_url=queue_url)


@main.command()
@click.option("--queue", "queue_url", required=True, help="The task queue the server sends jobs to (redis://host:6379/0).")
@click.option("--database", "database_url", required=True, help="The course's database (postgresql+psycopg://user@host/course), as the server's.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Submissions graded at once on this machine (its cores).")
@click.option("--assignment", "assignments", multiple=True, help="Grade only this assignment (repeatable; default: every one the server grades).")
@click.option("--scratch", type=click.Path(file_okay=False, path_type=Path), help="This worker's own folder (default: a temporary one, removed at the end).")
@click.pass_context
def worker(context: click.Context, queue_url: str, database_url: str, workers: int, assignments: tuple[str, ...], scratch: Path | None) -> None:
    """Grade the course server's submissions on this machine, from its task queue (see README, "Scaling out")."""
    from autograder.server.scale.worker import run_worker

    run_worker(Path(context.obj["root"]), queue_url=queue_url, database_url=database_url, workers=workers, assignments=assignments, scratch=scratch)


def _assignments(context: click.Context, names: tuple[str, ...]):
    from autograder.assignment import Assignment

    root = context.obj["root"]
    if names:
        return [Assignment.find(name, root) for name in names]
    found = Assignment.all(root)
    if not found:
        raise click.ClickException(f"no assignments under {Path(root).resolve() / 'assignments'}; `autograder new NAME` starts one")
    return found
