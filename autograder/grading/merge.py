"""``autograder merge``: combine sharded grading runs into one set of outputs."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder import KitError
from autograder.assignment import Assignment
from autograder.grading.autograder_zip import AutograderZip
from autograder.grading.batch import FEEDBACK, RESULTS
from autograder.grading.judging import Grade
from autograder.grading.outputs import write_class_outputs


class MergeError(KitError, ValueError):
    """Shard outputs that cannot be combined."""


def merge_outputs(shards: list[Path], assignment: Assignment, out: Path) -> int:
    """Copy every shard's results and feedback into ``out``; rebuild gradebook and summary."""
    autograder = AutograderZip.read(assignment.zip_path)
    grades: dict[str, Grade] = {}
    for folder in (RESULTS, FEEDBACK):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for shard in shards:
        for result in sorted((shard / RESULTS).glob("*.json")):
            try:
                grade = Grade.from_json(json.loads(result.read_text(encoding="utf-8"))["extra_data"]["kit"])
            except (ValueError, KeyError, TypeError) as error:
                raise MergeError(f"{result}: not a results file written by `autograder grade` ({error})") from error
            if grade.file in grades and grades[grade.file].digest != grade.digest:
                raise MergeError(f"{grade.file} was graded in two shards with different content; grade it again")
            grades[grade.file] = grade
            shutil.copy(result, out / RESULTS / result.name)
            page = shard / FEEDBACK / f"{result.stem}.html"
            if page.is_file():
                shutil.copy(page, out / FEEDBACK / page.name)
    if not grades:
        raise MergeError(f"no results found in {', '.join(map(str, shards))}")
    write_class_outputs(sorted(grades.values(), key=lambda g: g.file), autograder, out, assignment=assignment.name)
    return len(grades)
