"""The path one submission takes through the package, from `autograder grade` to its gradebook row.

Grades one notebook in this process under a profiler hook and lists the path's *stops*. A stop is a
call from one ``autograder`` module into a function of another whose arguments (``self`` included)
hold the submission or something made from it: the found file, its bytes and reading, what it says
of itself, its sandbox job and result, its grade, its feedback page, its row in the class, or a
list, tuple or dict of those (``CARRIERS``). A *return* is a stop into a module the walk had entered
before. A path that passes each module once, in order, has no returns.

What is not a stop, and why:

- a call whose arguments hold none of those: a helper any module may call (quoting text, a file's
  name for OUT, the late policy's arithmetic) serves the step that called it, not the submission;
- reading a record's value: a property of a carrier (``Grade.total``) and the methods ``dataclasses``
  writes for it (building a ``Grade`` is making a value, not going somewhere). One property does work:
  ``Received.reading`` parses the notebook on first use, in the bounded reader, and keeps it for
  every later use (the job's, usually). Counted as a call, ``intake.received`` is entered twice: once
  to name the class's files, once when a worker is free for this one;
- a generator resuming: the profiler reports each resume as a call, but the generator was entered
  once, when it first ran;
- module bodies run by an import: that is loading, not grading.

The old figure is printed on a second line: every call that crosses from one module into another,
whatever it carries, counting the first from each calling function into a given module only (a loop
over cells counts once). It measures how the modules talk, not the submission's path.

Only the grading process is walked: the warm process and its workers are other processes.

    .venv/bin/python benchmarks/submission_walk.py
    .venv/bin/python benchmarks/submission_walk.py --show
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
from typing import Callable

from autograder.cli import main as autograder_cli
from autograder.grading.intake.about import About
from autograder.grading.intake.reading import Reading
from autograder.grading.intake.received import Received
from autograder.grading.intake.submissions import Submission
from autograder.grading.judging.grade import Grade
from autograder.grading.pages.feedback_page import FeedbackPage
from autograder.grading.records.class_book import StudentRow
from autograder.grading.records.class_outputs import ClassView
from autograder.sandbox.outcome import Result
from autograder.sandbox.workers import Job

PACKAGE = "autograder"
# The submission and everything made from it on its way to the gradebook.
CARRIERS = (Submission, Received, Reading, About, Job, Result, Grade, FeedbackPage, StudentRow, ClassView)
GENERATOR_FLAGS = 0x20 | 0x80 | 0x200  # CO_GENERATOR, CO_COROUTINE, CO_ASYNC_GENERATOR
SCANNED = 50  # items of a collection looked at: a class's list holds one kind of thing


def _package_module(frame) -> str | None:
    module = frame.f_globals.get("__name__", "")
    return module if module == PACKAGE or module.startswith(PACKAGE + ".") else None


def carries(value: object) -> bool:
    """Whether ``value`` is the submission or made from it, or a collection holding such values."""
    if isinstance(value, CARRIERS):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(isinstance(item, CARRIERS) for item in list(value)[:SCANNED])
    if isinstance(value, dict):
        return any(isinstance(item, CARRIERS) for item in list(value.values())[:SCANNED])
    return False


def _record_readers() -> set:
    """The code of every property of a carrier: reading one is reading the value."""
    return {
        member.fget.__code__
        for carrier in CARRIERS
        for klass in carrier.__mro__
        for member in vars(klass).values()
        if isinstance(member, property) and member.fget is not None and hasattr(member.fget, "__code__")
    }


@dataclass
class Walk:
    """The calls that cross from one ``autograder`` module into another, in order.

    ``stops``: those that carry the submission (see the module docstring), as ``module.function``.
    ``steps``: every crossing, the first from each calling function into a given module only (the old figure).
    """

    stops: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    _seen_edges: set[tuple[object, str]] = field(default_factory=set)
    _readers: set = field(default_factory=_record_readers)
    _generators: dict[int, object] = field(default_factory=dict)  # frames kept, so an id is never reused
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(self, frame, event: str, _arg) -> None:
        module = _package_module(frame) if event == "call" else None
        code = frame.f_code
        if module is None or code.co_name == "<module>":
            return
        if code.co_flags & GENERATOR_FLAGS:
            if id(frame) in self._generators:
                return  # resumed, not called
            self._generators[id(frame)] = frame
        caller = frame.f_back
        while caller is not None and _package_module(caller) is None:
            caller = caller.f_back
        if caller is None or _package_module(caller) == module:
            return
        with self._lock:
            if (caller.f_code, module) not in self._seen_edges:
                self._seen_edges.add((caller.f_code, module))
                self.steps.append(module)
            if code in self._readers or not code.co_filename.endswith(".py"):
                return  # a property, or a method dataclasses wrote
            arguments = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
            if any(carries(frame.f_locals.get(name)) for name in arguments):
                self.stops.append(f"{module}.{getattr(code, 'co_qualname', code.co_name)}")  # co_qualname: Python 3.11


def module_of(stop: str) -> str:
    """The module of a ``module.qualname`` stop: the longest prefix that is an imported module."""
    parts = stop.split(".")
    for end in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:end]) in sys.modules:
            return ".".join(parts[:end])
    return stop


def returns(modules: list[str]) -> int:
    """How many entries are into a module entered before."""
    seen: set[str] = set()
    count = 0
    for module in modules:
        count += module in seen
        seen.add(module)
    return count


def walked(grade: Callable[[], object]) -> Walk:
    """The walk of ``grade()``, in this thread and every thread it starts."""
    walk = Walk()
    threading.setprofile(walk.hook)
    sys.setprofile(walk.hook)
    try:
        grade()
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    return walk


def summary(label: str, modules: list[str]) -> str:
    entries = collections.Counter(modules)
    most = ", ".join(f"{module.removeprefix(PACKAGE + '.')} {count}" for module, count in entries.most_common(4))
    return (
        f"{label}: stops {len(modules)}, modules {len(entries)}, returns to a module already left "
        f"{returns(modules)} (most entered: {most})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="logistic_regression")
    parser.add_argument(
        "--path", type=Path, help="the submission (default: the assignment's correct_course_style example)"
    )
    parser.add_argument("--show", action="store_true", help="also list the stops in order")
    options = parser.parse_args()
    path = options.path or Path("examples/submissions") / options.assignment / "correct_course_style.ipynb"
    with tempfile.TemporaryDirectory(prefix="submission-walk-") as scratch:
        arguments = ["grade", str(path), "-a", options.assignment, "-o", str(Path(scratch) / "out"), "--workers", "1"]
        walk = walked(lambda: autograder_cli.main(arguments, standalone_mode=False))
    print(summary("the submission's path", [module_of(stop) for stop in walk.stops]))
    print(summary("every crossing, one per calling function", walk.steps))
    if options.show:
        for stop in walk.stops:
            print("  ", stop.removeprefix(PACKAGE + "."))


if __name__ == "__main__":
    main()
