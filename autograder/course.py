"""The course at a glance: every assignment in teaching order, with what it teaches."""
from __future__ import annotations

from pathlib import Path

from autograder.assignment import Assignment


def course_rows(root: Path) -> list[tuple[str, str, str]]:
    """(name, title, teaches) of every assignment, in teaching order."""
    return [(a.name, a.config.title or a.name, a.config.teaches) for a in Assignment.all(root)]


def course_markdown(root: Path) -> str:
    """The README's table of the course's assignments."""
    lines = ["| # | assignment | teaches |", "|---|---|---|"]
    for number, (name, title, teaches) in enumerate(course_rows(root), 1):
        lines.append(f"| {number} | `{name}`: {title} | {teaches} |")
    return "\n".join(lines)
