"""The ``autograder`` command: parses arguments and delegates to the library."""
from __future__ import annotations

from pathlib import Path

import click


@click.group()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True, help="Project folder holding assignments/, data/ and the generated folders.")
@click.pass_context
def main(context: click.Context, root: Path) -> None:
    """Release, grade and validate self-grading PyTorch assignments."""
    context.obj = {"root": root}


@main.command()
@click.argument("name")
@click.option("--no-validate", is_flag=True, help="Skip grading the solution and the blank template with otter run.")
@click.pass_context
def release(context: click.Context, name: str, no_validate: bool) -> None:
    """Release assignment NAME: student template, solution and autograder zip."""
    from autograder.assignment import AssignmentNotFound, Assignment
    from autograder.release import ReleaseError, release as run_release
    from autograder.report import release_table

    try:
        report = run_release(Assignment.find(name, context.obj["root"]), validate=not no_validate)
    except (AssignmentNotFound, ReleaseError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(release_table(report))


@main.command("make-data")
@click.option("--force", is_flag=True, help="Overwrite an existing data/data.txt.")
@click.pass_context
def make_data(context: click.Context, force: bool) -> None:
    """Write the generated admissions data set to data/data.txt."""
    from autograder.admissions import write_data_file

    path = Path(context.obj["root"]) / "data" / "data.txt"
    wrote = write_data_file(path, overwrite=force)
    click.echo(f"{'wrote' if wrote else 'kept existing'} {path}")
