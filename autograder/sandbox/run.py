"""Run one function on untrusted code in a forked, isolated child.

Built for a warmed parent (torch, numpy, matplotlib already imported): a fork
costs milliseconds where a fresh interpreter costs seconds. Which sandbox a
run gets depends on what this process may do (``autograder.sandbox.modes``):
full isolation as root or rootless (``autograder.sandbox.isolated``), else
the reduced mode (``autograder.sandbox.reduced``).

Commit, then reveal: with ``secret_fd``, fn is called as ``fn(*args, reveal)``
and may call ``reveal(commit)`` once. The broker hands the commit to the
parent before it gives the student process the secret (read from
``secret_fd``, which that process never holds), so ``Result.committed`` was
computed without the secret; what fn returns at the end comes back apart, as
``Result.data``. See README "Security model" for what each mode enforces.
"""

from __future__ import annotations

from typing import Callable

from autograder.sandbox.isolated import run_isolated
from autograder.sandbox.modes import current_mode
from autograder.sandbox.outcome import Limits, Result
from autograder.sandbox.reduced import run_reduced
from autograder.sandbox.view import FileView


def full_isolation_available() -> bool:
    """True when sandboxes get their own namespaces (as root, or rootless through user namespaces)."""
    return current_mode().isolated


def run_sandboxed(
    fn: Callable,
    *args,
    limits: Limits | None = None,
    secret_fd: int | None = None,
    on_gate: Callable[[bool], None] | None = None,
    view: FileView | None = None,
) -> Result:
    """Run ``fn(*args)`` in an isolated child; return how it ended and its bytes.

    fn returns bytes (or str); its exceptions become status 'error'. ``on_gate(True)`` is called
    when the sandbox starts waiting for its turn at the host's phase gate (not counted against its
    wall-clock limit), ``on_gate(False)`` when it has it. ``view``: the files an isolated sandbox can read
    (``autograder.sandbox.view.record``); None: the standard library and the kit (``view.base_view``).
    """
    limits = limits or Limits()
    mode = current_mode()
    if not mode.isolated:
        return run_reduced(fn, args, limits, secret_fd, on_gate=on_gate)
    return run_isolated(fn, args, limits, secret_fd, rootless=mode.name == "rootless", on_gate=on_gate, view=view)
