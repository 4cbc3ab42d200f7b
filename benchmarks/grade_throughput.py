"""Per lesson: sequential `otter run` against `autograder grade`, the floor, and the kit's marginal cost.

Every lesson under assignments/ is measured (``--lessons`` picks some). A lesson's corpus is
``--count`` copies cycling through its example submissions (examples/submissions/<lesson>/),
else through its executed solution notebook. For each lesson it prints:

- `otter run` one file at a time, sampled on ``--otter-sample`` files spread over the corpus (half
  timed before the kit's run, half after) and extrapolated to ``--count`` (the output says so),
  against `autograder grade` on all of them;
- the floor: each notebook's own cells once in a warm process (benchmarks/lesson_floor.py),
  averaged over the corpus, on one core and per submission with ``--workers`` cores;
- the kit's marginal cost per submission, from ``--count`` to ``--marginal-count`` files
  ((wall at the larger count - wall at N) / the files added), as a multiple of that floor, and of
  the grading's own work (the cells with the public tests and hidden cases, no sandbox: the same
  script) on the workers' cores;
- whether the sampled files scored the same under both graders.

Run from the project root after `make release`; the machine's load average is printed with the figures:

    .venv/bin/python benchmarks/grade_throughput.py --count 20
    .venv/bin/python benchmarks/grade_throughput.py --lessons logistic_regression,pca --count 20
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from autograder.assignment import Assignment  # noqa: E402
from autograder.grading.records.gradebook import POINTS_ROW  # noqa: E402
from autograder.release.otter_run import scores_from_results  # noqa: E402
from autograder.sandbox.phase_gate import FOLDER_VARIABLE  # noqa: E402
from autograder.tables import render, table  # noqa: E402
from benchmarks.lesson_floor import add_gate_option, use_gate_option  # noqa: E402

EXAMPLES = PROJECT / "examples" / "submissions"
BIN = Path(sys.executable).parent
HOST_GATE = "the host's"
TARGET_SPEED_UP = 10.0
TARGET_FLOOR_MULTIPLE = 1.3


@dataclass
class Measured:
    lesson: str
    count: int
    workers: int
    otter_sampled: int
    otter_seconds_each: float
    kit_seconds: float
    kit_seconds_more: float
    more: int
    floor_seconds: float
    graded_seconds: float
    mismatched: list[str]

    @property
    def otter_seconds(self) -> float:
        return self.otter_seconds_each * self.count

    @property
    def speed_up(self) -> float:
        return self.otter_seconds / self.kit_seconds

    @property
    def marginal(self) -> float:
        return (self.kit_seconds_more - self.kit_seconds) / (self.more - self.count)

    @property
    def floor_on_workers(self) -> float:
        return self.floor_seconds / self.workers

    @property
    def floor_multiple(self) -> float:
        return self.marginal / self.floor_on_workers

    @property
    def graded_multiple(self) -> float:
        return self.marginal / (self.graded_seconds / self.workers)


def lessons() -> list[str]:
    """Every lesson under assignments/, by name."""
    return sorted(assignment.name for assignment in Assignment.all(PROJECT))


def honest_sources(lesson: str) -> list[Path]:
    """The lesson's example submissions, else its executed solution notebook."""
    examples = sorted((EXAMPLES / lesson).glob("*.ipynb"))
    if examples:
        return examples
    solution = Assignment.find(lesson, PROJECT).solution_dir / f"{lesson}.ipynb"
    if not solution.is_file():
        sys.exit(
            f"{lesson}: no examples/submissions/{lesson}/*.ipynb and no {solution.relative_to(PROJECT)}; "
            "run `make release`"
        )
    return [solution]


def corpus(sources: list[Path], count: int, folder: Path) -> list[Path]:
    """``count`` copies cycling through ``sources``, in ``folder``."""
    folder.mkdir(parents=True)
    paths = []
    for index in range(count):
        source = sources[index % len(sources)]
        target = folder / f"{index:03d}_{source.name}"
        shutil.copy(source, target)
        paths.append(target)
    return paths


def spread(paths: list[Path], sample: int) -> list[Path]:
    """``sample`` of ``paths``, evenly spaced, so each example kind is as likely as in the corpus."""
    if sample >= len(paths):
        return paths
    step = len(paths) / sample
    return [paths[int(index * step)] for index in range(sample)]


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:3])} ... failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def kit_grade(lesson: str, folder: Path, out: Path, workers: int) -> float:
    command = [
        str(BIN / "autograder"),
        "--root",
        str(PROJECT),
        "grade",
        str(folder),
        "-a",
        lesson,
        "-o",
        str(out),
        "--workers",
        str(workers),
    ]
    return wall(command)


def otter_run(zip_path: Path, paths: list[Path], scratch: Path) -> tuple[float, dict[str, dict[str, float]]]:
    """Seconds of one `otter run` per file of ``paths``, in all, and each file's scores."""
    seconds, scores = 0.0, {}
    for path in paths:
        results = scratch / "otter" / path.stem
        results.mkdir(parents=True)
        seconds += wall([str(BIN / "otter"), "run", "-a", str(zip_path), "-o", str(results), str(path)])
        scores[path.name] = scores_from_results(json.loads((results / "results.json").read_text()))
    return seconds, scores


