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

A unit begun counts whole: 1 minute past the grace period is one day late, and the reason says both
("迟交 4 秒，按 1 天计 / 4 s late, counted as 1 day"). A student's own due time (an extension: the
server's, or a times file's ``due`` column) moves their cutoff by as much (``LatePolicy.moved``).
Times without a zone (an LMS's worksheet writes them so) are read in the course's time zone
(``read_zone``), never in the grading machine's, so a laptop's clock setting changes no one's penalty.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from dataclasses import dataclass, replace

from autograder import KitError
from autograder.grading.records.time_words import duration_words, moved_words, shown_time

UNITS = {"day": dt.timedelta(days=1), "hour": dt.timedelta(hours=1)}
UNIT_WORDS = {"day": ("天", "day", "days"), "hour": ("小时", "hour", "hours")}


class LatePolicyError(KitError, ValueError):
    """A late policy that cannot be applied."""


@dataclass(frozen=True)
class Lateness:
    """What lateness costs one submission: the share of its points lost, why (both languages), and the
    times it was judged on (None when unknown)."""

    fraction: float = 0.0
    units: int = 0
    reason: str = ""
    submitted: dt.datetime | None = None
    due: dt.datetime | None = None  # the student's own (their extension included)
    extension: dt.timedelta = dt.timedelta(0)  # how far their due was moved from the class's


@dataclass(frozen=True)
class LatePolicy:
    due: dt.datetime | None = None
    grace: dt.timedelta = dt.timedelta(0)
    penalty: float = 0.0
    per: str = "day"
    cap: float = 1.0
    cutoff: dt.datetime | None = None
    zone: dt.tzinfo | None = None  # the course's: where times are shown and zone-less ones read
    extension: dt.timedelta = dt.timedelta(0)  # how far ``moved`` moved the class's due for one student

    @classmethod
    def from_config(cls, config: dict | None, *, where: str, zone: dt.tzinfo | None = None) -> "LatePolicy":
        """Read the ``late:`` settings (see the module docstring); an empty config means no policy.
        ``zone``: the course's time zone (default: this machine's)."""
        if not config:
            return cls(zone=zone)
        if not isinstance(config, dict):
            raise LatePolicyError(f"{where}: `late:` takes settings (due, grace_minutes, penalty, per, cap, cutoff)")
        unknown = sorted(set(config) - {"due", "grace_minutes", "penalty", "per", "cap", "cutoff"})
        if unknown:
            raise LatePolicyError(
                f"{where}: unknown late settings {unknown}; use due, grace_minutes, penalty, per, cap, cutoff"
            )
        per = str(config.get("per", "day"))
        if per not in UNITS:
            raise LatePolicyError(f"{where}: late per must be day or hour, got {per!r}")
        policy = cls(
            due=parse_time(config.get("due"), where=f"{where}: late due", zone=zone),
            grace=dt.timedelta(minutes=_number(config.get("grace_minutes", 0), f"{where}: late grace_minutes")),
            penalty=_share(config.get("penalty", 0), f"{where}: late penalty"),
            per=per,
            cap=_share(config.get("cap", 1), f"{where}: late cap"),
            cutoff=parse_time(config.get("cutoff"), where=f"{where}: late cutoff", zone=zone),
            zone=zone,
        )
        if policy.due is None and (policy.penalty or policy.cutoff):
            raise LatePolicyError(
                f"{where}: a late penalty or cutoff needs a due time (late: due: 2026-12-01T23:59:00+08:00)"
            )
        return replace(
            policy,
            due=policy.due and policy.in_zone(policy.due),
            cutoff=policy.cutoff and policy.in_zone(policy.cutoff),
        )

    def moved(self, by: dt.timedelta) -> "LatePolicy":
        """This policy for one student whose due time moves by ``by`` (an extension). Their cutoff moves as
        much, so an extension gives the same time between due and cutoff as the class has."""
        if not by or self.due is None:
            return self
        return replace(
            self,
            due=self.due + by,
            cutoff=self.cutoff and self.cutoff + by,
            extension=self.extension + by,
        )

    def due_for(self, due: dt.datetime) -> "LatePolicy":
        """This policy for one student whose own due time is ``due``: ``moved`` by its distance from the
        class's (a class without a due time gets ``due`` as it is)."""
        due = self.in_zone(due)
        return replace(self, due=due) if self.due is None else self.moved(due - self.due)

    def past_cutoff(self, when: dt.datetime) -> bool:
        """Whether something done at ``when`` comes after the cutoff: it earns nothing."""
        return self.cutoff is not None and self.in_zone(when) > self.cutoff

    def cost(self, submitted: dt.datetime | None) -> Lateness:
        """What being submitted at ``submitted`` costs (nothing when the time or the policy is unknown)."""
        submitted = self.in_zone(submitted) if submitted else None
        if self.due is None or submitted is None:
            return Lateness(submitted=submitted, due=self.due, extension=self.extension)
        if self.past_cutoff(submitted):
            return Lateness(1.0, 0, self._after_cutoff(submitted), submitted, self.due, self.extension)
        over = submitted - self.due - self.grace
        if over <= dt.timedelta(0):
            return Lateness(submitted=submitted, due=self.due, extension=self.extension)
        units = math.ceil(over / UNITS[self.per])
        fraction = min(self.cap, units * self.penalty)
        reason = self._late_reason(submitted, units, fraction)
        return Lateness(fraction, units, reason, submitted, self.due, self.extension)

    def _late_reason(self, submitted: dt.datetime, units: int, fraction: float) -> str:
        """How late it was and what it counts as, since a unit begun counts whole and "1 day late" for 4 s
        reads as a mistake: "迟交 4 秒，按 1 天计，扣 10%（…）/ 4 s late, counted as 1 day: 10% off (…)"."""
        shown, due = self.shown(submitted), self.shown(self.due)
        late, unit = duration_words(submitted - self.due), UNIT_WORDS[self.per]
        moved = moved_words(self.extension) if self.extension else None
        zh, en = (f"，已{moved[0]}", f", {moved[1]}") if moved else ("", "")
        return (
            f"迟交 {late[0]}，按 {units} {unit[0]}计，扣 {fraction:.0%}（提交 {shown}，截止 {due}{zh}） / "
            f"{late[1]} late, counted as {units} {unit[1 if units == 1 else 2]}: {fraction:.0%} off "
            f"(submitted {shown}, due {due}{en})"
        )

    def _after_cutoff(self, submitted: dt.datetime) -> str:
        shown, cutoff = self.shown(submitted), self.shown(self.cutoff)
        moved = moved_words(self.extension) if self.extension else None
        zh, en = (f"（已{moved[0]}）", f", {moved[1]}") if moved else ("", "")
        return (
            f"在截止时间 {cutoff}{zh}之后提交（{shown}），不计分 / submitted {shown}, after the cutoff "
            f"({cutoff}{en}): no points"
        )

    def in_zone(self, when: dt.datetime) -> dt.datetime:
        """``when`` in the course's zone (a zone-less time is taken to be in it)."""
        when = _aware(when, self.zone)
        return when.astimezone(self.zone) if self.zone else when

    def shown(self, when: dt.datetime) -> str:
        return shown_time(self.in_zone(when))


def parse_time(value, *, where: str, written_out: bool = False, zone: dt.tzinfo | None = None) -> dt.datetime | None:
    """A time in ISO 8601 (YAML may already have made it a datetime), or with ``written_out`` also as an
    LMS writes it ("Tuesday, 1 December 2026, 8:00 PM"). A time without a zone is in ``zone`` (the
    course's; this machine's only when none is given); "" and "-" (Moodle's "no submission") are no time."""
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
                raise LatePolicyError(
                    f"{where}: {text!r} is not a time; write it as 2026-12-01T23:59:00+08:00"
                ) from error
            value = _written_out(text, where)
    return _aware(value, zone)


def _written_out(text: str, where: str) -> dt.datetime:
    from dateutil import parser

    try:
        return parser.parse(text)
    except (ValueError, OverflowError) as error:
        raise LatePolicyError(f"{where}: {text!r} is not a time; write it as 2026-12-01T23:59:00+08:00") from error


def _aware(value: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime:
    if value.tzinfo:
        return value
    return value.replace(tzinfo=zone) if zone else value.astimezone()


_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def read_zone(text: str, *, where: str) -> dt.tzinfo:
    """A time zone as a course declares it: an IANA name (``Asia/Shanghai``) or an offset from UTC
    (``+08:00``, ``UTC+8``).

    Raises:
        LatePolicyError: neither.
    """
    text = str(text).strip()
    offset = _OFFSET.match(text)
    if offset:
        sign, hours, minutes = offset.groups()
        delta = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta < dt.timedelta(hours=15):
            return dt.timezone(-delta if sign == "-" else delta)
    elif text.upper() in ("UTC", "Z", "GMT"):
        return dt.timezone.utc
    else:
        try:
            return zoneinfo.ZoneInfo(text)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    raise LatePolicyError(
        f"{where}: time zone {text!r} is neither a zone name (Asia/Shanghai) nor an offset from UTC (+08:00)"
    )


def zone_of(when: dt.datetime) -> str:
    """The zone an aware time was written in, as ``read_zone`` reads it: its name, else its offset."""
    key = getattr(when.tzinfo, "key", None)
    if key:
        return key
    offset = when.strftime("%z") or "+0000"
    return f"{offset[:3]}:{offset[3:5]}"


def _number(value, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise LatePolicyError(f"{where} must be a number of at least 0, got {value!r}")
    return float(value)


def _share(value, where: str) -> float:
    number = _number(value, where)
    if number > 1:
        raise LatePolicyError(f"{where} is a share of the points, between 0 and 1 (0.1 is 10%), got {value!r}")
    return number
