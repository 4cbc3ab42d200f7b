"""The late policy is a named part of an assignment's settings, checked where it is read."""

import pytest

from autograder.assignment import AssignmentConfig, AssignmentConfigError


def test_the_late_block_is_read_into_its_own_field(tmp_path):
    config_file = tmp_path / "assignment.yml"
    config_file.write_text(
        "title: Quiz\nlate: {due: 2026-12-01T23:59:00+08:00, penalty: 0.1, per: day}\ncanvas_id: 4411\n",
        encoding="utf-8",
    )
    config = AssignmentConfig.read(config_file)
    assert config.late == {"due": config.late["due"], "penalty": 0.1, "per": "day"}
    assert str(config.late["due"]).startswith("2026-12-01 23:59:00")
    assert "late" not in config.extra and config.extra == {"canvas_id": 4411}


def test_no_late_block_means_no_policy(tmp_path):
    config_file = tmp_path / "assignment.yml"
    config_file.write_text("title: Quiz\n", encoding="utf-8")
    assert AssignmentConfig.read(config_file).late == {}


def test_a_late_block_that_is_not_settings_names_the_file_and_the_form(tmp_path):
    config_file = tmp_path / "assignment.yml"
    config_file.write_text("late: 2026-12-01\n", encoding="utf-8")
    with pytest.raises(AssignmentConfigError, match=r"assignment\.yml: late takes `key: value` lines under it .*due:"):
        AssignmentConfig.read(config_file)
