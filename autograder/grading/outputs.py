"""How a grading run names and writes its files: one safe name per submission, atomic writes."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path




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
