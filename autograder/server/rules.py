"""What an assignment's ``assignment.yml`` says the server enforces, under ``server:``::

    server:
      per_day: 5               # at most 5 submissions in any 24 hours
      cooldown_minutes: 10     # at least 10 minutes between two submissions
      max_upload_mb: 5         # larger files are refused while they upload
      max_stored_mb: 50        # what one student's submissions may take on the server's disk in all
      counts: latest_on_time   # which submission counts: latest, latest_on_time or best

Every key is optional. The due time and late policy stay under ``late:`` (``autograder.grading.records.late``);
the server's clock, never the file, says when a submission arrived.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder import KitError

COUNTS = {
    "latest": ("最后一次提交", "the latest submission"),
    "latest_on_time": ("截止前的最后一次提交（没有则为最后一次）", "the latest submission on time (else the latest)"),
    "best": ("得分最高的一次（扣除迟交后）", "the best one (after any late penalty)"),
}
DEFAULT_MAX_UPLOAD_MB = 10.0
DEFAULT_MAX_STORED_MB = 100.0
KEYS = ("per_day", "cooldown_minutes", "max_upload_mb", "max_stored_mb", "counts")


class RulesError(KitError, ValueError):
    """An assignment's ``server:`` settings cannot be applied."""


@dataclass(frozen=True)
class SubmissionRules:
    per_day: int | None = None
    cooldown_minutes: float = 0.0
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB
    counts: str = "latest"
    max_stored_mb: float = DEFAULT_MAX_STORED_MB  # see autograder.server.storage

    @classmethod
    def from_config(cls, config, *, where: str) -> "SubmissionRules":
        if not config:
            return cls()
        if not isinstance(config, dict):
            raise RulesError(f"{where}: `server:` takes settings ({', '.join(KEYS)})")
        unknown = sorted(set(config) - set(KEYS))
        if unknown:
            raise RulesError(f"{where}: unknown server settings {unknown}; use {', '.join(KEYS)}")
        per_day = config.get("per_day")
        if per_day is not None and (not isinstance(per_day, int) or isinstance(per_day, bool) or per_day < 1):
            raise RulesError(f"{where}: server per_day must be a whole number of at least 1, got {per_day!r}")
        counts = str(config.get("counts", "latest"))
        if counts not in COUNTS:
            raise RulesError(f"{where}: server counts must be one of {', '.join(COUNTS)}, got {counts!r}")
        max_upload_mb = _positive(config.get("max_upload_mb", DEFAULT_MAX_UPLOAD_MB), f"{where}: server max_upload_mb")
        max_stored_mb = _positive(config.get("max_stored_mb", DEFAULT_MAX_STORED_MB), f"{where}: server max_stored_mb")
        if max_stored_mb < max_upload_mb:
            raise RulesError(
                f"{where}: server max_stored_mb ({max_stored_mb:g}) is below max_upload_mb ({max_upload_mb:g}), "
                "so a file of the largest size allowed could never be stored; raise max_stored_mb"
            )
        cooldown = _positive(config.get("cooldown_minutes", 0), f"{where}: server cooldown_minutes", zero=True)
        return cls(per_day, cooldown, max_upload_mb, counts, max_stored_mb)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 2**20)

    @property
    def max_stored_bytes(self) -> int:
        return int(self.max_stored_mb * 2**20)


def _positive(value, where: str, *, zero: bool = False) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0 or (value == 0 and not zero):
        raise RulesError(f"{where} must be a number above 0{' or 0' if zero else ''}, got {value!r}")
    return float(value)
