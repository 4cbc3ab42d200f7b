"""Grade one notebook with plain ``otter run`` (the reference behaviour)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder import KitError


class OtterRunFailed(KitError, RuntimeError):
    """``otter run`` exited with an error or wrote no results."""


# Kernels started at the same moment can race for a port; the kernel then dies before any cell runs.
KERNEL_START_FAILED = "Kernel died before replying to kernel_info"


def otter_scores(zip_path: Path, notebook: Path, *, timeout: float = 600, threads: int | None = None) -> dict[str, float]:
    """Per-question scores that ``otter run`` gives ``notebook`` with ``zip_path``; ``threads`` caps
    the notebook's OpenMP and MKL threads (torch's) when runs share the cores. A run whose kernel
    died before running a cell is tried once more."""
    try:
        return _otter_run(zip_path, notebook, timeout=timeout, threads=threads)
    except OtterRunFailed as failure:
        if KERNEL_START_FAILED not in str(failure):
            raise
        print(f"otter run: the kernel for {notebook.name} died before running a cell; trying once more", file=sys.stderr)
    return _otter_run(zip_path, notebook, timeout=timeout, threads=threads)


def _otter_run(zip_path: Path, notebook: Path, *, timeout: float, threads: int | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="otter-run-") as scratch:
        scratch = Path(scratch)
        copy = scratch / notebook.name
        shutil.copy(notebook, copy)
        out = scratch / "out"
        out.mkdir()
        otter = Path(sys.executable).with_name("otter")
        command = [str(otter), "run", "-a", str(zip_path), "-o", str(out), str(copy)]
        environment = {**os.environ, **({"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)} if threads else {})}
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=scratch, env=environment)
        results = out / "results.json"
        if done.returncode != 0 or not results.is_file():
            raise OtterRunFailed(f"otter run on {notebook} failed (exit {done.returncode}): {done.stderr[-800:]}")
        return scores_from_results(json.loads(results.read_text()))


def scores_from_results(results: dict) -> dict[str, float]:
    """Question → score from a Gradescope-format results.json."""
    scores = {}
    for test in results.get("tests", []):
        name = test.get("name", "")
        if "max_score" in test and name != "Public Tests":
            scores[name.split(" ")[0]] = float(test.get("score", 0.0))
    return scores


def otter_scores_many(zip_path: Path, notebooks: list[Path], *, workers: int = 2) -> list[dict[str, float]]:
    """``otter_scores`` for several notebooks, ``workers`` at a time (one thread each when several:
    four parallel runs of a torch lesson on 2 cores took 242 s with default threads, 36 s with one)."""
    threads = 1 if workers > 1 else None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda nb: otter_scores(zip_path, nb, threads=threads), notebooks))
