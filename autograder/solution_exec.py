"""Execute the solution notebook in a Jupyter kernel, keeping its plots."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import nbformat

SOLUTION_TIMEOUT = 600


def execute_solution(notebook_path: Path, *, support: Path) -> nbformat.NotebookNode:
    """Run ``notebook_path`` in a copy of ``support`` and return it with outputs.

    Raises:
        nbclient.exceptions.CellExecutionError: a cell of the solution failed.
    """
    from nbclient import NotebookClient

    notebook = nbformat.read(notebook_path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="solution-") as scratch:
        workdir = Path(scratch) / "run"
        shutil.copytree(support, workdir)
        client = NotebookClient(notebook, timeout=SOLUTION_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(workdir)}})
        # The kernel inherits our environment; a headless backend would drop the plots.
        backend = os.environ.pop("MPLBACKEND", None)
        try:
            client.execute()
        finally:
            if backend is not None:
                os.environ["MPLBACKEND"] = backend
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:02d}"
        cell.metadata.pop("execution", None)
    return notebook
