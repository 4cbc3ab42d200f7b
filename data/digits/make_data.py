"""The images of the course's digits lessons: scikit-learn's 8x8 handwritten digits, written as text.

``digits.csv`` holds one image a line, ``label,p0,...,p63``: the digit, then its 64 pixels row by
row, each an integer from 0 (white) to 16 (black). These are the 1,797 images bundled inside
scikit-learn (``sklearn.datasets.load_digits``, from the UCI optical digits set), so nothing is
downloaded; a lesson's notebook splits them into training and held-out images with a fixed seed.
A text file keeps the notebooks free of scikit-learn and the file the same on every run.

``autograder make-data digits`` (and release, when the file is missing) calls ``make_data``; the
datasheet is README.md beside this file.
"""
from __future__ import annotations

from pathlib import Path


def make_data(folder: Path) -> list[Path]:
    """Write ``digits.csv`` into ``folder``; return its path."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    header = "label," + ",".join(f"p{index}" for index in range(64)) + "\n"
    rows = "".join(f"{label}," + ",".join(str(int(value)) for value in pixels) + "\n" for label, pixels in zip(digits.target, digits.data))
    path = Path(folder) / "digits.csv"
    path.write_text(header + rows, encoding="utf-8")
    return [path]
