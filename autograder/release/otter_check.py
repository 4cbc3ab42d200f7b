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
import os
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import autograder
from autograder.release.otter_run import OtterResult, otter_results_many

# What otter run's kernel reads from the environment: where kernels, profiles and modules are found.
_KERNEL_VARIABLES = ("JUPYTER", "IPYTHON", "PYTHON", "OMP_", "MKL_", "LD_", "PATH")


@dataclass(frozen=True)
class OtterCheck:
    """What ``otter run`` gave the executed solution and the blank template."""

    solution: OtterResult
    template: OtterResult


def run_check(zip_path: Path, solution: Path, template: Path) -> OtterCheck:
    """Grade both notebooks with ``otter run`` now."""
    graded_solution, graded_template = otter_results_many(zip_path, [solution, template])
    return OtterCheck(graded_solution, graded_template)


def passed_before(zip_path: Path, taken: str) -> OtterCheck | None:
    """The findings of a passed check on the files whose ``fingerprint`` is ``taken``; None if there is none
    (a record that cannot be read, or whose findings are not scores, is no record: the check runs again)."""
    try:
        record = json.loads(_record_path(zip_path).read_text(encoding="utf-8"))
        if record["fingerprint"] != taken:
            return None
        return OtterCheck(_findings(record["solution"]), _findings(record["template"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember_passed(zip_path: Path, check: OtterCheck, taken: str) -> None:
    """Record a check that passed on the files whose ``fingerprint`` is ``taken``: taken before the check ran,
    since another release may rewrite them meanwhile."""
    record = {"fingerprint": taken, **asdict(check)}
    _record_path(zip_path).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")


def _findings(recorded: dict) -> OtterResult:
    """One notebook's recorded findings, only if they are what ``otter run`` gives: scores by question and
    the public tests' report as text or null (else ValueError)."""
    scores, failures = recorded["scores"], recorded.get("public_failures")
    if not isinstance(scores, dict) or not all(
        isinstance(name, str) and isinstance(score, (int, float)) for name, score in scores.items()
    ):
        raise ValueError("recorded scores are not a question → number table")
    if failures is not None and not isinstance(failures, str):
        raise ValueError("recorded public test failures are not text")
    return OtterResult({name: float(score) for name, score in scores.items()}, failures)


def _record_path(zip_path: Path) -> Path:
    return zip_path.with_name(zip_path.stem + ".otter-check.json")


def fingerprint(zip_path: Path, solution: Path, template: Path) -> str:
    """The zip's members (not its timestamps), both notebooks, Python, every installed package's version,
    the kit's own modules, and what decides the kernel otter run starts and what it runs first."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(zip_path) as archive:
        for name in sorted(archive.namelist()):
            _add(digest, f"member {name}", archive.read(name))
    for notebook in (solution, template):
        _add(digest, f"notebook {notebook.name}", notebook.read_bytes())
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions())
    _add(digest, "environment", "\n".join([sys.version, *packages, *_kernel_settings()]).encode())
    kit = Path(autograder.__file__).parent  # an installed copy in place: its version says nothing of edits
    for module in sorted(kit.rglob("*.py")):
        _add(digest, f"kit {module.relative_to(kit)}", module.read_bytes())
    for path in _kernel_files():
        _add(digest, f"kernel {path}", path.read_bytes())
    return digest.hexdigest()


def _add(digest, label: str, content: bytes) -> None:
    digest.update(f"{label} {len(content)}\n".encode())
    digest.update(content)


def _kernel_settings() -> list[str]:
    """The environment variables that change which kernel otter run starts or what runs in it."""
    return sorted(f"{name}={value}" for name, value in os.environ.items() if name.startswith(_KERNEL_VARIABLES))


def _kernel_files() -> list[Path]:
    """The python3 kernel spec otter run would start, and the IPython startup files every kernel runs."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    found = []
    try:
        found.append(Path(KernelSpecManager().get_kernel_spec("python3").resource_dir) / "kernel.json")
    except NoSuchKernel:
        pass
    ipython = Path(os.environ.get("IPYTHONDIR") or Path.home() / ".ipython")
    found += sorted(ipython.glob("profile_default/startup/*"))
    found += [ipython / "profile_default" / name for name in ("ipython_config.py", "ipython_kernel_config.py")]
    return [path for path in found if path.is_file()]
