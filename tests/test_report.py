"""What the terminal shows while grading: a bar on a terminal, one line per file elsewhere."""

from __future__ import annotations

import sys

from autograder.grading.judging.grade import Grade
from autograder.grading.terminal import progress_printer


def _grade(file: str, total: float) -> Grade:
    return Grade(file, "digest", "Completed", {"sigmoid": total})


def test_progress_lines_when_not_a_terminal(capsys):
    with progress_printer() as on_progress:
        on_progress(_grade("a.ipynb", 2), 1, 2)
        on_progress(_grade("b.ipynb", 0.5), 2, 2)
    assert capsys.readouterr().err.splitlines() == [
        "graded 1/2 a.ipynb 2 (Completed)",
        "graded 2/2 b.ipynb 0.5 (Completed)",
    ]


def test_progress_bar_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with progress_printer(header="sandbox: test") as on_progress:
        on_progress(_grade("a.ipynb", 2), 1, 4)
        on_progress(_grade("b.ipynb", 2), 4, 4)
    err = capsys.readouterr().err
    assert err.startswith("sandbox: test\n")
    assert "b.ipynb" in err and "4/4" in err and "graded " not in err, err
