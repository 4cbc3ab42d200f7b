"""Who a file belongs to, from the names learning-management systems give their downloads.

- Moodle's "Download all submissions" puts each student's files in a folder named
  ``Full Name_12345_assignsubmission_file_`` (12345: the participant's id in that assignment).
- Canvas's "Download Submissions" names each file ``login_12345_67890_original.ipynb`` (12345: the
  Canvas user id, 67890: the attachment), with ``_LATE`` after the login for late work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_[a-z]+_?$")
_CANVAS = re.compile(r"^(?P<login>[^_/]+?)(?P<late>_LATE)?_(?P<id>\d+)_(?P<attachment>\d+)_(?P<original>.+)$")


@dataclass(frozen=True)
class LmsName:
    """What a download's name says about its student.

    Attributes:
        system: "moodle" or "canvas".
        lms_id: the student's id in that system (Moodle participant id, Canvas user id).
        name: the full name (Moodle) or login (Canvas) in the name.
        late: Canvas marked the file late.
    """

    system: str
    lms_id: str
    name: str
    late: bool = False


def is_moodle_folder(name: str) -> bool:
    """Whether a folder is named as Moodle names a student's in its download."""
    return _MOODLE.match(name) is not None


def lms_name(file: str) -> LmsName | None:
    """The student a submission's path names, if it follows Moodle's or Canvas's pattern (``file``: relative, with "
    "/)."""
    path = PurePosixPath(file)
    # The outermost such folder is Moodle's own; one inside it a student made and named.
    for folder in path.parts[:-1]:
        match = _MOODLE.match(folder)
        if match:
            return LmsName("moodle", match.group("id"), match.group("name").strip())
    match = _CANVAS.match(path.name)
    if match:
        return LmsName("canvas", match.group("id"), match.group("login"), late=bool(match.group("late")))
    return None
