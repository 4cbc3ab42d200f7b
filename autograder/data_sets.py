"""The course's data sets: one folder each under ``data/``, shared by every lesson that declares it.

``data/<name>/`` holds the set's generator, ``make_data.py``, whose
``make_data(folder)`` writes the data files into ``folder`` and returns their
paths (for a file that ships inside a package, such as scikit-learn's digits,
it copies it out of the package); its datasheet, ``README.md`` (or
``datasheet.md``): source, licence, how it was made, seed, shape, columns;
and the files the generator wrote, committed, so a release needs no run.
"""

from __future__ import annotations

import importlib.util
import traceback
from dataclasses import dataclass
from pathlib import Path

from autograder import KitError

DATA_FOLDER = "data"
GENERATOR_FILE = "make_data.py"
DATASHEET_FILES = ("README.md", "datasheet.md")


class DataSetNotFound(KitError, FileNotFoundError):
    """No folder under data/ for the named data set."""


class GeneratorFailed(KitError, RuntimeError):
    """A make_data.py is missing its make_data(folder), or raised while writing the files."""


@dataclass(frozen=True)
class DataSet:
    """One folder under ``data/``: its generator, its datasheet and the data files it holds."""

    name: str
    folder: Path

    @classmethod
    def find(cls, name: str, root: Path) -> "DataSet":
        """The data set ``data/<name>/`` of the project at ``root``.

        Raises:
            DataSetNotFound: there is no such folder (the message lists the data sets there are).
        """
        data_set = cls(name, Path(root).resolve() / DATA_FOLDER / name)
        if not data_set.folder.is_dir():
            known = ", ".join(d.name for d in cls.all(root)) or "none"
            raise DataSetNotFound(
                f"there is no data set {name!r}: no folder {data_set.folder} (data sets here: {known})"
            )
        return data_set

    @classmethod
    def all(cls, root: Path) -> list["DataSet"]:
        """Every data set of the project, by name: each folder of ``data/`` with a generator or a datasheet.

        A bare file in ``data/`` is a first-release data file, not a data set.
        """
        base = Path(root).resolve() / DATA_FOLDER
        folders = sorted(path for path in base.glob("*") if path.is_dir()) if base.is_dir() else []
        found = [cls(folder.name, folder) for folder in folders]
        return [data_set for data_set in found if data_set.generator.is_file() or data_set.datasheet is not None]

    @property
    def generator(self) -> Path:
        return self.folder / GENERATOR_FILE

    @property
    def datasheet(self) -> Path | None:
        return next((self.folder / name for name in DATASHEET_FILES if (self.folder / name).is_file()), None)

    def files(self) -> list[str]:
        """The names of the data files the folder holds now: everything but the generator, the datasheet,
        hidden files and Python's caches."""
        kept = (GENERATOR_FILE, *DATASHEET_FILES, "__pycache__")
        return sorted(
            path.name for path in self.folder.iterdir() if path.name not in kept and not path.name.startswith(".")
        )

    def make(self) -> list[Path]:
        """Run the generator into the folder; return the files it wrote.

        Raises:
            GeneratorFailed: there is no generator, it defines no make_data(folder), or it raised.
        """
        if not self.generator.is_file():
            raise GeneratorFailed(
                f"{self.generator}: data set {self.name!r} has no generator; add one defining make_data(folder), or "
                f"put its files in {self.folder}"
            )
        return run_generator(self.generator, self.folder)


def run_generator(generator: Path, folder: Path) -> list[Path]:
    """Import ``generator`` and call its ``make_data(folder)``; return the paths it says it wrote.

    Raises:
        GeneratorFailed: it defines no make_data, or importing or running it raised (the message
            names the file, the line and the exception).
    """
    spec = importlib.util.spec_from_file_location(f"_make_data_{generator.parent.name}", generator)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        make = getattr(module, "make_data", None)
        if not callable(make):
            raise GeneratorFailed(
                f"{generator}: define make_data(folder), which writes the data files into folder and returns their "
                "paths"
            )
        return [Path(path) for path in make(Path(folder)) or []]
    except GeneratorFailed:
        raise
    except Exception as error:
        raise GeneratorFailed(
            f"{generator}{_line_in(generator, error)}: running it raised {type(error).__name__}: {str(error)[:300]}; "
            "fix the generator"
        ) from error


def _line_in(generator: Path, error: Exception) -> str:
    """', line N' of where ``error`` arose in ``generator`` (its deepest frame there), or ''."""
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if Path(frame.filename) == generator]
    if isinstance(error, SyntaxError) and error.lineno:
        lines.append(error.lineno)
    return f", line {lines[-1]}" if lines else ""
