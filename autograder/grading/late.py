"""Late work: a due date and a policy, and what a submission's time costs under it.

The policy sits in the assignment's ``assignment.yml`` under ``late:`` and may be overridden for one
run (``autograder grade --due ... --late-policy ...``)::

    late:
      due: 2026-12-01T23:59:00+08:00
      grace_minutes: 15        # minutes after the due time that cost nothing
      penalty: 0.10            # share of the points lost per unit late
      per: day                 # or: hour
      cap: 0.50                # never lose more than this share
      cutoff: 2026-12-08T23:59:00+08:00   # after it: 0 points

A unit begun counts whole: 1 minute past the grace period is one day late. Times without a zone are
read in the grading machine's zone.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from autograder import KitError

UNITS = {"day": dt.timedelta(days=1), "hour": dt.timedelta(hours=1)}


class LatePolicyError(KitError, ValueError):
    """A late policy that cannot be applied."""


@dataclass(frozen=True)
class Lateness:
    """What lateness costs one submission: the share of its points lost, and why (both languages)."""

    fraction: float = 0.0
    units: int = 0
    reason: str = ""


@dataclass(frozen=True)
class LatePolicy:
    due: dt.datetime | None = None
    grace: dt.timedelta = dt.timedelta(0)
    penalty: float = 0.0
    per: str = "day"
    cap: float = 1.0
    cutoff: dt.datetime | None = None

    @classmethod
    def from_config(cls, config: dict | None, *, where: str) -> "LatePolicy":
        """Read the ``late:`` settings (see the module docstring); an empty config means no policy."""
        if not config:
            return cls()
        if not isinstance(config, dict):
            raise LatePolicyError(f"{where}: `late:` takes settings (due, grace_minutes, penalty, per, cap, cutoff)")
        unknown = sorted(set(config) - {"due", "grace_minutes", "penalty", "per", "cap", "cutoff"})
        if unknown:
            raise LatePolicyError(f"{where}: unknown late settings {unknown}; use due, grace_minutes, penalty, per, cap, cutoff")
        per = str(config.get("per", "day"))
        if per not in UNITS:
            raise LatePolicyError(f"{where}: late per must be day or hour, got {per!r}")
        policy = cls(
            due=parse_time(config.get("due"), where=f"{where}: late due"),
            grace=dt.timedelta(minutes=_number(config.get("grace_minutes", 0), f"{where}: late grace_minutes")),
            penalty=_share(config.get("penalty", 0), f"{where}: late penalty"),
            per=per,
            cap=_share(config.get("cap", 1), f"{where}: late cap"),
            cutoff=parse_time(config.get("cutoff"), where=f"{where}: late cutoff"),
        )
        if policy.due is None and (policy.penalty or policy.cutoff):
            raise LatePolicyError(f"{where}: a late penalty or cutoff needs a due time (late: due: 2026-12-01T23:59:00+08:00)")
        return policy

    def cost(self, submitted: dt.datetime | None) -> Lateness:
        """What being submitted at ``submitted`` costs (nothing when the time or the policy is unknown)."""
        if self.due is None or submitted is None:
            return Lateness()
        submitted = _aware(submitted)
        if self.cutoff is not None and submitted > self.cutoff:
            return Lateness(1.0, 0, f"在截止时间 {self.cutoff:%Y-%m-%d %H:%M} 之后提交，不计分 / submitted after the cutoff ({self.cutoff:%Y-%m-%d %H:%M}): no points")
        over = submitted - self.due - self.grace
        if over <= dt.timedelta(0):
            return Lateness()
        units = math.ceil(over / UNITS[self.per])
        fraction = min(self.cap, units * self.penalty)
        unit = {"day": ("天", "day"), "hour": ("小时", "hour")}[self.per]
        return Lateness(fraction, units, f"迟交 {units} {unit[0]}，扣 {fraction:.0%} / {units} {unit[1]}{'s' if units != 1 else ''} late: {fraction:.0%} off")


def parse_time(value, *, where: str, written_out: bool = False) -> dt.datetime | None:
    """A time in ISO 8601 (YAML may already have made it a datetime), or with ``written_out`` also as an
    LMS writes it ("Tuesday, 1 December 2026, 8:00 PM"). A time without a zone is in this machine's
    zone; "" and "-" (Moodle's "no submission") are no time."""
    if value is None or str(value).strip() in ("", "-"):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(23, 59, 59))
    if not isinstance(value, dt.datetime):
        text = str(value).strip()
        try:
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as error:
            if not written_out:
                raise LatePolicyError(f"{where}: {text!r} is not a time; write it as 2026-12-01T23:59:00+08:00") from error
            value = _written_out(text, where)
    return _aware(value)


def _written_out(text: str, where: str) -> dt.datetime:
    from dateutil import parser

    try:
        return parser.parse(text)
    except (ValueError, OverflowError) as error:
        raise LatePolicyError(f"{where}: {text!r} is not a time; write it as 2026-12-01T23:59:00+08:00") from error


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.astimezone()


def _number(value, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise LatePolicyError(f"{where} must be a number of at least 0, got {value!r}")
    return float(value)


def _share(value, where: str) -> float:
    number = _number(value, where)
    if number > 1:
        raise LatePolicyError(f"{where} is a share of the points, between 0 and 1 (0.1 is 10%), got {value!r}")
    return number
