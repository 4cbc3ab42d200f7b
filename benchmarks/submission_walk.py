"""The path one submission takes through the package, from `autograder grade` to its gradebook row.

Grades one notebook in this process under a profiler hook that notes every call into an
``autograder.*`` module. A *stop* is a call whose module differs from the module of the previous
such call; a *return* is a stop into a module the walk had already left. The fewer stops and
returns, the more the path reads as a sequence of steps rather than a hub and its spokes.

Only the grading process is walked: the warm process and its workers are other processes.

    .venv/bin/python benchmarks/submission_walk.py
    .venv/bin/python benchmarks/submission_walk.py --assignment kmeans \
        --path examples/submissions/kmeans/inertia_mean.ipynb
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from autograder.cli import main as autograder_cli

PACKAGE = "autograder"


def _package_module(frame) -> str | None:
    module = frame.f_globals.get("__name__", "")
    return module if module == PACKAGE or module.startswith(PACKAGE + ".") else None


@dataclass
class Walk:
    """The calls that cross from one ``autograder`` module into another, in order.

    ``stops`` has one entry per such call. ``steps`` keeps only the first call from each calling
    function into a given module, so a loop over cells or values counts once: it measures the shape
    of the path, not the size of the submission.
    """

    stops: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    _seen_edges: set[tuple[object, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(self, frame, event: str, _arg) -> None:
        module = _package_module(frame) if event == "call" else None
        if module is None or frame.f_code.co_name == "<module>":
            return  # an import runs module bodies: that is loading, not grading
        caller = frame.f_back
        while caller is not None and _package_module(caller) is None:
            caller = caller.f_back
        if caller is None or _package_module(caller) == module:
            return
        with self._lock:
            self.stops.append(module)
            edge = (caller.f_code, module)
            if edge not in self._seen_edges:
                self._seen_edges.add(edge)
                self.steps.append(module)


def returns(modules: list[str]) -> int:
    """How many entries are into a module entered before."""
    seen: set[str] = set()
    count = 0
    for module in modules:
        count += module in seen
        seen.add(module)
    return count


def walk_grading(assignment: str, path: Path, out: Path) -> Walk:
    walk = Walk()
    threading.setprofile(walk.hook)
    sys.setprofile(walk.hook)
    try:
        autograder_cli.main(
            ["grade", str(path), "-a", assignment, "-o", str(out), "--workers", "1"], standalone_mode=False
        )
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    return walk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="logistic_regression")
    parser.add_argument(
        "--path", type=Path, help="the submission (default: the assignment's correct_course_style example)"
    )
    parser.add_argument("--show", type=int, default=0, help="also print the first N stops")
    options = parser.parse_args()
    path = options.path or Path("examples/submissions") / options.assignment / "correct_course_style.ipynb"
    with tempfile.TemporaryDirectory(prefix="submission-walk-") as scratch:
        walk = walk_grading(options.assignment, path, Path(scratch) / "out")
    for label, modules in (("every call", walk.stops), ("one per calling function", walk.steps)):
        entries = collections.Counter(modules)
        print(
            f"{label}: stops {len(modules)}, modules {len(entries)}, returns to a module already left "
            f"{returns(modules)}"
        )
        print("  most entered:", ", ".join(f"{module} {count}" for module, count in entries.most_common(6)))
    for module in walk.steps[: options.show]:
        print("  ", module)


if __name__ == "__main__":
    main()
