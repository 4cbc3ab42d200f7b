"""Feedback charts speak the assignment's own words: a curve's quantity and its steps."""

from __future__ import annotations

from autograder.authoring import LossCurve
from autograder.grading.pages.chart_drawing import draw


def test_a_loss_curve_labels_its_steps_as_the_assignment_says():
    history = {"history": [9.0, 4.0, 3.5]}
    default = draw(LossCurve("history", loss="inertia"), history, history, ident="c")
    named = draw(LossCurve("history", loss="inertia", step="迭代 · iteration"), history, history, ident="c")
    assert "轮次 · epoch" in default.svg and "迭代 · iteration" not in default.svg
    assert "迭代 · iteration" in named.svg and "轮次 · epoch" not in named.svg