def lesson_floor(lesson: str, sources: list[Path], corpus_paths: list[Path]) -> tuple[float, float]:
    """Mean seconds over the corpus of the floor and of the grading's own work: each source notebook measured
    once, weighted by its copies."""
    command = [sys.executable, str(PROJECT / "benchmarks" / "lesson_floor.py"), lesson, *map(str, sources)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{lesson}: measuring the floor failed:\n{done.stderr[-2000:]}")
    by_source = json.loads(done.stdout.strip().splitlines()[-1])
    measured = [by_source[str(sources[index % len(sources)])] for index in range(len(corpus_paths))]
    return tuple(sum(each[kind] for each in measured) / len(measured) for kind in ("cells", "graded"))


def benchmark(lesson: str, *, count: int, more: int, workers: int, sample: int) -> Measured:
    """Grade ``lesson``'s corpus with both graders, and ``more`` copies with the kit; measure its floor."""
    zip_path = Assignment.find(lesson, PROJECT).zip_path
    if not zip_path.is_file():
        sys.exit(f"{zip_path.relative_to(PROJECT)} is missing: run `autograder release {lesson}` first")
    sources = honest_sources(lesson)
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        paths = corpus(sources, count, scratch / "n")
        sampled = spread(paths, sample)
        # otter run on either side of the kit's run: a shared host's speed drifts (this one's halved in half an hour).
        otter_before, scores_before = otter_run(zip_path, sampled[: len(sampled) // 2], scratch)
        kit_seconds = kit_grade(lesson, scratch / "n", scratch / "out_n", workers)
        otter_after, scores_after = otter_run(zip_path, sampled[len(sampled) // 2 :], scratch)
        otter_each, otter_scores = (otter_before + otter_after) / len(sampled), scores_before | scores_after
        corpus(sources, more, scratch / "more")
        kit_seconds_more = kit_grade(lesson, scratch / "more", scratch / "out_more", workers)
        kit = _kit_scores(scratch / "out_n" / "final_grades.csv")
        floor, graded = lesson_floor(lesson, sources, paths)
    mismatched = [name for name in otter_scores if otter_scores[name] != kit.get(name)]
    return Measured(
        lesson, count, workers, len(sampled), otter_each, kit_seconds, kit_seconds_more, more, floor, graded, mismatched
    )


def _kit_scores(gradebook: Path) -> dict[str, dict[str, float]]:
    with gradebook.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["file"] != POINTS_ROW]
    questions = [c for c in rows[0] if c not in ("file", "total_points_earned", "percent_correct", "grading_status")]
    return {row["file"]: {q: float(row[q]) for q in questions} for row in rows}


def report(results: list[Measured]) -> str:
    """One row per lesson, and the targets' verdicts."""
    header = [
        "lesson",
        "N",
        "otter run s (sampled)",
        "kit s",
        "speed-up",
        "floor s (1 core)",
        "floor s / sub (cores)",
        "kit marginal s / sub",
        "x floor",
        "x cells + hidden cases",
        "scores same",
    ]
    rows = [
        [
            m.lesson,
            str(m.count),
            f"{m.otter_seconds:.0f} ({m.otter_sampled} run, x{m.count / m.otter_sampled:.1f})",
            f"{m.kit_seconds:.1f}",
            f"{m.speed_up:.1f}x",
            f"{m.floor_seconds:.3f}",
            f"{m.floor_on_workers:.3f} ({m.workers})",
            f"{m.marginal:.3f} (N={m.count}->{m.more})",
            f"{m.floor_multiple:.2f}",
            f"{m.graded_multiple:.2f} ({m.graded_seconds:.3f} s, 1 core)",
            "yes" if not m.mismatched else f"NO: {m.mismatched}",
        ]
        for m in results
    ]
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    notes = [
        "otter run is timed on a sample of files spread over each corpus and extrapolated to N",
        f"phase gate: {os.environ.get(FOLDER_VARIABLE) or HOST_GATE}",
        f"load average now {load}",
        f"targets: speed-up >= {TARGET_SPEED_UP:g}x, "
        f"marginal cost <= {TARGET_FLOOR_MULTIPLE:g}x the floor on the workers' cores",
        "missing: "
        + (
            ", ".join(
                m.lesson for m in results if m.speed_up < TARGET_SPEED_UP or m.floor_multiple > TARGET_FLOOR_MULTIPLE
            )
            or "none"
        ),
    ]
    return "\n".join([render(table(header, rows, title="grading throughput")), *notes])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", help="comma-separated lessons to measure (default: every one under assignments/)")
    parser.add_argument(
        "--count", type=int, default=20, help="submissions per lesson, cycling through its examples (N)"
    )
    parser.add_argument("--marginal-count", type=int, help="the larger corpus for the marginal cost (default: 3 N)")
    parser.add_argument("--otter-sample", type=int, default=3, help="files `otter run` is timed on, extrapolated to N")
    parser.add_argument("--workers", type=int, default=2, help="workers for autograder grade")
    add_gate_option(parser)
    args = parser.parse_args()
    use_gate_option(args)
    known = lessons()
    names = args.lessons.split(",") if args.lessons else known
    unknown = [name for name in names if name not in known]
    if unknown:
        sys.exit(f"--lessons: no lesson {', '.join(unknown)} under assignments/; known: {', '.join(known)}")
    more = args.marginal_count or 3 * args.count
    if more <= args.count:
        sys.exit(f"--marginal-count ({more}) must be larger than --count ({args.count})")
    results = []
    for name in names:
        print(
            f"{name}: grading {args.count} and {more} copies, otter run on {args.otter_sample}, the floor ...",
            file=sys.stderr,
            flush=True,
        )
        results.append(benchmark(name, count=args.count, more=more, workers=args.workers, sample=args.otter_sample))
    print(report(results))
    failed = [f"{m.lesson}: {m.mismatched}" for m in results if m.mismatched]
    if failed:
        sys.exit(f"scores differ for {'; '.join(failed)}")


if __name__ == "__main__":
    main()
