"""The ``autograder`` command: parses arguments and delegates to the library.

Every error the kit means for its user is a ``KitError``; this is the one
place that turns it into ``Error: ...`` and exit code 1.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from autograder import KitError
from autograder.commands.grading import grade, merge
from autograder.commands.serving import serve, worker


class _KitGroup(click.Group):
    def invoke(self, context: click.Context):
        try:
            return super().invoke(context)
        except KitError as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=_KitGroup)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Project folder holding assignments/ and the generated folders.",
)
@click.option(
    "--phase-gate",
    "gate_folder",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="AUTOGRADER_PHASE_GATE",
    help="Folder of the phase gate every grader on the host takes turns at (default /run/lock; env "
    "AUTOGRADER_PHASE_GATE). "
    "In Kubernetes, mount the same hostPath in every pod on a node and name it here.",
)
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
@click.option(
    "--no-validate",
    "deprecated_no_validate",
    is_flag=True,
    hidden=True,
    help="Deprecated spelling of --no-otter-check (`autograder validate` is mutation testing, which --no-mutation "
    "skips).",
)
@click.option(
    "--no-mutation", is_flag=True, help="Skip measuring the share of solution mutants the hidden cases catch."
)
@click.pass_context
def release(
    context: click.Context,
    names: tuple[str, ...],
    no_otter_check: bool,
    deprecated_no_validate: bool,
    no_mutation: bool,
) -> None:
    """Release assignments NAMES (default: every folder under assignments/): student template, solution, zip."""
    from autograder.release import release as run_release
    from autograder.release.summary import release_table

    if deprecated_no_validate:
        click.echo(
            "warning: --no-validate is deprecated and will be removed; it skips the otter run check, so write "
            "--no-otter-check (mutation testing, `autograder validate`, is skipped by --no-mutation)",
            err=True,
        )
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
        rows = [
            [str(number), name, title, teaches] for number, (name, title, teaches) in enumerate(course_rows(root), 1)
        ]
        click.echo(render(table(["#", "assignment", "title", "teaches"], rows)))


@main.command()
@click.argument("name")
@click.option("--title", default="", help="The assignment's title, shown to students (both languages).")
@click.pass_context
def new(context: click.Context, name: str, title: str) -> None:
    """Start assignment NAME: a one-question source notebook, cases and settings that release at once."""
    from autograder.release.scaffold import scaffold

    written = scaffold(Path(context.obj["root"]), name, title=title)
    click.echo(
        "\n".join(
            ["wrote", *(f"  {path}" for path in written), f"next: autograder release {name}  (see docs/authoring.md)"]
        )
    )


@main.command("make-data")
@click.argument("names", nargs=-1)
@click.pass_context
def make_data(context: click.Context, names: tuple[str, ...]) -> None:
    """Build the course's data: run the generator (make_data.py) of each data set NAME in data/, or of the
    data sets assignment NAME declares and its own (default: every data set, and every assignment's own)."""
    from autograder.course import make_data as run_generators

    for path in run_generators(Path(context.obj["root"]), names):
        click.echo(f"wrote {path}")


@main.command()
@click.argument("name")
@click.option(
    "--question",
    "questions",
    multiple=True,
    help="Mutate only this question (repeatable); default: every question with a solution definition.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Mutants run at once, each in a forked child.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=20.0,
    show_default=True,
    help="Seconds before a mutant is killed (and counted as caught).",
)
@click.pass_context
def validate(context: click.Context, name: str, questions: tuple[str, ...], workers: int, timeout: float) -> None:
    """Mutate assignment NAME's solution and report the share of mutants the hidden cases catch."""
    from autograder.assignment import Assignment
    from autograder.release.mutation import TARGET_SCORE, format_report
    from autograder.release.mutation import validate as run_validate

    report = run_validate(
        Assignment.find(name, context.obj["root"]), questions=questions, workers=workers, timeout=timeout
    )
    click.echo(format_report(report))
    weak = report.below(TARGET_SCORE)
    if weak:
        raise click.ClickException(
            f"the hidden cases catch under {TARGET_SCORE:.0%} of the mutants of {', '.join(q.question for q in weak)}: "
            "add cases that fail the survivors listed above, or declare the ones that are correct answers in "
            "EQUIVALENT_MUTANTS (an entry for each is printed above)"
        )


def _assignments(context: click.Context, names: tuple[str, ...]):
    from autograder.assignment import Assignment

    root = context.obj["root"]
    if names:
        return [Assignment.find(name, root) for name in names]
    found = Assignment.all(root)
    if not found:
        raise click.ClickException(
            f"no assignments under {Path(root).resolve() / 'assignments'}; `autograder new NAME` starts one"
        )
    return found


for _command in (grade, merge, serve, worker):
    main.add_command(_command)
