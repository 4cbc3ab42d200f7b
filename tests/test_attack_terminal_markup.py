"""Attack: rich console markup in a submission's file name, shown by the TA's progress bar.

On a terminal, ``autograder grade`` shows rich's progress bar with the current file's name as the
task description. ``shown_controls`` escapes control characters, but rich then parses the name as
console markup: ``[link=...]`` becomes an OSC 8 hyperlink escape sequence in the TA's terminal,
styles hide or recolour text, and an unbalanced ``[/]`` raises MarkupError, from the bar's refresh
thread while it runs and from ``stop()`` at the end, so the command dies with a traceback instead
of printing its table. (A closing tag needs a "/": the file name is the path inside the
submissions folder, so a student folder named "[" holding "]late.ipynb" is enough.)
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from autograder.grading.intake import submissions
from autograder.grading.judging.grade import Grade
from autograder.grading.terminal import progress_printer


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _show(names: list[str], monkeypatch) -> str:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_printer(header="sandbox: root isolation") as on_progress:
        for done, name in enumerate(names, 1):
            on_progress(Grade(name, "d", "Completed", {"q": 0.0}), done, len(names))
    return terminal.getvalue()


def _discovered(tmp_path: Path, file_name: str) -> str:
    folder = tmp_path / "submissions"
    (folder / file_name).parent.mkdir(parents=True, exist_ok=True)  # "[/]x" is a folder "[" holding "]x"
    (folder / file_name).write_text("{}")
    [submission] = [s for s in submissions.discover([folder]) if s.file == file_name]
    return submission.file


def test_a_file_name_cannot_stop_the_grade_command(tmp_path, monkeypatch):
    name = _discovered(tmp_path, "[/]late.ipynb")
    _show(["a.ipynb", name], monkeypatch)  # MarkupError from the bar's stop() today


def test_a_file_name_cannot_write_terminal_escape_sequences(tmp_path, monkeypatch):
    name = _discovered(tmp_path, "[link=mailto:ta@evil.example]x[/link].ipynb")
    shown = _show([name], monkeypatch)
    assert "\x1b]8;" not in shown, "the file name became an OSC 8 hyperlink in the TA's terminal"
