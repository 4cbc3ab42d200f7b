"""``autograder merge``: combine sharded grading runs, and fold in what TAs entered since.

Each shard's results and feedback are copied into OUT; then the class's outputs are rebuilt from
every result, with the written marks in ``OUT/written/*.csv`` and the late policy (the feedback
pages' written marks and lateness included). ``autograder merge -o OUT`` with no shards does the
second part alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder import KitError
from autograder.assignment import Assignment
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.judging.grade import Grade
from autograder.grading.records.class_outputs import FEEDBACK, RESULTS, ClassView, load_grades, rebuild_class_outputs
from autograder.grading.records.class_settings import SETTINGS_FILE, ClassSettings
from autograder.grading.records.results_file import ResultsFileError, read_grade


class MergeError(KitError, ValueError):
    """Shard outputs that cannot be combined."""


def merge_outputs(
    shards: list[Path], assignment: Assignment, out: Path, *, settings: ClassSettings | None = None
) -> ClassView:
    """Copy every shard into ``out``, rewrite its feedback with marks and lateness, rebuild the class outputs."""
    autograder = AutograderZip.read(assignment.zip_path)
    for folder in (RESULTS, FEEDBACK):
        (out / folder).mkdir(parents=True, exist_ok=True)
    _copy_shards([shard for shard in shards if shard.resolve() != out.resolve()], out)
    if settings is None:
        settings = _saved_settings(out, shards)
    grades = load_grades(out)
    if not grades:
        raise MergeError(f"no results found in {', '.join(map(str, shards or [out]))}")
    return rebuild_class_outputs(out, autograder, assignment, settings, grades=grades)


def _copy_shards(shards: list[Path], out: Path) -> None:
    seen: dict[str, Grade] = {}
    for shard in shards:
        for result in sorted((shard / RESULTS).glob("*.json")):
            try:
                grade = read_grade(result)
            except ResultsFileError as error:
                raise MergeError(str(error)) from error
            if grade.file in seen and seen[grade.file].digest != grade.digest:
                raise MergeError(f"{grade.file} was graded in two shards with different content; grade it again")
            seen[grade.file] = grade
            shutil.copy(result, out / RESULTS / result.name)
            page = shard / FEEDBACK / f"{result.stem}.html"
            if page.is_file():
                shutil.copy(page, out / FEEDBACK / page.name)


def _saved_settings(out: Path, shards: list[Path]) -> ClassSettings:
    """OUT's saved class settings, else the first shard's."""
    for folder in [out, *shards]:
        if (folder / SETTINGS_FILE).is_file():
            return ClassSettings.load(folder)
    return ClassSettings()
