"""Throughput of the course server past one machine: one ``autograder worker`` against two.

Starts a throwaway Redis and PostgreSQL (as ``make test`` does, see ``tests/scale_services.py``),
a course server with ``--queue``, then one worker, and later two, each with one sandbox at once, a
phase gate of its own (as a machine of its own has) and warmed up before any upload. It uploads the
same submissions (the assignment's bundled examples, repeated) over HTTP and times the first upload
to the last grade. Prints one line per run, with how many of the cores were busy, and the ratio of
the two throughputs:

    .venv/bin/python benchmarks/scale_out.py --assignment logistic_regression --submissions 24

On one host the workers share its cores with the server, Redis, PostgreSQL and the uploads;
``--machine-cores 0.8`` holds each worker to 0.8 of a core, as machines of their own would, so the
rest of the host is the server's.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from autograder.assignment import Assignment  # noqa: E402
from benchmarks.cpu_budget import CpuBudget, CpuBudgetError  # noqa: E402
from tests.course_server import ROSTER, Visitor, submitted_id  # noqa: E402
from tests.scale_services import WorkerMachine, missing, scaled_out_server  # noqa: E402

TARGET = 1.8


def students() -> list[str]:
    return [line.split(",")[0] for line in ROSTER.splitlines()[1:]]


def cpu_ticks() -> tuple[int, int]:
    """The machine's (busy, total) CPU ticks since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return sum(ticks) - idle, sum(ticks)


def run(
    assignment: Assignment,
    notebooks: list[bytes],
    *,
    machines: int,
    sandboxes: int,
    folder: Path,
    machine_cores: float | None = None,
) -> tuple[float, float, list[int]]:
    """Seconds from the first upload to the last grade, with ``machines`` workers (each held to
    ``machine_cores`` cores, when given); how many cores were busy meanwhile (every process on the host:
    server, queue, database, uploads, workers); the jobs each claimed."""
    with scaled_out_server(assignment, folder) as (server, queue_url, database_url):
        workers, budgets = [], []
        try:
            for number in range(machines):
                workers.append(
                    WorkerMachine.holding(
                        assignment,
                        folder / f"machine-{number}",
                        queue_url=queue_url,
                        database_url=database_url,
                        workers=sandboxes,
                        own_gate=True,  # as a machine of its own has (one host's sandboxes take turns at one)
                    )
                )
                if machine_cores:
                    budgets.append(CpuBudget(f"scale-out-{os.getpid()}-{number}", machine_cores))
                    budgets[-1].hold(workers[-1].process.pid)  # its own session: Celery, warm process, sandboxes
            visitors = {}
            for login in students():
                visitors[login] = Visitor(server.url)
                visitors[login].log_in(login)
            started, (busy_before, total_before) = time.monotonic(), cpu_ticks()
            sent = [
                (visitors[login], submitted_id(visitors[login].upload(assignment.name, "mine.ipynb", content)))
                for login, content in zip(itertools.cycle(visitors), notebooks)
            ]
            for visitor, submission_id in sent:
                visitor.graded(submission_id)
            busy, total = cpu_ticks()
            cores = (busy - busy_before) / max(1, total - total_before) * os.cpu_count()
            return time.monotonic() - started, cores, [len(worker.claimed()) for worker in workers]
        finally:
            for worker in workers:
                worker.stop()
            for budget in budgets:
                budget.remove()


def _run_or_exit(*args, **options) -> tuple[float, float, list[int]]:
    try:
        return run(*args, **options)
    except CpuBudgetError as error:
        raise SystemExit(f"scale_out: --machine-cores: {error}") from error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="logistic_regression")
    parser.add_argument("--submissions", type=int, default=24)
    parser.add_argument("--sandboxes", type=int, default=1, help="sandboxes at once per worker")
    parser.add_argument(
        "--machine-cores",
        type=float,
        help="hold each worker's processes to this many cores (a CPU cgroup), as a machine of that size "
        "would, so the server, Redis and PostgreSQL have the rest of this host; default: no cap",
    )
    options = parser.parse_args()
    why_not = missing()
    if why_not:
        raise SystemExit(f"scale_out: {why_not}")
    if options.machine_cores is not None and not 0 < options.machine_cores <= os.cpu_count():
        raise SystemExit(f"scale_out: --machine-cores must be above 0 and at most {os.cpu_count()}")
    assignment = Assignment.find(options.assignment, PROJECT)
    examples = sorted((PROJECT / "examples" / "submissions" / assignment.name).glob("*.ipynb"))
    if not examples or not assignment.zip_path.is_file():
        raise SystemExit(f"scale_out: {assignment.name} needs its bundled examples and a release (make release)")
    notebooks = [path.read_bytes() for path in itertools.islice(itertools.cycle(examples), options.submissions)]
    # Other work on the machine takes cores from the second worker: say how busy it was.
    cap = f"each worker held to {options.machine_cores:g} cores" if options.machine_cores else "no cap per worker"
    print(f"scale-out: {os.cpu_count()} cores, {cap}, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    rates = {}
    with tempfile.TemporaryDirectory(prefix="scale-out-") as scratch:
        for machines in (1, 2):
            seconds, cores, claimed = _run_or_exit(
                assignment,
                notebooks,
                machines=machines,
                sandboxes=options.sandboxes,
                folder=Path(scratch) / f"{machines}-workers",
                machine_cores=options.machine_cores,
            )
            rates[machines] = len(notebooks) / seconds * 60
            print(
                f"scale-out: {machines} worker{'s' if machines > 1 else ''} x {options.sandboxes} sandbox: "
                f"{len(notebooks)} graded in {seconds:.1f} s, "
                f"{rates[machines]:.1f}/min, {cores:.1f} of {os.cpu_count()} cores busy "
                f"(jobs per worker: {' + '.join(map(str, claimed))})",
                flush=True,
            )
    ratio = rates[2] / rates[1]
    print(
        f"scale-out: two workers' throughput is {ratio:.2f}x one worker's (target {TARGET}x); load average "
        f"{os.getloadavg()[0]:.1f} at the end"
    )


if __name__ == "__main__":
    main()
