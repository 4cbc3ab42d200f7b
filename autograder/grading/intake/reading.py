"""Reading a submission's bytes inside a bounded child process.

Everything the grader learns from a submission without running it (the notebook's JSON, an export
zip's members, the identity cell, the written answers, the graded definitions) is parsed by Python's
own parsers, whose memory grows far faster than the input: ``ast`` takes about 1.4 kB per character
of a code cell, and nbformat about 170 bytes per byte of nested JSON. A 4 MiB cell would cost the
grader's process gigabytes. So the parsing happens in a forked child capped at READ_MEMORY_MB of
address space and READ_TIME_S of wall clock, which hands back plain JSON; a file that needs more
gets a ``too large: …`` row, and the grader's own process never holds more than the finished
notebook and the few strings it says of itself.
"""

from __future__ import annotations

import os
import resource
import warnings
from dataclasses import asdict, dataclass, field
from functools import partial

import nbformat

from autograder.forking import run_forked
from autograder.grading.intake.about import About, read_about
from autograder.grading.intake.submissions import TOO_LARGE, SubmissionError, load_notebook
from autograder.grading.text import storable

READ_MEMORY_MB = 512
READ_TIME_S = 60.0


@dataclass(frozen=True)
class Reading:
    """What the grader read of one submission: its notebook and what it says of itself, or why not."""

    notebook: nbformat.NotebookNode | None
    about: About = field(default_factory=About)
    problem: str = ""  # the grading_status of a file that cannot be graded


def read_submission(file: str, content: bytes, *, assignment: str, manual: list[str], graded: list[str]) -> Reading:
    """``content`` read as a submission of ``assignment``, in a child with a memory cap and a time limit.

    ``manual``: the written questions in order; ``graded``: the names of the definitions students
    write. Never raises for anything in ``content``: a problem is the Reading's ``problem``.
    """
    job = partial(_read_bounded, file, content, assignment=assignment, manual=manual, graded=graded)
    outcome = run_forked([job], workers=1, timeout=READ_TIME_S, only_its_pipe=True)[0]
    if outcome.result is None:
        return Reading(
            None,
            problem=f"{TOO_LARGE}: reading this file in the grader {outcome.problem}; "
            f"the grader gives it {READ_MEMORY_MB} MiB of memory and {READ_TIME_S:g} s",
        )
    if "problem" in outcome.result:
        return Reading(None, problem=outcome.result["problem"])
    return Reading(nbformat.from_dict(outcome.result["notebook"]), About(**outcome.result["about"]))


def _read_bounded(file: str, content: bytes, *, assignment: str, manual: list[str], graded: list[str]) -> dict:
    """The child's side: cap itself, then read. Returns {"notebook", "about"} or {"problem"}."""
    _cap_memory(READ_MEMORY_MB)
    warnings.simplefilter("ignore")  # nbformat warns about what it repairs; nobody reads the child's stderr
    try:
        notebook = _storable_strings(load_notebook(file, content, assignment=assignment))
        try:
            about = read_about(content, notebook, manual=manual, graded=graded)
        except MemoryError:
            raise
        except Exception:  # what a notebook says of itself is optional: it must never cost its grade
            about = About()
        return {"notebook": notebook, "about": asdict(about)}
    except SubmissionError as error:
        return {"problem": str(error)}
    except MemoryError:
        return {
            "problem": f"{TOO_LARGE}: reading this file needs more than the {READ_MEMORY_MB} MiB of memory the grader "
            "gives it"
        }


def _storable_strings(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``notebook`` with lone surrogates in its strings written as ``\\udcff``: the sandbox saves the
    notebook as a UTF-8 file, which cannot hold them (a JSON escape such as ``\\ud800`` makes one)."""
    pending = [notebook]
    while pending:
        container = pending.pop()
        for key, value in list(container.items()) if isinstance(container, dict) else enumerate(container):
            if isinstance(value, str):
                container[key] = storable(value)
            elif isinstance(value, (dict, list)):
                pending.append(value)
            if isinstance(container, dict) and isinstance(key, str) and storable(key) != key:
                container[storable(key)] = container.pop(key)
    return notebook


def _cap_memory(megabytes: int) -> None:
    """Allow this process ``megabytes`` more address space than it maps now, and make it the first
    a short host or cgroup kills (rather than the grader it was forked from)."""
    with open("/proc/self/statm") as handle:
        mapped = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + megabytes * 2**20
    limit = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write("1000")
    except OSError:
        pass
