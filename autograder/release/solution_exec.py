"""Execute the solution notebook in a Jupyter kernel, keeping its plots.

An executed notebook records the digest of what it was run from (its cells
and the files beside it). Release runs the solution again only when that
changed: outputs such as timings and Otter's random "passed!" emoji differ
on every run, and re-running unchanged inputs would only churn the
committed solutions/ folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

import nbformat

from autograder import KitError
from autograder.release.otter_run import kernel_did_not_start

SOLUTION_TIMEOUT = 600


class SolutionNotebookFails(KitError, RuntimeError):
    """The solution notebook raised when executed in a Jupyter kernel."""


DIGEST_KEY = "autograder_inputs_sha256"


def inputs_digest(notebook: nbformat.NotebookNode, *, support: Path, files: Iterable[str]) -> str:
    """Digest of what the executed solution's outputs depend on: its cells, the files it
    reads (``files``, relative to ``support``) and its public tests (``tests/``)."""
    hasher = hashlib.sha256()
    for cell in notebook.cells:
        hasher.update(f"{cell.cell_type}\0{cell.source}\0".encode())
    paths = [support / name for name in files] + [support / "tests"]
    for root in paths:
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file():
                hasher.update(path.relative_to(support).as_posix().encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()


def executed_digest(notebook_path: Path) -> str | None:
    """The inputs digest an executed notebook was made from, or None."""
    try:
        return nbformat.read(notebook_path, as_version=4).metadata.get(DIGEST_KEY)
    except (OSError, ValueError):
        return None


def execute_solution(
    notebook: nbformat.NotebookNode, name: str, *, support: Path, digest: str
) -> nbformat.NotebookNode:
    """Run ``notebook`` (the file ``name`` in ``support``) in a copy of ``support``; return it, run in
    place, with outputs and ``digest`` (its ``inputs_digest``) recorded.

    Raises:
        SolutionNotebookFails: a cell of the solution failed in the kernel.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    with tempfile.TemporaryDirectory(prefix="solution-") as scratch:
        workdir = Path(scratch) / "run"
        shutil.copytree(support, workdir)
        # The kernel inherits our environment; a headless backend would drop the plots.
        backend = os.environ.pop("MPLBACKEND", None)
        try:
            _execute(NotebookClient, notebook, workdir)
        except CellExecutionError as error:
            raise SolutionNotebookFails(
                f"{name}: the solution fails when run in a Jupyter kernel: {str(error).strip().splitlines()[-1][:300]}"
            ) from error
        finally:
            if backend is not None:
                os.environ["MPLBACKEND"] = backend
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:02d}"
        cell.metadata.pop("execution", None)
    notebook.metadata[DIGEST_KEY] = digest
    return notebook


def _execute(client_type, notebook: nbformat.NotebookNode, workdir: Path) -> None:
    """Run ``notebook`` in a new kernel, started once more if it died before any cell ran."""
    for attempt in (1, 2):
        client = client_type(
            notebook, timeout=SOLUTION_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
        )
        try:
            client.execute()
            return
        except RuntimeError as error:
            if attempt == 2 or not kernel_did_not_start(str(error)):
                raise
