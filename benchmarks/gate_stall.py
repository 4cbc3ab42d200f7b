"""What a looping notebook costs the rest of a class: `autograder grade` on a few example submissions,
with and without one notebook that loops in phase one until its timeout.

Every grader on the host takes turns at the phase gate (autograder/sandbox/phase_gate.py), so a
sandbox that never ends its phase one can hold up the others' commits. Prints the wall time of
each run and whether every honest file got the same scores in both. Run from the project root
after `make release`:

    .venv/bin/python benchmarks/gate_stall.py --count 4 --timeout 60
    .venv/bin/python benchmarks/gate_stall.py --count 20 --no-loop
    .venv/bin/python benchmarks/gate_stall.py --checkout /tmp/old-kit   # another copy of the kit, same venv
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

PROJECT = Path(__file__).resolve().parents[1]
LOOP = "while True:\n    pass"


def submissions(checkout: Path, assignment: str, count: int, folder: Path, *, looping: bool) -> None:
    """``count`` of ``assignment``'s examples (cycled), and a looping copy of the first if ``looping``,
    named to be graded first."""
    examples = sorted((checkout / "examples" / "submissions" / assignment).glob("*.ipynb"))
    if not examples:
        sys.exit(f"{checkout}/examples/submissions/{assignment}/ holds no notebook")
    for index in range(count):
        source = examples[index % len(examples)]
        (folder / f"{index + 1:03d}_{source.name}").write_bytes(source.read_bytes())
    if looping:
        notebook = nbformat.read(examples[0], as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell(LOOP))
        nbformat.write(notebook, folder / "000_looping.ipynb")


def grade(
    checkout: Path, folder: Path, out: Path, assignment: str, *, workers: int, timeout: int
) -> tuple[float, float]:
    """Wall seconds of one `autograder grade` run with ``checkout``'s package, and until its last honest
    result was written."""
    command = [
        sys.executable,
        "-c",
        "from autograder.cli import main; main()",
        "--root",
        str(checkout),
        "grade",
        str(folder),
        "-a",
        assignment,
        "-o",
        str(out),
        "--workers",
        str(workers),
        "--timeout",
        str(timeout),
    ]
    start, started_at = time.perf_counter(), time.time()
    subprocess.run(command, cwd=checkout, check=True, capture_output=True)
    honest = [path.stat().st_mtime for path in (out / "results").glob("*.json") if "looping" not in path.name]
    return time.perf_counter() - start, max(honest) - started_at


def scores(gradebook: Path) -> dict[str, tuple[str, str]]:
    """file → (total, status), honest files only."""
    with gradebook.open(newline="") as handle:
        rows = [
            row for row in csv.DictReader(handle) if row["file"].endswith(".ipynb") and "looping" not in row["file"]
        ]
    return {row["file"]: (row["total_points_earned"], row["grading_status"]) for row in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--checkout",
        type=Path,
        default=PROJECT,
        help="the kit to time (its autograder/ package, assignments and dist/)",
    )
    parser.add_argument("--assignment", default="logistic_regression")
    parser.add_argument("--count", type=int, default=4, help="honest submissions, cycling through the examples")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=120, help="seconds per submission (the looping one runs to it)")
    parser.add_argument("--no-loop", action="store_true", help="time the honest files only")
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    runs = [False] if args.no_loop else [False, True]
    seen = {}
    for looping in runs:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch) / "in"
            folder.mkdir()
            submissions(checkout, args.assignment, args.count, folder, looping=looping)
            seconds, honest_done = grade(
                checkout, folder, Path(scratch) / "out", args.assignment, workers=args.workers, timeout=args.timeout
            )
            seen[looping] = scores(Path(scratch) / "out" / "final_grades.csv")
        label = f"{args.count} files" + (" + 1 looping" if looping else "")
        print(
            f"{label}: {seconds:.1f} s, the honest files' results written after {honest_done:.1f} s "
            f"({args.workers} workers, timeout {args.timeout} s, {checkout})",
            flush=True,
        )
    if len(seen) == 2:
        print(f"honest files' scores identical with and without the loop: {seen[False] == seen[True]}")


if __name__ == "__main__":
    main()
