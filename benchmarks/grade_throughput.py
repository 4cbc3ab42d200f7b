"""Grade the same N submissions with sequential `otter run` and with `autograder grade`.

Checks that both give the same per-question scores, then prints wall times,
the speed-up and the peak memory of each. Run from the project root after
`make release`:  .venv/bin/python benchmarks/grade_throughput.py --count 20
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from autograder.release.otter_run import scores_from_results  # noqa: E402
from autograder.grading.terminal import table  # noqa: E402

ASSIGNMENT = "logistic_regression"


def corpus(count: int, folder: Path) -> list[Path]:
    """``count`` submissions cycling through the bundled examples."""
    examples = sorted((PROJECT / "examples" / "submissions").glob("*.ipynb"))
    if not examples:
        sys.exit("no examples/submissions/*.ipynb: run `make demo` first")
    paths = []
    for index in range(count):
        source = examples[index % len(examples)]
        target = folder / f"{index:03d}_{source.name}"
        shutil.copy(source, target)
        paths.append(target)
    return paths


# Runs a command and prints the peak RSS of the largest process it started, so
# each grader's figure is its own (this process's RUSAGE_CHILDREN only grows).
_MEASURE = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def measured(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB of the largest process) of ``command``."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], check=True, capture_output=True, text=True)
    return time.perf_counter() - start, int(done.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    zip_path = PROJECT / "dist" / f"{ASSIGNMENT}-autograder.zip"
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "submissions"
        folder.mkdir()
        paths = corpus(args.count, folder)

        otter, otter_seconds, otter_peak = {}, 0.0, 0.0
        for path in paths:
            results = Path(scratch) / "otter" / path.stem
            results.mkdir(parents=True)
            seconds, peak = measured([str(Path(sys.executable).with_name("otter")), "run", "-a", str(zip_path), "-o", str(results), str(path)])
            otter[path.name] = scores_from_results(json.loads((results / "results.json").read_text()))
            otter_seconds, otter_peak = otter_seconds + seconds, max(otter_peak, peak)

        out = Path(scratch) / "out"
        command = [str(Path(sys.executable).with_name("autograder")), "--root", str(PROJECT), "grade", str(folder), "-a", ASSIGNMENT, "-o", str(out), "--workers", str(args.workers)]
        kit_seconds, kit_peak = measured(command)
        kit = _kit_scores(out / "final_grades.csv")

    mismatched = [name for name in otter if otter[name] != kit.get(name)]
    print(table(
        ["grader", "submissions", "wall s", "s / submission", "peak RSS MB (largest process)"],
        [
            ["otter run, sequential", str(args.count), f"{otter_seconds:.1f}", f"{otter_seconds / args.count:.2f}", f"{otter_peak:.0f}"],
            [f"autograder grade, {args.workers} workers", str(args.count), f"{kit_seconds:.1f}", f"{kit_seconds / args.count:.2f}", f"{kit_peak:.0f}"],
        ],
    ))
    print(f"speed-up: {otter_seconds / kit_seconds:.1f}x; scores identical: {not mismatched}")
    if mismatched:
        sys.exit(f"scores differ for {mismatched}")


def _kit_scores(gradebook: Path) -> dict[str, dict[str, float]]:
    import csv

    rows = list(csv.DictReader(gradebook.open()))
    questions = [c for c in rows[0] if c not in ("file", "total_points_earned", "percent_correct", "grading_status")]
    return {row["file"]: {q: float(row[q]) for q in questions} for row in rows[1:]}


if __name__ == "__main__":
    main()
