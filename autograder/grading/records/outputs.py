"""How a grading run names and writes its files: one safe name per submission, atomic writes."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from pathlib import Path
from typing import Callable

from autograder.grading.text import storable

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
    """Write ``text`` (made storable: lone surrogates as ``\\udcff``) via a temporary file and rename,
    so a kill never leaves half a file; a write that fails takes its temporary file with it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(storable(text), encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


_TEMPORARY = re.compile(r"\..+\.(\d+)\.tmp")
_LOADED = time.time()
# A write takes milliseconds: a temporary file this old was left by a killed run, whatever its pid now names.
STALE_AFTER_S = 3600.0


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove what ``write_atomic`` left in ``folder`` (not below it) when a run was killed mid-write.
    Returns those removed.

    A temporary file is stale when its process has ended, when it is this process's own from before
    it started (containers reuse pids run after run), or when it is over an hour old.
    """
    removed = []
    for path in folder.glob(".*.tmp") if folder.is_dir() else ():
        match = _TEMPORARY.fullmatch(path.name)
        if match and _stale(path, int(match[1])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _stale(path: Path, pid: int) -> bool:
    try:
        written = path.stat().st_mtime
    except FileNotFoundError:
        return False
    if time.time() - written > STALE_AFTER_S:
        return True
    if pid == os.getpid():
        return written < _LOADED
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return True
    except PermissionError:
        pass  # another user's live process
    return False


class ClassFileWrites:
    """Class files written one at a time: one that fails is recorded, and the others are still written."""

    def __init__(self):
        self.failed: dict[str, str] = {}

    def attempt(self, name: str, write: Callable[[], object]) -> object:
        """``write()``'s value, or None when it raised (recorded under ``name``)."""
        try:
            return write()
        except Exception as error:  # a kit bug or a full disk: the TA is told, and gets every other file
            self.failed[name] = f"{type(error).__name__}: {str(error)[:160]}"
            return None


def write_keeping_previous(path: Path, text: str) -> None:
    """Write ``path`` atomically; an existing, different version moves to ``<stem>.previous<suffix>``."""
    text = storable(text)
    if path.is_file():
        # Bytes, not text: read as text, a CSV's CRLF rows never equal what is written, and every
        # unchanged run would overwrite the previous version with the current one.
        if path.read_bytes() == text.encode("utf-8"):
            return
        shutil.copy2(path, path.with_name(f"{path.stem}.previous{path.suffix}"))
    write_atomic(path, text)
