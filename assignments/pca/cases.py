"""Hidden cases of the PCA lesson: NumPy arrays in and out, declared one per line.

Each question is graded on its own: covariance runs with the solution's center_data swapped in, and
project_onto, reconstruct and variance_kept take their directions, means and variances as arguments, so
a mistake upstream never costs them points. A direction is right with either sign (``up_to_sign``).
No case's inputs hold another case's answer: principal_directions gets the covariance of one digit's
images, not of the whole data set the covariance cases use.
"""

import numpy as np
from diagnoses import CENTER, COVARIANCE, DIRECTIONS, KEPT, MESSAGES, x_changed

from autograder.authoring import Cases, Equivalent, LossCurve, Scatter, checks, data, drawn, normal, uniform

cases = Cases(torch=False)
ISOLATION = ("center_data",)


# Diagnoses that compute what a mistake gives, on any input. They stay here, out of the students'
# folder (diagnoses.py has the same words), since computing a mistake shows the answer beside it.


def _matches(student, wrong, reference) -> bool:
    value, expected = checks.numbers_of(student), checks.numbers_of(reference)
    if value is None or expected is None or value.shape != np.shape(wrong):
        return False
    return bool(np.allclose(value, wrong, rtol=1e-4, atol=1e-6)) and not np.allclose(
        wrong, expected, rtol=1e-4, atol=1e-6
    )


def covariance_mistakes(student, reference, inputs):
    x = np.asarray(inputs["a0"], dtype=np.float64)
    centred = x - x.mean(axis=0)
    wrong = {"divide_by_n": centred.T @ centred / len(x), "not_centred": x.T @ x / (len(x) - 1)}
    return next((MESSAGES[name] for name, value in wrong.items() if _matches(student, value, reference)), None)


def project_not_centred(student, reference, inputs):
    wrong = np.asarray(inputs["a0"], dtype=np.float64) @ np.asarray(inputs["a2"], dtype=np.float64).T
    return MESSAGES["project_not_centred"] if _matches(student, wrong, reference) else None


def reconstruct_without_mean(student, reference, inputs):
    wrong = np.asarray(inputs["a0"], dtype=np.float64) @ np.asarray(inputs["a2"], dtype=np.float64)
    return MESSAGES["reconstruct_no_mean"] if _matches(student, wrong, reference) else None


def kept_not_cumulative(student, reference, inputs):
    variances = np.asarray(inputs["a0"], dtype=np.float64)
    for wrong in (variances / variances.sum(), 100 * variances / variances.sum()):
        if _matches(student, wrong, reference):
            return MESSAGES["not_cumulative"]
    return None


# Inputs drawn at release --------------------------------------------------------------------------


def _orthonormal(rows, columns):
    """``rows`` orthonormal directions in ``columns`` dimensions, one per row."""
    return drawn(lambda context: np.linalg.qr(context.rng.normal(size=(columns, rows)))[0].T)


def _digit_covariance(digit):
    """The covariance of one digit's images: the course's kind of matrix, not the whole set's."""

    def make(context):
        images = np.asarray(context.namespace["x"], dtype=np.float64)[np.asarray(context.namespace["y"]) == digit]
        return np.cov(images, rowvar=False)

    return drawn(make)


def _stretched_covariance(rows, scales):
    """The covariance of points stretched along random axes by ``scales``: distinct, well-separated variances."""

    def make(context):
        axes = np.linalg.qr(context.rng.normal(size=(len(scales), len(scales))))[0]
        points = context.rng.normal(size=(rows, len(scales))) * np.asarray(scales) @ axes
        return np.cov(points, rowvar=False)

    return drawn(make)


def _descending(size, zeros=0):
    """Variances largest first, the last ``zeros`` of them 0 (constant pixels)."""
    return drawn(lambda context: np.concatenate([np.sort(context.rng.exponential(2.0, size))[::-1], np.zeros(zeros)]))


def _first_images(count):
    """The first ``count`` course images: every case's results come back from the sandbox in one
    capped message, and the whole set centred would fill it alone."""
    return drawn(lambda context: np.asarray(context.namespace["x"], dtype=np.float64)[:count])


def _some_mean(columns):
    return drawn(lambda context: context.rng.uniform(0, 1, columns))


DIRECTIONS_CASE = {"returns": ("variances", "directions"), "up_to_sign": ("directions",), "diagnose": DIRECTIONS}

