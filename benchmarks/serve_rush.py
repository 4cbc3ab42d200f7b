"""A deadline rush on the course server: N students upload within M minutes, then wait for their grades.

It starts `autograder serve` on a scratch course (the embedded default: SQLite, this machine's
warm pools) offering assignment A, gives every student an API token, and first times one upload
on the idle server against the notebook's own run in its sandbox. Then each student, at a random
moment of the rush, uploads one of A's bundled example submissions over HTTP (httpx, as the
notebook's submit cell does) and waits for the grade (GET /api/submissions/ID?wait=60). Run from
the project root after `make release`:

    .venv/bin/python benchmarks/serve_rush.py --assignment logistic_regression --students 300 --minutes 5

The last line is `rush: graded G/N, p50 X s, p95 Y s, throughput Z/min, server peak RSS R MB`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from sqlalchemy import select  # noqa: E402

from autograder.server.course import Course  # noqa: E402
from autograder.server.course_init import init_course  # noqa: E402
from autograder.server.models import Job, Submission, User  # noqa: E402
from autograder.server.tokens import issue_token  # noqa: E402
from tests.course_server import Server  # noqa: E402

EXAMPLES = PROJECT / "examples" / "submissions"
FIRST_ID = 3_000_001
WAIT_S = 60


def course_for(scratch: Path, root: Path, assignment: str, students: int) -> tuple[Path, list[str]]:
    """A course offering ``assignment`` to ``students`` made-up students; each one's API token."""
    roster = scratch / "roster.csv"
    roster.write_text(
        "student_id,name\n" + "".join(f"{FIRST_ID + n},student {n}\n" for n in range(students + 1)), encoding="utf-8"
    )
    folder = scratch / "course"
    init_course(folder, project=root, roster=roster, staff=("ta",), assignments=(assignment,))
    course = Course(folder)
    with course.sessions.begin() as db:
        students = db.scalars(select(User).where(User.role == "student").order_by(User.login))
        tokens = [issue_token(db, user, days=course.settings.token_days) for user in students]
    course.engine.dispose()
    return folder, tokens


async def submit_and_wait(client: httpx.AsyncClient, assignment: str, token: str, notebook: Path) -> tuple[float, dict]:
    """Upload ``notebook`` with ``token``; (seconds from upload to grade, the graded status)."""
    headers = {"Authorization": f"Bearer {token}"}
    start = time.monotonic()
    sent = await client.post(
        f"/api/assignments/{assignment}/submissions",
        content=notebook.read_bytes(),
        headers={**headers, "X-Upload-Name": notebook.name},
    )
    sent.raise_for_status()
    status = sent.json()
    while status["state"] != "graded":
        status = (await client.get(f"/api/submissions/{status['id']}", params={"wait": WAIT_S}, headers=headers)).json()
    return time.monotonic() - start, status


async def rush(
    url: str, assignment: str, tokens: list[str], examples: list[Path], minutes: float, seed: int
) -> tuple[list[float], float]:
    """Every token uploads once at a random moment of the rush; (each upload-to-grade time, seconds from start to the
    last grade)."""
    schedule = random.Random(seed)
    limits = httpx.Limits(max_connections=len(tokens) + 10)
    async with httpx.AsyncClient(base_url=url, timeout=WAIT_S + 60, limits=limits) as client:
        start = time.monotonic()

        async def student(index: int, token: str) -> float:
            await asyncio.sleep(schedule.uniform(0, minutes * 60))
            seconds, _ = await submit_and_wait(client, assignment, token, examples[index % len(examples)])
            return seconds

        times = await asyncio.gather(*(student(index, token) for index, token in enumerate(tokens)))
        return list(times), time.monotonic() - start


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stage_seconds(folder: Path) -> dict[str, list[float]]:
    """Each graded job's stages as the server's database recorded them: queued (received to claimed) and grading
    (claimed to recorded: reading, the sandbox, judging, the feedback page and the database write). They say where
    a rush's wait goes on a machine shared with other work, which the end-to-end times alone do not."""
    course = Course(folder)
    stages: dict[str, list[float]] = {"queued": [], "grading": []}
    with course.sessions() as db:
        for job in db.scalars(select(Job).where(Job.finished_at.is_not(None))):
            stages["queued"].append((job.started_at - job.submission.received_at).total_seconds())
            stages["grading"].append((job.finished_at - job.started_at).total_seconds())
    course.engine.dispose()
    return stages


def stage_line(stages: dict[str, list[float]]) -> str:
    def spread(values: list[float]) -> str:
        if len(values) < 2:
            return f"{values[0]:.1f} s" if values else "none"
        return f"p50 {statistics.median(values):.1f} s, p95 {statistics.quantiles(values, n=20)[-1]:.1f} s"

    return "; ".join(f"{stage} {spread(values)}" for stage, values in stages.items())


def notebook_seconds(folder: Path, submission_id: int) -> float:
    """How long the notebook's own run took in its sandbox, as the server recorded it."""
    course = Course(folder)
    with course.sessions() as db:
        seconds = db.get(Submission, submission_id).grading_seconds
    course.engine.dispose()
    return seconds or 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--assignment", required=True, help="a released assignment with bundled examples (examples/submissions/NAME/)"
    )
    parser.add_argument("--students", type=int, default=300, help="students, each uploading once")
    parser.add_argument(
        "--minutes", type=float, default=5.0, help="the rush: uploads are spread at random over this long"
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed of the upload times")
    parser.add_argument(
        "--root",
        type=Path,
        default=PROJECT,
        help="the project holding the released assignment (default: this checkout)",
    )
    args = parser.parse_args()
    examples = sorted((EXAMPLES / args.assignment).glob("*.ipynb"))
    if not examples:
        sys.exit(f"no {EXAMPLES.relative_to(PROJECT)}/{args.assignment}/*.ipynb to upload")
    if not (args.root / "dist" / f"{args.assignment}-autograder.zip").is_file():
        sys.exit(f"dist/{args.assignment}-autograder.zip is missing: run `autograder release {args.assignment}` first")
    with tempfile.TemporaryDirectory(prefix="serve-rush-") as scratch:
        folder, tokens = course_for(Path(scratch), args.root, args.assignment, args.students)
        server = Server(folder)
        try:
            idle_s, idle = asyncio.run(_idle(server.url, args.assignment, tokens[-1], examples[0]))
            own_s = notebook_seconds(folder, idle["id"])
            print(
                f"idle: upload to feedback {idle_s:.1f} s; the notebook's own run {own_s:.1f} s ({idle_s - own_s:.1f} "
                "s beyond it)",
                flush=True,
            )
            times, wall = asyncio.run(rush(server.url, args.assignment, tokens[:-1], examples, args.minutes, args.seed))
            peak = peak_rss_mb(server.process.pid)
        finally:
            server.stop()
        print(f"stages per job: {stage_line(stage_seconds(folder))}", flush=True)
    graded = len(times)
    p50, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1] if graded > 1 else times[0]
    print(
        f"rush: graded {graded}/{args.students}, p50 {p50:.1f} s, p95 {p95:.1f} s, "
        f"throughput {graded / (wall / 60):.1f}/min, server peak RSS {peak:.0f} MB"
    )


async def _idle(url: str, assignment: str, token: str, notebook: Path) -> tuple[float, dict]:
    async with httpx.AsyncClient(base_url=url, timeout=WAIT_S + 60) as client:
        # The pools warm up as the server starts; an idle server is one whose first job is done.
        await submit_and_wait(client, assignment, token, notebook)
        return await submit_and_wait(client, assignment, token, notebook)


if __name__ == "__main__":
    main()
