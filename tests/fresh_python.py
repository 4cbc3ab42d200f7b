"""A new virtual environment holding only the requirements a test names, as a student's or Gradescope's."""

from __future__ import annotations

import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

# What pip prints when it cannot reach the package index (no network, no name resolution, a refusing proxy).
_UNREACHABLE = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name "
    r"resolution|Network is unreachable|ConnectTimeoutError|ProxyError|Max retries exceeded"
)


def fresh_python(folder: Path, requirements: list[str]) -> Path:
    """A venv in ``folder`` made from the interpreter this one was made from, with only ``requirements``
    (pip lines) installed; its python. The project's own pip installs into it: the pip a new venv starts
    with is older and resolves against the index's long file lists more slowly.

    Skips the calling test when the package index is unreachable.
    """
    venv.create(folder, with_pip=False)
    python = folder / "bin" / "python"
    listed = folder / "requirements.txt"
    listed.write_text("".join(f"{line}\n" for line in requirements), encoding="utf-8")
    # --no-compile halves an install of large packages: Python compiles what the test imports anyway.
    command = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "--quiet",
        "--no-compile",
        "--retries",
        "2",
        "-r",
        str(listed),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1500)
    if done.returncode != 0 and _UNREACHABLE.search(done.stderr):
        pytest.skip(
            f"the package index is unreachable, so no fresh environment can be built: {done.stderr.strip()[-300:]}"
        )
    assert done.returncode == 0, f"pip could not install {requirements}: {done.stderr[-3000:]}"
    return python
