"""Grade the same N submissions with sequential `otter run` and with `autograder grade`, per assignment.

For every assignment with example submissions (examples/submissions/<name>/),
or those named with --assignment, checks that both give the same
per-question scores, then prints wall times, the speed-up and the peak
memory of each. Run from the project root after `make release`:
.venv/bin/python benchmarks/grade_throughput.py --count 20
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
from autograder.tables import render, table  # noqa: E402

EXAMPLES = PROJECT / "examples" / "submissions"


def corpus(name: str, count: int, folder: Path) -> list[Path]:
    """``count`` submissions cycling through the bundled examples of assignment ``name``."""
    examples = sorted((EXAMPLES / name).glob("*.ipynb"))
    if not examples:
        sys.exit(f"no {EXAMPLES / name}/*.ipynb: examples/README.md says how to write them")
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
    parser.add_argument("--assignment", action="append", help="Benchmark this assignment (repeatable); default: every one with examples.")
    args = parser.parse_args()
    names = args.assignment or sorted(folder.name for folder in EXAMPLES.iterdir() if folder.is_dir())
    rows, mismatched = [], []
    for name in names:
        otter_seconds, otter_peak, kit_seconds, kit_peak, wrong = benchmark(name, args.count, args.workers)
        rows += [
            [name, "otter run, sequential", str(args.count), f"{otter_seconds:.1f}", f"{otter_seconds / args.count:.2f}", f"{otter_peak:.0f}", ""],
            [name, f"autograder grade, {args.workers} workers", str(args.count), f"{kit_seconds:.1f}", f"{kit_seconds / args.count:.2f}", f"{kit_peak:.0f}", f"{otter_seconds / kit_seconds:.1f}x"],
        ]
        mismatched += [f"{name}/{file}" for file in wrong]
    print(render(table(["assignment", "grader", "submissions", "wall s", "s / submission", "peak RSS MB (largest process)", "speed-up"], rows)))
    print(f"scores identical: {not mismatched}")
    if mismatched:
        sys.exit(f"scores differ for {mismatched}")


def benchmark(name: str, count: int, workers: int) -> tuple[float, float, float, float, list[str]]:
    """(otter wall s, otter peak MB, kit wall s, kit peak MB, files whose scores differ) for ``count`` submissions."""
    zip_path = PROJECT / "dist" / f"{name}-autograder.zip"
    if not zip_path.is_file():
        sys.exit(f"{zip_path}: no autograder zip; run `make release` first")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "submissions"
        folder.mkdir()
        paths = corpus(name, count, folder)

        otter, otter_seconds, otter_peak = {}, 0.0, 0.0
        for path in paths:
            results = Path(scratch) / "otter" / path.stem
            results.mkdir(parents=True)
            seconds, peak = measured([str(Path(sys.executable).with_name("otter")), "run", "-a", str(zip_path), "-o", str(results), str(path)])
            otter[path.name] = scores_from_results(json.loads((results / "results.json").read_text()))
            otter_seconds, otter_peak = otter_seconds + seconds, max(otter_peak, peak)

        out = Path(scratch) / "out"
        command = [str(Path(sys.executable).with_name("autograder")), "--root", str(PROJECT), "grade", str(folder), "-a", name, "-o", str(out), "--workers", str(workers)]
        kit_seconds, kit_peak = measured(command)
        kit = _kit_scores(out / "final_grades.csv")
    return otter_seconds, otter_peak, kit_seconds, kit_peak, [file for file in otter if otter[file] != kit.get(file)]


def _kit_scores(gradebook: Path) -> dict[str, dict[str, float]]:
    import csv

    rows = list(csv.DictReader(gradebook.open()))
    questions = [c for c in rows[0] if c not in ("file", "total_points_earned", "percent_correct", "grading_status")]
    return {row["file"]: {q: float(row[q]) for q in questions} for row in rows[1:]}


if __name__ == "__main__":
    main()
