"""Grade the same N submissions with sequential `otter run` and with `autograder grade`.

Checks that both give the same per-question scores, then prints wall times,
the speed-up and the peak memory of each. Run from the project root after
`make release`:  .venv/bin/python benchmarks/grade_throughput.py --count 20
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from autograder.otter_run import otter_scores  # noqa: E402
from autograder.report import table  # noqa: E402

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


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


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

        start = time.perf_counter()
        otter = {path.name: otter_scores(zip_path, path) for path in paths}
        otter_seconds = time.perf_counter() - start
        otter_peak = children_peak_mb()

        out = Path(scratch) / "out"
        command = [str(Path(sys.executable).with_name("autograder")), "--root", str(PROJECT), "grade", str(folder), "-a", ASSIGNMENT, "-o", str(out), "--workers", str(args.workers)]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        kit_seconds = time.perf_counter() - start
        kit_peak = children_peak_mb()
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
