"""Loading cases files from several threads at once, as the course server starts a grading pool per
assignment: each cases file must get the diagnoses.py beside it, never another assignment's."""

from __future__ import annotations

import threading
from pathlib import Path

from autograder.authoring.suite import SuiteError, load_cases

ROUNDS = 40


def _assignment(folder: Path, tag: str) -> Path:
    folder.mkdir()
    (folder / "diagnoses.py").write_text(f"import time\ntime.sleep(0.002)\nTAG = {tag!r}\n")
    (folder / "cases.py").write_text(
        f"import diagnoses\nassert diagnoses.TAG == {tag!r}, 'imported the diagnoses of ' + diagnoses.TAG\nCASES = []\n"
    )
    return folder / "cases.py"


def test_threads_loading_two_assignments_each_get_their_own_diagnoses(tmp_path):
    paths = [_assignment(tmp_path / tag, tag) for tag in ("first", "second")]
    failures: list[str] = []

    def load(path: Path) -> None:
        for _ in range(ROUNDS):
            try:
                load_cases(path)
            except SuiteError as error:
                failures.append(str(error))

    threads = [threading.Thread(target=load, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
