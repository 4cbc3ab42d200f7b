"""Times and durations as people read them, in the course's words: a time to the minute (to the second
when its seconds are not zero), a duration in days, hours, minutes and seconds."""

from __future__ import annotations

import datetime as dt
import math

# A duration's parts, largest first: seconds in one, then 中文, English for one, English for more.
DURATION_PARTS = (
    (86400, "天", "day", "days"),
    (3600, "小时", "h", "h"),
    (60, "分钟", "min", "min"),
    (1, "秒", "s", "s"),
)


def shown_time(when: dt.datetime) -> str:
    """``when`` as a person reads it: 2026-11-20 23:59 +08:00, or 2026-11-20 23:59:04 +08:00 when its
    seconds are not zero, so a time a few seconds past a due time never reads the same as the due time."""
    offset = when.strftime("%z")
    return clock_time(when) + (f" {offset[:3]}:{offset[3:]}" if offset else "")


def clock_time(when: dt.datetime) -> str:
    """``when``'s date and time on its own clock, with seconds only when they are not zero."""
    return when.strftime("%Y-%m-%d %H:%M:%S" if when.second or when.microsecond else "%Y-%m-%d %H:%M")


def duration_words(delta: dt.timedelta) -> tuple[str, str]:
    """``delta`` (positive) in days, hours, minutes and seconds, leaving out the parts that are zero, a
    second begun counted whole: ("2 天 3 小时", "2 days 3 h"), ("4 秒", "4 s")."""
    rest = math.ceil(delta.total_seconds())
    chinese, english = [], []
    for seconds, zh, one, more in DURATION_PARTS:
        count, rest = divmod(rest, seconds)
        if count:
            chinese.append(f"{count} {zh}")
            english.append(f"{count} {one if count == 1 else more}")
    return " ".join(chinese), " ".join(english)


def extension_text(extension: dt.timedelta) -> str:
    """How far a student's due time was moved, both languages ("延期 2 天 / extended by 2 days"); "" for none."""
    return " / ".join(moved_words(extension)) if extension else ""


def moved_words(extension: dt.timedelta) -> tuple[str, str]:
    """How far a student's due time was moved (Chinese, English): ("延期 2 天", "extended by 2 days")."""
    zh, en = duration_words(abs(extension))
    if extension >= dt.timedelta(0):
        return f"延期 {zh}", f"extended by {en}"
    return f"提前 {zh}", f"moved {en} earlier"
