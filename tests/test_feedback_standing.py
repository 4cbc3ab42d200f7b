"""The top of a feedback page: the headline score agrees with the breakdown under it (written
questions and lateness included), and the late notice shows the times lateness was judged on."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from autograder.grading.pages.standing import (
    STANDING_END,
    STANDING_START,
    Standing,
    standing_section,
    with_standing,
)
from autograder.grading.records.late import LatePolicy
from autograder.grading.records.written import Mark

BEIJING = dt.timezone(dt.timedelta(hours=8))
POLICY = LatePolicy(due=dt.datetime(2026, 11, 20, 23, 59, tzinfo=BEIJING), penalty=0.1, per="day", zone=BEIJING)


def _headline(section: str) -> str:
    return re.search(r'id="total">([^<]*)<', section).group(1)


def _final(section: str) -> str | None:
    found = re.search(r'id="final">总分 · final score: <strong>([^<]*)</strong>', section)
    return found.group(1) if found else None


@pytest.mark.parametrize(
    "standing, headline",
    [
        (Standing(), "7 / 10"),
        (Standing({"why_clamp": 1.0}), "7 / 11"),  # written, not marked yet
        (Standing({"why_clamp": 1.0}, {"why_clamp": Mark(1.0, "good")}), "8 / 11"),
        (
            Standing(
                {"why_clamp": 1.0},
                {"why_clamp": Mark(1.0, "")},
                POLICY.cost(dt.datetime(2026, 11, 22, 9, 0, tzinfo=BEIJING)),
            ),
            "6.4 / 11",
        ),
        (Standing(late=POLICY.cost(dt.datetime(2026, 11, 21, 8, 0, tzinfo=BEIJING))), "6.3 / 10"),
    ],
    ids=["autograded-only", "written-not-marked", "written-marked", "written-and-two-days-late", "one-day-late"],
)
def test_the_headline_is_the_final_score(standing, headline):
    section = standing_section(7.0, 10.0, standing)
    assert _headline(section) == headline
    assert _final(section) in (headline, None)
    assert (_final(section) is None) == (not standing.manual and not standing.late.fraction)


def test_the_breakdown_names_each_part():
    section = standing_section(
        7.0,
        10.0,
        Standing(
            {"why_clamp": 1.0},
            {"why_clamp": Mark(1.0, "")},
            POLICY.cost(dt.datetime(2026, 11, 22, 9, 0, tzinfo=BEIJING)),
        ),
    )
    assert (
        "自动评分 7 / 10 + 书面题 1 / 1，迟交扣 20%" in section
        and "autograded 7 / 10 + written 1 / 1, 20% off for lateness" in section
    )


def test_the_late_notice_shows_when_it_was_submitted_and_due():
    section = standing_section(
        7.0, 10.0, Standing(late=POLICY.cost(dt.datetime(2026, 11, 21, 0, 30, tzinfo=dt.timezone.utc)))
    )
    notice = re.search(r'id="late">([^<]*)<', section).group(1)
    assert "2026-11-21 08:30 +08:00" in notice and "2026-11-20 23:59 +08:00" in notice


def test_work_on_time_shows_the_same_two_times():
    section = standing_section(7.0, 10.0, Standing(late=POLICY.cost(dt.datetime(2026, 11, 20, 20, 40, tzinfo=BEIJING))))
    assert 'id="late"' not in section
    assert "按时提交：提交于 2026-11-20 20:40 +08:00，截止 2026-11-20 23:59 +08:00" in section
    assert "on time: submitted 2026-11-20 20:40 +08:00, due 2026-11-20 23:59 +08:00" in section


def test_the_class_view_replaces_the_first_headline():
    page = f"<h1>x</h1>{STANDING_START}{standing_section(7.0, 10.0, Standing())}{STANDING_END}<table></table>"
    rewritten = with_standing(
        page, standing_section(7.0, 10.0, Standing({"why_clamp": 1.0}, {"why_clamp": Mark(1.0, "")}))
    )
    assert re.findall(r'id="total">([^<]*)<', rewritten) == ["8 / 11"]
