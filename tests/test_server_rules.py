"""What the course server enforces, without a server: assignment.yml's ``server:`` settings, which
submission counts, when the next submission may come, and that the migrations build the models."""

from __future__ import annotations

import datetime as dt
import types

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from autograder.grading.records.late import LatePolicy
from autograder.server import database
from autograder.server.models import Base
from autograder.server.rules import RulesError, SubmissionRules
from autograder.server.standing import allowance, counted, extended

DUE = dt.datetime(2026, 12, 1, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=8)))
POLICY = LatePolicy(due=DUE, penalty=0.5, per="day", cap=0.5)


def _submission(number: int, hours_after_due: float, score: float | None):
    return types.SimpleNamespace(id=number, received_at=DUE + dt.timedelta(hours=hours_after_due), score=score)


HISTORY = [
    _submission(1, -30, 6.0),  # on time
    _submission(2, -2, 4.0),  # on time, the latest on time
    _submission(3, 5, 10.0),  # late: 10 × 0.5 = 5 after the penalty
    _submission(4, 8, None),  # late, not graded yet
]


@pytest.mark.parametrize("counts, chosen", [("latest", 3), ("latest_on_time", 2), ("best", 1)])
def test_the_submission_that_counts(counts, chosen):
    assert counted(HISTORY, counts=counts, policy=POLICY).id == chosen


def test_latest_on_time_falls_back_to_the_latest_when_none_was_on_time():
    assert counted(HISTORY[2:], counts="latest_on_time", policy=POLICY).id == 3


def test_an_extension_makes_a_late_submission_on_time():
    assert counted(HISTORY, counts="latest_on_time", policy=extended(POLICY, 6 * 60)).id == 3
    assert extended(POLICY, 90).due == DUE + dt.timedelta(minutes=90)


def test_the_days_cap_counts_the_last_24_hours():
    rules = SubmissionRules(per_day=2)
    times = [_submission(1, 0, 1.0), _submission(2, 20, 1.0)]
    full = allowance(times, rules, DUE + dt.timedelta(hours=21))
    assert (full.left, full.next_at) == (0, DUE + dt.timedelta(hours=24))
    assert "at most 2 submissions in 24 hours" in full.reason
    later = allowance(times, rules, DUE + dt.timedelta(hours=25))
    assert (later.left, later.next_at) == (1, None)


def test_the_cooldown_waits_from_the_last_submission():
    waiting = allowance([_submission(1, 0, 1.0)], SubmissionRules(cooldown_minutes=10), DUE + dt.timedelta(minutes=4))
    assert waiting.next_at == DUE + dt.timedelta(minutes=10) and "10 minutes between submissions" in waiting.reason
    assert (
        allowance(
            [_submission(1, 0, 1.0)], SubmissionRules(cooldown_minutes=10), DUE + dt.timedelta(minutes=11)
        ).next_at
        is None
    )


def test_the_next_submission_time_is_never_shown_before_it_comes():
    """Times are shown in minutes: a wait ending at 23:59:45 was shown as 23:59, so a student refused at
    23:59:30 was told to come back at a minute already begun, and refused again then."""
    last = _submission(1, 0, 1.0)
    last.received_at += dt.timedelta(seconds=45)
    waiting = allowance([last], SubmissionRules(cooldown_minutes=0.5), DUE + dt.timedelta(seconds=50))
    assert waiting.next_at == DUE + dt.timedelta(minutes=2)  # ready at 00:00:15, shown as 00:01, not 00:00
    assert allowance([last], SubmissionRules(cooldown_minutes=0.5), DUE + dt.timedelta(minutes=2)).next_at is None


@pytest.mark.parametrize(
    "config, message",
    [
        ({"per_day": 0}, "per_day must be a whole number of at least 1"),
        ({"per_day": 2.5}, "per_day must be a whole number"),
        ({"cooldown_minutes": -1}, "cooldown_minutes must be a number above 0 or 0"),
        ({"max_upload_mb": 0}, "max_upload_mb must be a number above 0"),
        ({"max_stored_mb": "lots"}, "max_stored_mb must be a number above 0"),
        ({"max_upload_mb": 20, "max_stored_mb": 10}, r"max_stored_mb \(10\) is below max_upload_mb \(20\).*raise"),
        ({"counts": "first"}, "counts must be one of latest, latest_on_time, best"),
        ({"per_dya": 3}, r"unknown server settings \['per_dya'\]"),
        (["per_day"], "`server:` takes settings"),
    ],
)
def test_bad_server_settings_name_the_file_and_the_fix(config, message):
    with pytest.raises(RulesError, match=message) as raised:
        SubmissionRules.from_config(config, where="assignments/a/assignment.yml")
    assert str(raised.value).startswith("assignments/a/assignment.yml")


def test_server_settings_are_read():
    rules = SubmissionRules.from_config(
        {"per_day": 3, "cooldown_minutes": 5, "max_upload_mb": 2, "max_stored_mb": 30, "counts": "best"}, where="x"
    )
    assert (rules.per_day, rules.cooldown_minutes, rules.max_upload_bytes, rules.counts) == (3, 5.0, 2 * 2**20, "best")
    assert rules.max_stored_bytes == 30 * 2**20
    assert SubmissionRules.from_config({}, where="x").max_stored_mb == 100  # a bound even where none is written


def test_the_migrations_build_exactly_the_models(tmp_path):
    engine = database.connect(f"sqlite:///{tmp_path / 'course.db'}")
    database.migrate(engine)
    database.check_current(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
