"""Whether this user may start the Python the grading workers run on, and if not, what stops it.

The warm process is a fresh interpreter: multiprocessing's spawn executes
``sys.executable``. When that exec fails, multiprocessing never reads why; it
only sees the child end with exit code 255, having printed nothing. A kit an
administrator installed on a Python under a folder a TA cannot enter fails that
way, so the grader checks first and names the path and the permission missing.
"""

from __future__ import annotations

import os
import pwd
import stat
import sys
from pathlib import Path

_SEARCH, _READ = os.X_OK, os.R_OK


def interpreter_problem(executable: str | None = None, installations: tuple[str, ...] | None = None) -> str | None:
    """Why this user cannot run ``executable`` (default: this interpreter) or read the
    ``installations`` it loads from (default: the virtual environment and the Python under
    it); None when nothing stops it."""
    executable = executable or sys.executable
    installations = installations if installations is not None else tuple(dict.fromkeys((sys.prefix, sys.base_prefix)))
    problem = _refused(executable, _SEARCH, what="run")
    for folder in installations:
        problem = problem or _refused(folder, _READ | _SEARCH, what="read")
    return problem


def _refused(path: str, need: int, *, what: str) -> str | None:
    """Why ``path`` cannot be used as ``need`` asks (every folder on the way, its links followed), or None."""
    for route in dict.fromkeys((Path(os.path.abspath(path)), Path(os.path.realpath(path)))):
        for folder in reversed(route.parents):
            if not os.access(folder, _SEARCH):
                return _explain(folder, "search (x)", f"so it cannot {what} {path}", wanted="o+x")
    if not os.access(path, need):
        missing = "execute (x)" if need == _SEARCH else "read and search (r-x)"
        return _explain(
            Path(os.path.realpath(path)),
            missing,
            f"so it cannot {what} {path}",
            wanted="o+x" if need == _SEARCH else "o+rx",
        )
    return None


def _explain(path: Path, permission: str, consequence: str, *, wanted: str) -> str:
    try:
        info = os.stat(path)
        mode, owner = stat.filemode(info.st_mode), _user(info.st_uid)
        held = f" (mode {mode}, owner {owner})"
    except OSError:
        held = ""
    return (
        f"{path}{held} gives this user ({_user(os.geteuid())}) no {permission} permission, {consequence}. "
        f"Ask whoever installed the kit to open it to you (for example `chmod {wanted} {path}`), or install the kit "
        "in a virtual environment of your own, on a Python you can run (`python3 -m venv .venv && .venv/bin/pip "
        "install -e .`)."
    )


def _user(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name}, uid {uid}"
    except KeyError:
        return f"uid {uid}"
