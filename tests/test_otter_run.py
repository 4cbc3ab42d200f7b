"""Plain ``otter run``: a kernel that died before running a cell (two kernels raced for a port) is
tried once more; any other failure is reported at once."""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder.release import otter_run
from autograder.release.otter_run import KERNEL_START_FAILED, OtterRunFailed, otter_scores

SCORES = {"sigmoid": 2.0}


def _runs_that(outcomes: list, monkeypatch) -> list:
    """Make ``otter run`` give ``outcomes`` in turn; return the list of calls made."""
    calls = []

    def fake(zip_path, notebook, *, timeout, threads):
        calls.append(notebook)
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(otter_run, "_otter_run", fake)
    return calls


def test_a_kernel_that_died_at_start_is_tried_once_more(monkeypatch):
    calls = _runs_that([OtterRunFailed(f"otter run on a.ipynb failed (exit 1): RuntimeError: {KERNEL_START_FAILED}"), SCORES], monkeypatch)
    assert otter_scores(Path("zip"), Path("a.ipynb")) == SCORES
    assert len(calls) == 2


def test_a_kernel_that_dies_at_start_twice_is_reported(monkeypatch):
    died = OtterRunFailed(f"otter run on a.ipynb failed (exit 1): RuntimeError: {KERNEL_START_FAILED}")
    calls = _runs_that([died, died, SCORES], monkeypatch)
    with pytest.raises(OtterRunFailed, match=KERNEL_START_FAILED):
        otter_scores(Path("zip"), Path("a.ipynb"))
    assert len(calls) == 2


def test_any_other_failure_is_reported_at_once(monkeypatch):
    calls = _runs_that([OtterRunFailed("otter run on a.ipynb failed (exit 1): KeyError: 'x'"), SCORES], monkeypatch)
    with pytest.raises(OtterRunFailed, match="KeyError"):
        otter_scores(Path("zip"), Path("a.ipynb"))
    assert len(calls) == 1