CASES = [
    cases.output("center_data", "course_digits", _first_images(120), diagnose=CENTER),
    cases.output("center_data", "offset_columns", normal(5, 3, (30, 4)), diagnose=CENTER),
    cases.output("center_data", "fewer_rows_than_columns", uniform(-2, 6, (5, 8)), diagnose=CENTER),
    # The caller's data stays as it was: x -= mean would centre the notebook's whole set of images.
    cases.inplace("center_data", "leaves_x_as_it_was", normal(5, 3, (12, 4)), updates={0: "x"}, diagnose=[x_changed]),
    cases.output(
        "covariance",
        "course_digits",
        _first_images(120),
        diagnose=[*COVARIANCE, covariance_mistakes],
        swap_in=ISOLATION,
    ),
    cases.output(
        "covariance",
        "offset_columns",
        normal(3, 2, (40, 5)),
        diagnose=[*COVARIANCE, covariance_mistakes],
        swap_in=ISOLATION,
    ),
    cases.output(
        "covariance", "few_rows", uniform(0, 4, (6, 3)), diagnose=[*COVARIANCE, covariance_mistakes], swap_in=ISOLATION
    ),
    cases.output("principal_directions", "digit_three", _digit_covariance(3), 8, **DIRECTIONS_CASE),
    cases.output(
        "principal_directions",
        "stretched",
        _stretched_covariance(200, (5.0, 3.0, 2.0, 1.0, 0.5, 0.2)),
        3,
        **DIRECTIONS_CASE,
    ),
    cases.output(
        "principal_directions", "every_direction", _stretched_covariance(50, (4.0, 2.0, 1.0, 0.3)), 4, **DIRECTIONS_CASE
    ),
    cases.output(
        "project_onto", "course_digits", data("x"), _some_mean(64), _orthonormal(3, 64), diagnose=[project_not_centred]
    ),
    cases.output(
        "project_onto",
        "small",
        normal(0, 1, (20, 5)),
        normal(2, 1, (5,)),
        _orthonormal(2, 5),
        diagnose=[project_not_centred],
    ),
    cases.output(
        "project_onto",
        "not_orthonormal",
        normal(1, 1, (9, 4)),
        normal(0, 1, (4,)),
        normal(0, 1, (3, 4)),
        diagnose=[project_not_centred],
    ),
    cases.output(
        "reconstruct",
        "ten_of_64",
        normal(0, 1, (20, 10)),
        _some_mean(64),
        _orthonormal(10, 64),
        diagnose=[reconstruct_without_mean],
    ),
    cases.output(
        "reconstruct",
        "small",
        normal(0, 1, (10, 2)),
        normal(2, 1, (5,)),
        _orthonormal(2, 5),
        diagnose=[reconstruct_without_mean],
    ),
    cases.output(
        "reconstruct",
        "every_direction",
        normal(0, 2, (6, 4)),
        uniform(0, 1, (4,)),
        _orthonormal(4, 4),
        diagnose=[reconstruct_without_mean],
    ),
    cases.output("variance_kept", "twelve", _descending(12), diagnose=[*KEPT, kept_not_cumulative]),
    cases.output("variance_kept", "constant_pixels", _descending(6, zeros=3), diagnose=[*KEPT, kept_not_cumulative]),
    cases.output("variance_kept", "one_component", np.array([2.5]), diagnose=[*KEPT, kept_not_cumulative]),
]

# The feedback page: the student's digits in two components, and the variance each k keeps.
CHARTS = [
    Scatter(
        points="z2", labels="y", axes=("component 1", "component 2"), title="两个主成分 · The digits in two components"
    ),
    LossCurve(
        "kept", loss="share of variance kept", step="成分个数 · components k", title="保留的方差 · Variance kept"
    ),
]

# Changes `autograder validate` makes that are still correct answers, with the reason.
EQUIVALENT_MUTANTS = [
    Equivalent(
        "a direction is right with either sign, and the cases take it so: fix_signs only makes plots alike",
        function="principal_directions",
        operator="unwrap call",
        before=r"^fix_signs\(",
    ),
    Equivalent(
        "a direction is right with either sign: -v is an eigenvector wherever v is",
        function="principal_directions",
        operator="insert minus",
        before=r"^vectors\[:, order\]\.T$",
    ),
    Equivalent(
        "-x has the covariance x has (the signs cancel in xcᵀ xc) and as many rows",
        function="covariance",
        operator="insert minus",
        before=r"^x$",
    ),
]
