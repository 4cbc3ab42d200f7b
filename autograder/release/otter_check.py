"""The release's check under ``otter run``, and when it need not run again.

The check grades the executed solution and the blank template with the new zip, as Gradescope
would. What it finds depends only on those three files and the packages installed, so a release
that built the same three files in the same environment keeps the findings of the check that
passed on them (recorded beside the zip) and does not run the solution a third time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import autograder
from autograder.release.otter_run import OtterResult, otter_results_many


@dataclass(frozen=True)
class OtterCheck:
    """What ``otter run`` gave the executed solution and the blank template."""

    solution: OtterResult
    template: OtterResult


def run_check(zip_path: Path, solution: Path, template: Path) -> OtterCheck:
    """Grade both notebooks with ``otter run`` now."""
    graded_solution, graded_template = otter_results_many(zip_path, [solution, template])
    return OtterCheck(graded_solution, graded_template)


def passed_before(zip_path: Path, solution: Path, template: Path) -> OtterCheck | None:
    """The findings of a passed check on these same files in this same environment; None if there is none
    (a record that cannot be read is no record: the check runs again)."""
    try:
        record = json.loads(_record_path(zip_path).read_text(encoding="utf-8"))
        if record["fingerprint"] != _fingerprint(zip_path, solution, template):
            return None
        return OtterCheck(OtterResult(**record["solution"]), OtterResult(**record["template"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember_passed(zip_path: Path, solution: Path, template: Path, check: OtterCheck) -> None:
    """Record a check that passed, for the next release of the same files."""
    record = {"fingerprint": _fingerprint(zip_path, solution, template), **asdict(check)}
    _record_path(zip_path).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")


def _record_path(zip_path: Path) -> Path:
    return zip_path.with_name(zip_path.stem + ".otter-check.json")


def _fingerprint(zip_path: Path, solution: Path, template: Path) -> str:
    """The zip's members (not its timestamps), both notebooks, Python, every installed package's version and
    the kit's own modules."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(zip_path) as archive:
        for name in sorted(archive.namelist()):
            digest.update(f"member {name} {archive.getinfo(name).file_size}\n".encode())
            digest.update(archive.read(name))
    for notebook in (solution, template):
        digest.update(f"notebook {notebook.name} {notebook.stat().st_size}\n".encode())
        digest.update(notebook.read_bytes())
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions())
    digest.update("\n".join([sys.version, *packages]).encode())
    kit = Path(autograder.__file__).parent  # an installed copy in place: its version says nothing of edits
    for module in sorted(kit.rglob("*.py")):
        digest.update(f"kit {module.relative_to(kit)}\n".encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()
