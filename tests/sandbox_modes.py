"""Run a test's job where sandboxes get a chosen isolated mode: as root, or rootless as an ordinary user."""

from __future__ import annotations

import os
from typing import Callable

import pytest

from autograder import sandbox
from tests.unprivileged import as_user

MODES = ["root", "rootless"]


def in_mode(mode: str, job: Callable[[], dict]) -> dict:
    """``job()``'s dict, run where sandboxes get ``mode``: here as root, or as an ordinary user for rootless
    (CI runs as root: ``tests.unprivileged`` drops to a plain uid). Skips where the mode is not to be had."""
    if mode == "root":
        if sandbox.current_mode().name != "root":
            pytest.skip("root mode needs root")
        return job()
    if os.geteuid() == 0:
        outcome = as_user(job, timeout=120)
        assert outcome.result is not None, outcome.problem
        return outcome.result
    if sandbox.current_mode().name != "rootless":
        pytest.skip(f"rootless mode needs unprivileged user namespaces: {sandbox.current_mode().reason}")
    return job()
