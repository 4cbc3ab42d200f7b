"""What each submission is called in an output folder: never its bare file name.

A file found in a folder is named by its path inside that folder (an LMS's download names stay: they
say whose file it is). A file named on the command line is named by its folder and its name
(``周杰_corrected/lesson.ipynb``), or from the outermost Moodle download folder when it
sits inside one. A file OUT graded before from the same path keeps its name, so its row is updated;
so does the same content from another path (a moved or copied folder). A name OUT holds for another
path's different file goes to the new file only when nothing shows they are two students' (an LMS
download name in the name says whose it is; else the student numbers both notebooks declare): two
numbers that differ give the new file a name of its own (``…~2``). Either way the run says so: no
result is replaced without a word.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from autograder.grading.intake.lms_names import is_moodle_folder, lms_name
from autograder.grading.intake.submissions import Submission
from autograder.grading.judging.grade import Grade


@dataclass
class Keyed:
    """The submissions under the names they get in OUT, and what the TA should be told about them."""

    submissions: list[Submission] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    named: set[str] = field(default_factory=set)  # the files the TA named on the command line


def key_submissions(
    found: list[Submission],
    before: dict[str, Grade],
    *,
    declared_student: Callable[[Submission], str],
    digest_of: Callable[[Submission], str],
) -> Keyed:
    """``found`` named for OUT (see the module docstring), sorted by name.

    ``before``: OUT's results by file; ``declared_student(submission)``: the student number its
    notebook declares ("" when none); ``digest_of(submission)``: the key its result would have. Both
    are asked only when a name is already taken in OUT by another path.
    """
    by_path = {grade.source: grade.file for grade in before.values() if grade.source}
    keyed, taken = Keyed(), set()
    for submission in found:
        path = str(submission.path.resolve())
        name = by_path.get(path) or _own_name(submission)
        previous = before.get(name)
        if by_path.get(path) is None and previous is not None and previous.digest != digest_of(submission):
            earlier = (previous.identity or {}).get("student_id", "")
            declared = declared_student(submission) if earlier and lms_name(name) is None else ""
            if declared and declared != earlier:
                name = _free(name, taken | set(before))
                keyed.notes.append(
                    f"{submission.path}: OUT holds {previous.file} of student {earlier} (from "
                    f"{previous.source or 'an earlier run'}) "
                    f"and this file declares {declared}; graded as {name}"
                )
            else:
                keyed.notes.append(
                    f"{submission.path}: replaces the {name} OUT graded from {previous.source or 'an earlier run'} "
                    "(the same student's, as far as "
                    "the names show); grade it by a folder of its own to keep both"
                )
        if name in taken:
            name = _free(name, taken | set(before))
        taken.add(name)
        if not submission.found_in_folder:
            keyed.named.add(name)
        keyed.submissions.append(replace(submission, file=name))
    keyed.submissions.sort(key=lambda submission: submission.file)
    return keyed


def _own_name(submission: Submission) -> str:
    if submission.found_in_folder:
        return submission.file
    parts = Path(os.path.normpath(submission.path.absolute())).parts
    folders = parts[1:-1]
    start = next((index for index, folder in enumerate(folders) if is_moodle_folder(folder)), len(folders) - 1)
    return "/".join(_printable(part) for part in (*folders[max(start, 0) :], parts[-1]))


def _printable(name: str) -> str:
    """``name`` with bytes that are not UTF-8 written as \\xNN, as a folder's own files are named."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _free(name: str, taken: set[str]) -> str:
    number = 2
    while f"{name}~{number}" in taken:
        number += 1
    return f"{name}~{number}"
