"""The grader parses each submission in a fork of itself; that fork inherited every descriptor the grader
held, its connections to the warm process and the workers among them (a review found it). A flaw in
parsing would then have let a notebook's bytes send the warm process a setup or a request of their own.
The reading fork now keeps only the pipe its result goes back through."""

from __future__ import annotations

import os

from autograder.forking import run_forked
from autograder.grading.intake import reading
from autograder.grading.intake.submissions import SubmissionError


def _descriptors() -> list[int]:
    return sorted(int(name) for name in os.listdir("/proc/self/fd"))


def test_a_fork_that_keeps_only_its_pipe_holds_nothing_else_of_its_parent():
    held_r, held_w = os.pipe()  # as the grader holds its connections to the workers
    try:
        kept = run_forked([lambda: {"fds": _descriptors()}], workers=1, only_its_pipe=True)[0].result["fds"]
        inherited = run_forked([lambda: {"fds": _descriptors()}], workers=1)[0].result["fds"]
    finally:
        os.close(held_r)
        os.close(held_w)
    assert held_r in inherited and held_w in inherited  # without it, a fork holds them
    assert held_r not in kept and held_w not in kept
    assert len([fd for fd in kept if fd > 2]) <= 2, kept  # its result's pipe, and the listing's own


def test_reading_a_submission_happens_in_a_fork_that_holds_none_of_the_graders_descriptors(monkeypatch):
    held_r, held_w = os.pipe()

    def load_notebook(*args, **kwargs):  # runs in the reading fork: report what it holds
        raise SubmissionError(" ".join(str(fd) for fd in _descriptors()))

    monkeypatch.setattr(reading, "load_notebook", load_notebook)
    try:
        read = reading.read_submission("a.ipynb", b"{}", assignment="kmeans", manual=[], graded=[])
    finally:
        os.close(held_r)
        os.close(held_w)
    held = [int(fd) for fd in read.problem.split()]
    assert held_r not in held and held_w not in held, held
