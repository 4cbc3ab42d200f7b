"""The floor of a lesson's grading: its notebooks' own cells, each run once in a warm process; and the
grading's own work beside it: those cells with the public tests and the hidden cases.

No grader can spend less on a submission than running its cells. The process is warmed as a
grading run's is (``warm_up``: the imports and the blank template once; its objects frozen), then each notebook's
cells run in a fork of it, in a scratch folder beside the lesson's student files, with no
probes, no sandbox and no judging. A second fork runs the notebook as the sandbox does
(``run_and_probe``: the cells, the public tests, the probes of both phases) with no sandbox
around it, which is what any grader running these hidden cases must spend. Prints one JSON
object, by notebook path: ``{"cells": seconds, "graded": seconds}``:

    .venv/bin/python benchmarks/lesson_floor.py logistic_regression examples/submissions/logistic_regression/*.ipynb
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import io
import json
import os
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

import nbformat  # noqa: E402

from autograder.assignment import Assignment  # noqa: E402
from autograder.forking import fork  # noqa: E402
from autograder.grading.grading_folder import GradingFolder  # noqa: E402
from autograder.grading.judging.autograder_zip import AutograderZip  # noqa: E402
from autograder.notebook_run import code_sources, new_shell, runs_for_grading  # noqa: E402
from autograder.sandbox.phase_gate import FOLDER_VARIABLE  # noqa: E402
from autograder.sandbox.probe_plan import ProbePlan  # noqa: E402
from autograder.sandbox.probe_run import run_and_probe  # noqa: E402
from autograder.sandbox.warm_process import WorkerSetup, warm_image, warm_up  # noqa: E402

SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") else None


def add_gate_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host-gate", action="store_true", help="share the host's phase gate (default: one of its own)"
    )


def use_gate_option(args: argparse.Namespace) -> None:
    """Give this benchmark's sandboxes a phase gate of their own unless ``--host-gate``: other graders' commits
    on a shared host would stop them and blur the figures."""
    if not args.host_gate:
        folder = tempfile.mkdtemp(prefix="autograder-benchmark-gate-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ[FOLDER_VARIABLE] = folder


def cells_seconds(notebook: nbformat.NotebookNode, setup: WorkerSetup) -> float:
    """Wall seconds of ``notebook``'s own cells in this process, in a scratch folder with the student files."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as scratch:
        os.chdir(scratch)
        for relative, content in setup.student_files.items():
            Path(relative).parent.mkdir(parents=True, exist_ok=True)
            Path(relative).write_bytes(content)
        nbformat.write(notebook, setup.template.name)  # otter's init cell and some lessons read the notebook
        shell = new_shell()
        sources = [source for _, source in code_sources(notebook) if runs_for_grading(source)]
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            for source in sources:
                shell.run_cell(source, store_history=False, silent=True)
        return time.perf_counter() - start


def graded_seconds(notebook: nbformat.NotebookNode, setup: WorkerSetup) -> float:
    """Wall seconds of ``run_and_probe`` on ``notebook`` in this process (no sandbox), in a scratch folder."""
    plan, secret = ProbePlan.loads(setup.plan), setup.secret.read_bytes()
    with tempfile.TemporaryDirectory(dir=SCRATCH) as scratch:
        os.chdir(scratch)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            run_and_probe(notebook, setup.student_files, plan, lambda commit: secret)
        return time.perf_counter() - start


def in_fork(measure):
    """``measure()`` in a fork of this warmed process, as a grading runner is; what it returns."""
    return started_in_fork(measure)()


def started_in_fork(measure) -> Callable[[], Any]:
    """Start ``measure()`` in a fork of this process; return a function that waits for what it returns."""
    read_end, write_end = os.pipe()

    def child() -> None:
        os.close(read_end)
        os.write(write_end, pickle.dumps(measure()))  # a few kB: the pipe holds it until it is read
        os._exit(0)

    pid = fork(child)
    os.close(write_end)

    def result():
        with os.fdopen(read_end, "rb") as handle:
            data = handle.read()
        os.waitpid(pid, 0)
        if not data:
            raise RuntimeError("the measuring fork ended without a result")
        return pickle.loads(data)

    return result


def warmed_setup(lesson: str, folder: GradingFolder) -> WorkerSetup:
    """The lesson's worker setup, with this process warmed as a grading run's warm process is."""
    setup = folder.worker_setup(Assignment.find(lesson, PROJECT))
    with warm_image(), contextlib.redirect_stdout(io.StringIO()):
        warm_up(ProbePlan.loads(setup.plan), setup.student_files, setup.template)
    return setup


def floors(lesson: str, notebooks: list[Path]) -> dict[str, dict[str, float]]:
    """Seconds of each notebook's own cells, and of its grading's own work, each run once in a fork of one
    warmed process."""
    with GradingFolder(AutograderZip.read(Assignment.find(lesson, PROJECT).zip_path)) as folder:
        setup = warmed_setup(lesson, folder)
        seconds = {}
        for path in notebooks:
            notebook = nbformat.read(path, as_version=4)
            seconds[str(path)] = {
                "cells": in_fork(lambda: cells_seconds(notebook, setup)),  # noqa: B023 (called before the loop moves on)
                "graded": in_fork(lambda: graded_seconds(notebook, setup)),  # noqa: B023
            }
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lesson")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args()
    print(json.dumps(floors(args.lesson, args.notebooks)))


if __name__ == "__main__":
    main()
