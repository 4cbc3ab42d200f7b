"""Student-facing words: Simplified Chinese first, English beside it, as the notebooks write them."""
from __future__ import annotations

SEPARATOR = " / "


def say(chinese: str, english: str) -> str:
    """One message in both of the course's languages."""
    return f"{chinese}{SEPARATOR}{english}"
