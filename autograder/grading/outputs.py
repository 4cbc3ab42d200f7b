"""Write the class-level outputs of a grading run, atomically."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from autograder.grading.autograder_zip import AutograderZip
from autograder.grading.pages import summary_page
from autograder.grading.gradebook import gradebook_csv
from autograder.grading.judging import Grade

GRADEBOOK, SUMMARY = "final_grades.csv", "summary.html"


PAGE_NAME_CHARS = 120  # with ".html", a temporary file's ".<name>.<pid>.tmp" and a digest: well under 255 bytes


def page_name(file: str) -> str:
    """The stem of a submission's results and feedback files: safe on any disk, one per file.

    Characters outside [A-Za-z0-9._-] become "_", and a long name is cut to
    PAGE_NAME_CHARS; when either changed the name, a digest of the original is
    appended, so "a b.ipynb" and "a_b.ipynb" never share a page.
    """
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in file.replace("/", "__"))
    if safe == file and len(safe) <= PAGE_NAME_CHARS and not safe.startswith("."):
        return safe
    safe = "_" + safe[1:] if safe.startswith(".") else safe  # never a hidden file
    return f"{safe[:PAGE_NAME_CHARS]}-{hashlib.sha256(file.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a kill never leaves half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_class_outputs(grades: list[Grade], autograder: AutograderZip, out: Path, *, assignment: str) -> None:
    write_atomic(out / GRADEBOOK, gradebook_csv(grades, autograder))
    write_atomic(out / SUMMARY, summary_page(grades, autograder, assignment=assignment))
