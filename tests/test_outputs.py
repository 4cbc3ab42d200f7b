"""Names of the per-submission pages: safe on disk and never shared by two files."""

from __future__ import annotations

import os

import pytest

from autograder.grading.records.outputs import page_name


@pytest.mark.parametrize("file", ["correct.ipynb", "week-1_a.b.zip", "A9.ipynb"])
def test_a_safe_name_is_kept_as_it_is(file):
    assert page_name(file) == file


@pytest.mark.parametrize(
    "file, prefix",
    [
        ("neighbour correct.ipynb", "neighbour_correct.ipynb-"),
        ("class/a.ipynb", "class__a.ipynb-"),
        ("学生.ipynb", "__.ipynb-"),
        ('<script>"x".ipynb', "_script__x_.ipynb-"),
        (os.fsdecode(b"bad_\xff.ipynb"), "bad__.ipynb-"),
    ],
)
def test_an_unsafe_name_is_replaced_and_tagged_with_a_digest(file, prefix):
    name = page_name(file)
    assert name.startswith(prefix) and len(name) == len(prefix) + 8
    assert all(c.isascii() and (c.isalnum() or c in "-_.") for c in name)


def test_names_that_sanitise_alike_get_different_pages():
    files = ["neighbour correct.ipynb", "neighbour_correct.ipynb", "neighbour/correct.ipynb", "neighbour&correct.ipynb"]
    assert len({page_name(file) for file in files}) == len(files)
