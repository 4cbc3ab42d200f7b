"""What each submission is called in an output folder: never its bare file name.

A file found in a folder is named by its path inside that folder (an LMS's download names stay: they
say whose file it is). A file named on the command line is named by its folder and its name
(``周杰_corrected/logistic_regression.ipynb``), or from the outermost Moodle download folder when it
sits inside one. A file OUT graded before from the same path keeps its name, so its row is updated.
A name OUT already holds for another path stays that submission's unless both files are the same
student's (by their LMS download name, or by the student number both notebooks declare): the new
file then gets a name of its own (``…~2``) and the run says so. A result is only ever replaced by a
grading of the same submission.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from autograder.grading.judging import Grade
from autograder.grading.lms import is_moodle_folder, lms_name
from autograder.grading.submissions import Submission


@dataclass
class Keyed:
    """The submissions under the names they get in OUT, and what the TA should be told about them."""

    submissions: list[Submission] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    named: set[str] = field(default_factory=set)   # the files the TA named on the command line


def key_submissions(found: list[Submission], before: dict[str, Grade], *, declared_student: Callable[[Submission], str]) -> Keyed:
    """``found`` named for OUT (see the module docstring), sorted by name.

    ``before``: OUT's results by file; ``declared_student(submission)``: the student number its
    notebook declares ("" when none), asked only when a name is already taken in OUT.
    """
    by_path = {grade.source: grade.file for grade in before.values() if grade.source}
    keyed, taken = Keyed(), set()
    for submission in found:
        path = str(submission.path.resolve())
        name = by_path.get(path) or _own_name(submission)
        previous = before.get(name)
        if by_path.get(path) is None and previous is not None and not _same_student(name, previous, lambda: declared_student(submission)):
            name = _free(name, taken | set(before))
            keyed.notes.append(f"{submission.path}: OUT already holds a {previous.file} from elsewhere ({previous.source or 'an earlier run'}) "
                               f"and nothing shows both are one student's; graded as {name}")
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
    return "/".join(_printable(part) for part in (*folders[max(start, 0):], parts[-1]))


def _printable(name: str) -> str:
    """``name`` with bytes that are not UTF-8 written as \\xNN, as a folder's own files are named."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _same_student(name: str, previous: Grade, declared: Callable[[], str]) -> bool:
    """Whether the file graded before as ``name`` and the new one are one student's: the LMS's name in
    ``name`` says so, or both notebooks declare the same student number."""
    if lms_name(name) is not None:
        return True
    earlier = (previous.identity or {}).get("student_id", "")
    return bool(earlier) and earlier == declared()


def _free(name: str, taken: set[str]) -> str:
    number = 2
    while f"{name}~{number}" in taken:
        number += 1
    return f"{name}~{number}"
