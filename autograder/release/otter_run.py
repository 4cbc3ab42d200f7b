"""Grade one notebook with plain ``otter run`` (the reference behaviour)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from autograder import KitError


class OtterRunFailed(KitError, RuntimeError):
    """``otter run`` exited with an error or wrote no results."""


# A kernel can fail to start before any cell runs: kernels started at the same moment can race for a
# port and die, and on a loaded machine a kernel importing torch can miss the 60 s otter run waits.
KERNEL_START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")


def kernel_did_not_start(message: str) -> bool:
    """Whether ``message`` (an error or a run's stderr) says the kernel died or hung before it answered."""
    return any(sign in message for sign in KERNEL_START_FAILURES)


# The entry of results.json that reports the public tests, and the marks Otter puts under each test.
PUBLIC_TESTS = "Public Tests"
_VERDICT_LINES = ("❌ Test case failed", "✅ Test case passed")


@dataclass(frozen=True)
class OtterResult:
    """What ``otter run`` gave one notebook: per-question scores, and Otter's own report of the
    public tests that failed (None when every one passed). Public tests carry 0 points, so their
    failures never show in the scores."""

    scores: dict[str, float]
    public_failures: str | None = None

    @classmethod
    def from_results(cls, results: dict) -> "OtterResult":
        """From a Gradescope-format results.json."""
        public = next((test for test in results.get("tests", []) if test.get("name") == PUBLIC_TESTS), None)
        failed = public is not None and public.get("status") == "failed"
        return cls(scores_from_results(results), _report_lines(public.get("output", "")) if failed else None)


def _report_lines(output: str) -> str:
    """Otter's report of the public tests on one line, without its pass/fail marks."""
    lines = [line.strip() for line in output.splitlines()]
    return " | ".join(line for line in lines if line and line not in _VERDICT_LINES)


def otter_scores(
    zip_path: Path, notebook: Path, *, timeout: float = 600, threads: int | None = None
) -> dict[str, float]:
    """Per-question scores that ``otter run`` gives ``notebook`` with ``zip_path`` (see ``otter_result``)."""
    return otter_result(zip_path, notebook, timeout=timeout, threads=threads).scores


def otter_result(zip_path: Path, notebook: Path, *, timeout: float = 600, threads: int | None = None) -> OtterResult:
    """What ``otter run`` gives ``notebook`` with ``zip_path``; ``threads`` caps the notebook's
    OpenMP and MKL threads (torch's) when runs share the cores. A run whose kernel did not start
    (``KERNEL_START_FAILURES``) is tried once more."""
    try:
        return _otter_run(zip_path, notebook, timeout=timeout, threads=threads)
    except OtterRunFailed as failure:
        if not kernel_did_not_start(str(failure)):
            raise
        print(f"otter run: the kernel for {notebook.name} did not start; trying once more", file=sys.stderr)
    return _otter_run(zip_path, notebook, timeout=timeout, threads=threads)


def _otter_run(zip_path: Path, notebook: Path, *, timeout: float, threads: int | None) -> OtterResult:
    with tempfile.TemporaryDirectory(prefix="otter-run-") as scratch:
        scratch = Path(scratch)
        copy = scratch / notebook.name
        shutil.copy(notebook, copy)
        out = scratch / "out"
        out.mkdir()
        otter = Path(sys.executable).with_name("otter")
        command = [str(otter), "run", "-a", str(zip_path), "-o", str(out), str(copy)]
        environment = {
            **os.environ,
            **({"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)} if threads else {}),
        }
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=scratch, env=environment)
        results = out / "results.json"
        if done.returncode != 0 or not results.is_file():
            raise OtterRunFailed(f"otter run on {notebook} failed (exit {done.returncode}): {done.stderr[-800:]}")
        return OtterResult.from_results(json.loads(results.read_text()))


def scores_from_results(results: dict) -> dict[str, float]:
    """Question → score from a Gradescope-format results.json."""
    scores = {}
    for test in results.get("tests", []):
        name = test.get("name", "")
        if "max_score" in test and name != PUBLIC_TESTS:
            scores[name.split(" ")[0]] = float(test.get("score", 0.0))
    return scores


def otter_scores_many(zip_path: Path, notebooks: list[Path], *, workers: int = 2) -> list[dict[str, float]]:
    """``otter_scores`` for several notebooks (see ``otter_results_many``)."""
    return [result.scores for result in otter_results_many(zip_path, notebooks, workers=workers)]


def otter_results_many(zip_path: Path, notebooks: list[Path], *, workers: int = 2) -> list[OtterResult]:
    """``otter_result`` for several notebooks, ``workers`` at a time (one thread each when several:
    four parallel runs of a torch lesson on 2 cores took 242 s with default threads, 36 s with one)."""
    threads = 1 if workers > 1 else None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda nb: otter_result(zip_path, nb, threads=threads), notebooks))
