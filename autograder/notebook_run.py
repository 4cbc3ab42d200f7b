"""Run a notebook's code cells in an IPython shell inside this process.

Same semantics as a Jupyter kernel for what grading needs: magics work,
``display`` works, and an error in one cell is recorded while later cells
still run (as ``otter run`` does). No kernel is started, so a forked child
of a warmed process can run a submission in a fraction of a second.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

# Cells that only talk to Otter's student-side checker (grader.check_all too): running them while
# grading would re-run the public tests for nothing and touch the disk.
_STUDENT_SIDE_CALLS = ("grader.check", "grader.export")
_KIT_EXPORT = "autograder.authoring.student import export"
OUTPUT_CAP_CHARS = 200_000


@dataclass
class CellOutcome:
    index: int
    error: str = ""


@dataclass
class NotebookRun:
    namespace: dict[str, Any]
    cells: list[CellOutcome] = field(default_factory=list)
    stdout: str = ""

    @property
    def errors(self) -> list[CellOutcome]:
        return [cell for cell in self.cells if cell.error]


class CappedWriter(io.StringIO):
    def write(self, text: str) -> int:
        room = OUTPUT_CAP_CHARS - self.tell()
        if room > 0:
            super().write(text[:room])
        return len(text)


def code_sources(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(index, source) of every code cell, the source as one string."""
    return [
        (index, cell.source if isinstance(cell.source, str) else "".join(cell.source))
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
    ]


def runs_for_grading(source: str) -> bool:
    """The one rule for which code cells run, for the solution at release and for every submission.

    Otter drops a cell whose first line is an ``# ignore`` comment; a cell that only talks to the
    student-side checker (``grader.check``, ``grader.export``, the kit's export) does nothing when
    grading. Comment lines are looked past: the template's export cell opens with one.
    """
    if source.lstrip().split("\n", 1)[0].lower().startswith("# ignore"):
        return False
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#")).strip()
    return not code.startswith(_STUDENT_SIDE_CALLS) and _KIT_EXPORT not in code


def code_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(index, source) of every code cell that runs when grading (``runs_for_grading``)."""
    return [(index, source) for index, source in code_sources(notebook) if runs_for_grading(source)]


def new_shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    # History off from the start: enabled later, IPython has already opened the user's
    # ~/.ipython history database and started a thread that saves to it.
    config = Config()
    config.HistoryManager.enabled = False
    # A private shell, not the singleton: each run starts with a clean namespace.
    return InteractiveShell(colors="nocolor", history_length=0, config=config)


def run_notebook(notebook: nbformat.NotebookNode, *, workdir: Path) -> NotebookRun:
    """Execute ``notebook``'s code cells in order, in ``workdir``.

    Returns the user namespace and, per cell, the error text when it failed.
    Output printed by cells is captured (up to OUTPUT_CAP_CHARS).
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    shell = new_shell()
    captured = CappedWriter()
    run = NotebookRun(namespace=shell.user_ns)
    previous = os.getcwd()
    os.chdir(workdir)
    sys.path.insert(0, str(workdir))  # a kernel imports modules beside its notebook
    try:
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            for index, source in code_cells(notebook):
                result = shell.run_cell(source, store_history=False, silent=False)
                error = result.error_in_exec or result.error_before_exec
                run.cells.append(CellOutcome(index, f"{type(error).__name__}: {error}"[:500] if error else ""))
    finally:
        os.chdir(previous)
        sys.path.remove(str(workdir))
    run.stdout = captured.getvalue()
    return run
