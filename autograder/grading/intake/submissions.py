"""Find submissions among the paths a TA gives, and read each one safely."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import KitError

MAX_NOTEBOOK_BYTES = 50 * 2**20
# The grader parses every code cell with ``ast``, which takes about 1 kB of memory per character.
MAX_CODE_CELL_CHARS = 256 * 1024
# Each JSON value (a cell, an output, a metadata entry) costs the grader about 200 bytes to hold; a
# lesson's notebook has a few hundred.
MAX_NOTEBOOK_VALUES = 500_000
TOO_LARGE = "too large"  # how the grading_status of a file over a limit starts


class SubmissionsNotFound(KitError, FileNotFoundError):
    """A path the TA gave does not exist."""


class SubmissionError(ValueError):
    """This file cannot be graded; the message becomes its grading_status."""


@dataclass(frozen=True)
class Submission:
    """One file to grade. ``file`` is its gradebook name, unique in the run."""

    file: str
    path: Path
    found_in_folder: bool = False

    def read_bytes(self) -> bytes:
        """The file's first MAX_NOTEBOOK_BYTES + 1 bytes: enough to tell it is too large.

        Raises:
            OSError: unreadable, or a symbolic link found inside a folder, which
                could point at another student's file or one only the grader may read.
        """
        flags = os.O_RDONLY | (os.O_NOFOLLOW if self.found_in_folder else 0)
        try:
            descriptor = os.open(self.path, flags)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise OSError(
                    errno.ELOOP, "a symbolic link inside a submissions folder is not graded", str(self.path)
                ) from error
            raise
        with open(descriptor, "rb") as handle:
            return handle.read(MAX_NOTEBOOK_BYTES + 1)


def discover(paths: list[Path]) -> list[Submission]:
    """Notebooks and zips named directly or found (recursively) in folders."""
    found: dict[str, Submission] = {}
    for path in map(Path, paths):
        if path.is_dir():
            candidates = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in (".ipynb", ".zip") and ".ipynb_checkpoints" not in p.parts
            )
            names = [(p, _printable(p.relative_to(path).as_posix()), True) for p in candidates]
        elif path.exists():
            names = [(path, _printable(path.name), False)]
        else:
            raise SubmissionsNotFound(f"{path}: no such file or folder")
        for candidate, name, in_folder in names:
            unique, n = name, 2
            while unique in found:
                unique, n = f"{name}~{n}", n + 1
            found[unique] = Submission(unique, candidate, in_folder)
    return [found[name] for name in sorted(found)]


def _printable(name: str) -> str:
    """``name`` with bytes that are not UTF-8 written as \\xNN: it goes into UTF-8 CSV and HTML."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def digest(content: bytes, *salt: str) -> str:
    hasher = hashlib.sha256(content)
    for part in salt:
        hasher.update(part.encode())
    return hasher.hexdigest()


def load_notebook(name: str, content: bytes, *, assignment: str) -> nbformat.NotebookNode:
    """The submission's notebook, from an .ipynb or a ``grader.export()`` zip.

    Raises:
        SubmissionError: empty, not JSON, not a notebook, a zip without one,
            or a notebook of another assignment.
    """
    if not content:
        raise SubmissionError("not a notebook: the file is empty")
    if len(content) > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"{TOO_LARGE}: the file is over the {MAX_NOTEBOOK_BYTES // 2**20} MiB limit")
    if content[:4] == b"PK\x03\x04" or name.lower().endswith(".zip"):
        content = _notebook_from_zip(content)
    try:
        notebook = nbformat.reads(content.decode("utf-8"), as_version=4)
    except UnicodeDecodeError as error:
        raise SubmissionError("not a notebook: the file is not UTF-8 text") from error
    except MemoryError:
        raise  # a bound, not a verdict on the file (see autograder.grading.intake.reading)
    except Exception as error:  # nbformat raises several types for bad JSON
        raise SubmissionError(f"not a notebook: {str(error).splitlines()[0][:120]}") from error
    if not isinstance(notebook.get("cells"), list):
        raise SubmissionError("not a notebook: no cells")
    metadata = notebook.get("metadata")
    otter = metadata.get("otter") if isinstance(metadata, dict) else None
    named = otter.get("assignment_name") if isinstance(otter, dict) else None
    if named is not None and named != assignment:
        raise SubmissionError(f"wrong assignment: this notebook is for {str(named)[:60]!r}, not {assignment!r}")
    _check_code_cells(notebook["cells"])
    if _values(notebook, more_than=MAX_NOTEBOOK_VALUES) > MAX_NOTEBOOK_VALUES:
        raise SubmissionError(
            f"{TOO_LARGE}: the notebook holds over {MAX_NOTEBOOK_VALUES:,} values (cells, outputs, metadata); "
            "clear its outputs and split it up"
        )
    return notebook


def _check_code_cells(cells: list) -> None:
    for number, cell in enumerate(cells, start=1):
        source = cell.get("source") if isinstance(cell, dict) and cell.get("cell_type") == "code" else None
        if isinstance(source, str) and len(source) > MAX_CODE_CELL_CHARS:
            raise SubmissionError(
                f"{TOO_LARGE}: cell {number} holds {len(source):,} characters of code; the grader reads up to "
                f"{MAX_CODE_CELL_CHARS:,} a cell (put data in a file, not in a cell)"
            )


def _values(data, *, more_than: int) -> int:
    """How many JSON values ``data`` holds (itself included), counting stopped past ``more_than``."""
    count, pending = 0, [data]
    while pending and count <= more_than:
        value = pending.pop()
        count += 1
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return count


def _notebook_from_zip(content: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            notebooks = [
                info
                for info in archive.infolist()
                if info.filename.endswith(".ipynb") and "checkpoint" not in info.filename
            ]
            if len(notebooks) != 1:
                raise SubmissionError(f"zip holds {len(notebooks)} notebooks, expected exactly one")
            if notebooks[0].file_size > MAX_NOTEBOOK_BYTES:
                raise SubmissionError(
                    f"{TOO_LARGE}: the zipped notebook is over the {MAX_NOTEBOOK_BYTES // 2**20} MiB limit"
                )
            # Read with a cap: the size in the header is the sender's claim, and
            # read() inflates a whole member at once, however large.
            with archive.open(notebooks[0]) as member:
                content = member.read(MAX_NOTEBOOK_BYTES + 1)
            if len(content) > MAX_NOTEBOOK_BYTES:
                raise SubmissionError(
                    f"{TOO_LARGE}: the zipped notebook is over the {MAX_NOTEBOOK_BYTES // 2**20} MiB limit"
                )
            return content
    except SubmissionError:
        raise
    # zipfile lets through what its decompressors raise on damaged, encrypted or exotic members.
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError, OSError) as error:
        raise SubmissionError(f"not a zip or a notebook: {str(error)[:120]}") from error
