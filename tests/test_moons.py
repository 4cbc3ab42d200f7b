"""The moons data set (data/moons/, the nn_module lesson's): two classes no line separates, split apart."""

from __future__ import annotations

import numpy as np

from tests.conftest import PROJECT

FOLDER = PROJECT / "data" / "moons"


def _read(path) -> tuple[np.ndarray, np.ndarray]:
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :2], data[:, 2].astype(int)


def test_a_split_of_two_balanced_classes_with_no_point_in_both():
    (x_train, y_train), (x_test, y_test) = _read(FOLDER / "moons_train.csv"), _read(FOLDER / "moons_test.csv")
    assert len(y_train) == 200 and len(y_test) == 100
    assert set(y_train) == set(y_test) == {0, 1}
    assert np.bincount(np.concatenate([y_train, y_test])).tolist() == [150, 150]
    assert not {tuple(row) for row in x_train} & {tuple(row) for row in x_test}


def test_the_best_least_squares_line_misclassifies_many_points():
    # Not a proof that no line separates the moons, but the line a linear model finds leaves
    # well over a tenth of the points on the wrong side (the network gets nearly all right).
    x, y = _read(FOLDER / "moons_train.csv")
    design = np.column_stack([x, np.ones(len(x))])
    weights, *_ = np.linalg.lstsq(design, 2.0 * y - 1.0, rcond=None)
    accuracy = np.mean((design @ weights >= 0) == (y == 1))
    assert 0.5 < accuracy < 0.9
