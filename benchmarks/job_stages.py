"""Where one grading job's time goes, stage by stage, for one lesson's submission.

Prints a table of wall-clock milliseconds per stage, each the median of ``--repeat`` runs:

- once per run (the pool's warm-up): importing what every notebook uses and running the template,
  recording the files sandboxes may read (the in-memory view) and its size;
- per submission, outside any sandbox, in a fork of the warmed process as a runner is: forking,
  copying the view into a memory-backed folder, IPython's shell, the notebook's own cells (the
  floor), public tests and phase-one probes, recorded chart variables, phase two;
- per submission, sandboxed as in a grading run: an empty function in a sandbox (namespaces, the
  root and its view, the phase gate) and the whole job;
- per submission, on the grader's side of a real ``grade_paths`` run of one file: judging, its
  result and feedback page, and the class's outputs.

Run from the project root after `make release`:

    .venv/bin/python benchmarks/job_stages.py --lesson logistic_regression --repeat 5
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

import nbformat  # noqa: E402

from autograder import sandbox  # noqa: E402
from autograder.assignment import Assignment  # noqa: E402
from autograder.forking import fork  # noqa: E402
from autograder.grading import batch  # noqa: E402
from autograder.grading.grading_folder import GradingFolder  # noqa: E402
from autograder.grading.judging.autograder_zip import AutograderZip  # noqa: E402
from autograder.notebook_run import new_shell  # noqa: E402
from autograder.sandbox import probe_run  # noqa: E402
from autograder.sandbox.probe_plan import ProbePlan  # noqa: E402
from autograder.sandbox.view import write_into  # noqa: E402
from autograder.sandbox.warm_process import files_for_sandboxes, warm_image, warm_up  # noqa: E402
from autograder.tables import render, table  # noqa: E402
from benchmarks.lesson_floor import SCRATCH, add_gate_option, cells_seconds, in_fork, started_in_fork, use_gate_option  # noqa: E402

EXAMPLES = PROJECT / "examples" / "submissions"


class Stages:
    """Milliseconds per stage name, several samples each."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)

    def add(self, name: str, seconds: float) -> None:
        self.samples[name].append(seconds * 1000)

    def timed(self, name: str, fn):
        """``fn`` wrapped to add its wall time to ``name`` on each call."""

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - start)

        return wrapper

    def merge(self, other: dict[str, list[float]]) -> None:
        for name, values in other.items():
            self.samples[name].extend(values)


def staged_in_fork(measure, *, started: bool = False):
    """Run ``measure(stages)`` in a fork of this (warmed) process, as a grading runner is; its totals per stage.
    ``started``: return at once a function that waits for them (to run two forks at once)."""

    def totals() -> dict[str, list[float]]:
        stages = Stages()
        measure(stages)
        return {name: [sum(values)] for name, values in stages.samples.items()}  # one sample per job

    return started_in_fork(totals) if started else in_fork(totals)


def notebook_stages(notebook, setup, plan: ProbePlan, secret: bytes, stages: Stages) -> None:
    """run_and_probe in a scratch folder, with its stages timed (no sandbox)."""
    shells = []

    def shell_timed():
        shell = stages.timed("IPython shell", new_shell)()
        shell.run_cell = stages.timed("notebook cells (probe run)", shell.run_cell)
        shells.append(shell)
        return shell

    probe_run.new_shell = shell_timed
    probing = probe_run._Probing
    probing.checkpoint = stages.timed("public tests + phase-one probes", probing.checkpoint)
    probing.phase_two = stages.timed("phase two (reference functions swapped in)", probing.phase_two)
    probe_run.charts.record = stages.timed("chart variables recorded", probe_run.charts.record)
    probe_run.suite.build_reference_functions = stages.timed(
        "reference functions built", probe_run.suite.build_reference_functions
    )
    with tempfile.TemporaryDirectory(dir=SCRATCH) as scratch:
        os.chdir(scratch)
        stages.timed("run_and_probe (all of it)", probe_run.run_and_probe)(
            notebook, setup.student_files, plan, lambda commit: secret
        )


def floor_stage(notebook, setup, stages: Stages) -> None:
    """The notebook's own cells once, in this warm process: the floor a grader cannot go below."""
    stages.add("floor: the notebook's own cells", cells_seconds(notebook, setup))


def fork_stage(stages: Stages) -> None:
    start = time.perf_counter()
    os.waitpid(fork(lambda: os._exit(0)), 0)
    stages.add("fork a runner and reap it", time.perf_counter() - start)


def view_copy_stage(view, stages: Stages) -> None:
    with tempfile.TemporaryDirectory(dir=SCRATCH) as root:
        start = time.perf_counter()
        write_into(view, root)
        stages.add("copy of the in-memory view", time.perf_counter() - start)


