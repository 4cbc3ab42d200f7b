"""Grade the same N submissions with sequential `otter run` and with `autograder grade`, per assignment.

For each assignment (default: every one with example submissions in
examples/submissions/<assignment>/), checks that both graders give the same
per-question scores, then prints wall times, seconds per submission, the
speed-up and the peak memory of each. Run from the project root after
`make release`:

    .venv/bin/python benchmarks/grade_throughput.py --count 20
    .venv/bin/python benchmarks/grade_throughput.py --assignment nn_module --count 16
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from autograder.grading.records.gradebook import POINTS_ROW  # noqa: E402
from autograder.release.otter_run import scores_from_results  # noqa: E402
from autograder.tables import render, table  # noqa: E402

EXAMPLES = PROJECT / "examples" / "submissions"


@dataclass
class Measured:
    assignment: str
    count: int
    workers: int
    otter_seconds: float
    otter_peak_mb: float
    kit_seconds: float
    kit_peak_mb: float
    mismatched: list[str]


def assignments_with_examples() -> list[str]:
    """Every assignment that has example submissions, by name."""
    return sorted(folder.name for folder in EXAMPLES.glob("*/") if any(folder.glob("*.ipynb")))


def corpus(assignment: str, count: int, folder: Path) -> list[Path]:
    """``count`` submissions cycling through ``assignment``'s bundled examples."""
    examples = sorted((EXAMPLES / assignment).glob("*.ipynb"))
    if not examples:
        sys.exit(f"no {EXAMPLES.relative_to(PROJECT)}/{assignment}/*.ipynb; known: {', '.join(assignments_with_examples()) or 'none'}")
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


def benchmark(assignment: str, *, count: int, workers: int) -> Measured:
    """Grade ``count`` copies of ``assignment``'s examples with both graders; compare their scores."""
    zip_path = PROJECT / "dist" / f"{assignment}-autograder.zip"
    if not zip_path.is_file():
        sys.exit(f"{zip_path.relative_to(PROJECT)} is missing: run `autograder release {assignment}` first")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "submissions"
        folder.mkdir()
        paths = corpus(assignment, count, folder)

        otter, otter_seconds, otter_peak = {}, 0.0, 0.0
        for path in paths:
            results = Path(scratch) / "otter" / path.stem
            results.mkdir(parents=True)
            seconds, peak = measured([str(Path(sys.executable).with_name("otter")), "run", "-a", str(zip_path), "-o", str(results), str(path)])
            otter[path.name] = scores_from_results(json.loads((results / "results.json").read_text()))
            otter_seconds, otter_peak = otter_seconds + seconds, max(otter_peak, peak)

        out = Path(scratch) / "out"
        command = [str(Path(sys.executable).with_name("autograder")), "--root", str(PROJECT), "grade", str(folder), "-a", assignment, "-o", str(out), "--workers", str(workers)]
        kit_seconds, kit_peak = measured(command)
        kit = _kit_scores(out / "final_grades.csv")

    mismatched = [name for name in otter if otter[name] != kit.get(name)]
    return Measured(assignment, count, workers, otter_seconds, otter_peak, kit_seconds, kit_peak, mismatched)


def _kit_scores(gradebook: Path) -> dict[str, dict[str, float]]:
    with gradebook.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["file"] != POINTS_ROW]
    questions = [c for c in rows[0] if c not in ("file", "total_points_earned", "percent_correct", "grading_status")]
    return {row["file"]: {q: float(row[q]) for q in questions} for row in rows}


def report(result: Measured) -> str:
    """One assignment's figures as a table and a verdict line."""
    rows = [
        ["otter run, sequential", str(result.count), f"{result.otter_seconds:.1f}", f"{result.otter_seconds / result.count:.2f}", f"{result.otter_peak_mb:.0f}"],
        [f"autograder grade, {result.workers} workers", str(result.count), f"{result.kit_seconds:.1f}", f"{result.kit_seconds / result.count:.2f}", f"{result.kit_peak_mb:.0f}"],
    ]
    header = ["grader", "submissions", "wall s", "s / submission", "peak RSS MB (largest process)"]
    speed_up = result.otter_seconds / result.kit_seconds
    return "\n".join([
        render(table(header, rows, title=result.assignment)),
        f"speed-up: {speed_up:.1f}x; scores identical: {not result.mismatched}",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", dest="assignments", metavar="NAME", help="assignment to benchmark (repeatable; default: every one with example submissions)")
    parser.add_argument("--count", type=int, default=20, help="submissions per assignment, cycling through its examples")
    parser.add_argument("--workers", type=int, default=2, help="workers for autograder grade")
    args = parser.parse_args()
    names = args.assignments or assignments_with_examples()
    if not names:
        sys.exit(f"no example submissions under {EXAMPLES.relative_to(PROJECT)}/; run `make demo` first")
    failed = []
    for name in names:
        result = benchmark(name, count=args.count, workers=args.workers)
        print(report(result), flush=True)
        print()
        if result.mismatched:
            failed.append(f"{name}: {result.mismatched}")
    if failed:
        sys.exit(f"scores differ for {'; '.join(failed)}")


if __name__ == "__main__":
    main()
