"""The commands that run the course server: ``serve`` and the grading machines' ``worker``."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("course_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--init",
    is_flag=True,
    help="Create the course folder instead of serving it: its database, an account per --roster student and per "
    "--staff login, and first_logins.csv.",
)
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --init: the class list CSV the grader reads (学号/student_id, 姓名/name, ...).",
)
@click.option(
    "--staff", multiple=True, help="With --init: a staff login (repeatable); each gets a first-login link too."
)
@click.option(
    "--assignment",
    "assignments",
    multiple=True,
    help="With --init: an assignment to offer (repeatable; default: every released one).",
)
@click.option(
    "--url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="With --init: the address students open (the first-login links use it).",
)
@click.option(
    "--demo", is_flag=True, help="With --init: a made-up roster and accounts with a known password, to try the server."
)
@click.option(
    "--add-students",
    "late_roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Instead of serving: add the students of this roster CSV who have no account yet, appending their links to "
    "first_logins.csv.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (put an HTTPS proxy in front for anything but loopback).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--database",
    "database_url",
    help="SQLAlchemy database URL (default: course.db in COURSE_DIR), e.g. postgresql+psycopg://user@host/course.",
)
@click.option(
    "--queue",
    "queue_url",
    help="A task queue's URL (redis://host:6379/0): `autograder worker` machines grade, not this one (default: the "
    "queue: setting, else the embedded pools).",
)
@click.pass_context
def serve(
    context: click.Context,
    course_dir: Path,
    init: bool,
    roster,
    staff,
    assignments,
    url,
    demo,
    late_roster,
    host,
    port,
    database_url,
    queue_url,
) -> None:
    """Serve the course in COURSE_DIR: students submit and read feedback, staff follow the class (see README, "Course
    server")."""
    if late_roster:
        from autograder.server.account_changes import enroll_lines, enroll_roster

        click.echo(enroll_lines(enroll_roster(course_dir, late_roster, database_url=database_url)))
        return
    if init:
        from autograder.server.course_init import init_course, init_lines, kit_project

        root_given = context.find_root().get_parameter_source("root") is not click.core.ParameterSource.DEFAULT
        project = kit_project(Path(context.obj["root"]), given=root_given)
        report = init_course(
            course_dir,
            project=project,
            roster=roster,
            staff=staff,
            assignments=assignments,
            url=url,
            database_url=database_url,
            demo=demo,
        )
        click.echo(init_lines(report))
        return
    from autograder.server.serve import serve as run_server

    run_server(course_dir, host=host, port=port, database_url=database_url, queue_url=queue_url)


@click.command()
@click.option(
    "--queue", "queue_url", required=True, help="The task queue the server sends jobs to (redis://host:6379/0)."
)
@click.option(
    "--database",
    "database_url",
    required=True,
    help="The course's database (postgresql+psycopg://user@host/course), as the server's.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Submissions graded at once on this machine (its cores).",
)
@click.option(
    "--assignment",
    "assignments",
    multiple=True,
    help="Grade only this assignment (repeatable; default: every one the server grades).",
)
@click.option(
    "--scratch",
    type=click.Path(file_okay=False, path_type=Path),
    help="This worker's own folder (default: a temporary one, removed at the end).",
)
@click.pass_context
def worker(
    context: click.Context,
    queue_url: str,
    database_url: str,
    workers: int,
    assignments: tuple[str, ...],
    scratch: Path | None,
) -> None:
    """Grade the course server's submissions on this machine, from its task queue (see README, "Scaling out")."""
    from autograder.server.scale.worker import run_worker

    run_worker(
        Path(context.obj["root"]),
        queue_url=queue_url,
        database_url=database_url,
        workers=workers,
        assignments=assignments,
        scratch=scratch,
    )