def _noop() -> bytes:
    return b""


def sandboxed_stages(notebook, setup, plan: ProbePlan, view, stages: Stages, *, label: str = "alone") -> None:
    limits = sandbox.Limits(wall_s=120, cpu_s=120, cgroup_mem_mb=4096, slot=os.getpid() % 1000)
    start = time.perf_counter()
    sandbox.run_sandboxed(_noop, limits=limits, view=view)
    stages.add(f"sandbox around an empty function, {label} (namespaces, root, view, gate)", time.perf_counter() - start)
    stopped = []

    def on_gate(waiting: bool) -> None:
        stopped.append(time.perf_counter() if waiting else time.perf_counter() - stopped.pop())

    with open(setup.secret, "rb") as secret:
        start = time.perf_counter()
        result = sandbox.run_sandboxed(
            probe_run.run_and_probe,
            notebook,
            setup.student_files,
            plan,
            limits=limits,
            secret_fd=secret.fileno(),
            view=view,
            on_gate=on_gate,
        )
        stages.add(f"whole job in its sandbox, {label}", time.perf_counter() - start)
    stages.add(f"stopped at the phase gate, {label} (steps aside last whole seconds)", sum(stopped))
    if result.status != "ok":
        raise SystemExit(f"the sandboxed job ended {result.status}: {result.detail} {result.data[-400:]!r}")


def grader_side_stages(assignment: Assignment, submission: Path, stages: Stages) -> None:
    """One real grade_paths run of ``submission``, with the grader's own stages timed."""
    batch.judged = stages.timed("judging the reports", batch.judged)
    batch.recorded = stages.timed("result JSON and feedback page", batch.recorded)
    batch.rebuild_planned = stages.timed("class outputs (gradebooks, summary, similarity)", batch.rebuild_planned)
    batch.Workers.__init__ = stages.timed("pool start (warm process: imports, template, view)", batch.Workers.__init__)
    with tempfile.TemporaryDirectory() as out:
        stages.timed("grade_paths, one file (all of it)", batch.grade_paths)([submission], assignment, Path(out))


def measure(lesson: str, repeat: int) -> Stages:
    assignment = Assignment.find(lesson, PROJECT)
    examples = sorted((EXAMPLES / lesson).glob("*.ipynb"))
    if not examples:
        raise SystemExit(f"no {EXAMPLES.relative_to(PROJECT)}/{lesson}/*.ipynb to profile")
    submission = examples[0]
    notebook = nbformat.read(submission, as_version=4)
    stages = Stages()
    stages.merge(staged_in_fork(lambda own: grader_side_stages(assignment, submission, own)))
    with GradingFolder(AutograderZip.read(assignment.zip_path)) as folder:
        setup = folder.worker_setup(assignment)
        plan = ProbePlan.loads(setup.plan)
        secret = setup.secret.read_bytes()
        with warm_image():  # as the warm process warms up: its objects frozen before the forks
            stages.timed("warm-up: imports and the template once (per run)", warm_up)(
                plan, setup.student_files, setup.template
            )
            view = stages.timed("recording the view (per run)", files_for_sandboxes)(
                plan, setup.student_files, setup.template
            )
        print(
            f"{lesson}: {submission.name}; the view holds {len(view.files)} files, {view.size / 2**20:.1f} MB",
            flush=True,
        )
        for _ in range(repeat):
            stages.merge(staged_in_fork(fork_stage))
            stages.merge(staged_in_fork(lambda own: view_copy_stage(view, own)))
            stages.merge(staged_in_fork(lambda own: floor_stage(notebook, setup, own)))
            stages.merge(staged_in_fork(lambda own: notebook_stages(notebook, setup, plan, secret, own)))
            stages.merge(staged_in_fork(lambda own: sandboxed_stages(notebook, setup, plan, view, own)))
            # as two workers run them: each job's phase one steps aside for the other's commit
            pair = [
                staged_in_fork(
                    lambda own: sandboxed_stages(notebook, setup, plan, view, own, label="two at once"), started=True
                )
                for _ in range(2)
            ]
            for samples in pair:
                stages.merge(samples())
    return stages


def report(stages: Stages) -> str:
    rows = []
    for name, values in stages.samples.items():
        rows.append(
            [name, str(len(values)), f"{statistics.median(values):.0f}", f"{min(values):.0f}", f"{max(values):.0f}"]
        )
    return render(table(["stage", "samples", "median ms", "min ms", "max ms"], rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--lesson", default="logistic_regression", help="the assignment whose first example submission is profiled"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each per-submission stage")
    add_gate_option(parser)
    args = parser.parse_args()
    use_gate_option(args)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", flush=True)
    print(report(measure(args.lesson, args.repeat)))


if __name__ == "__main__":
    main()
