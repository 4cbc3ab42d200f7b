from otter.test_files import test_case

OK_FORMAT = False

name = "inertia"
points = 2

@test_case(points=0, hidden=False)
def test_inertia_small(inertia):
    import numpy as np
    from autograder.authoring.public import check_output
    from autograder.authoring.checks import gives
    from diagnoses import MESSAGES
    x = np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 4.0], [6.0, 2.0]])
    centroids = np.array([[1.0, 0.0], [5.0, 3.0]])
    labels = np.array([0, 0, 1, 1])
    check_output(inertia, x, centroids, labels, expected=6.0, diagnose=[gives(1.5, MESSAGES['mean']), gives(4.8284, MESSAGES['not_squared'])])

@test_case(points=0, hidden=False)
def test_inertia_uses_the_labels(inertia):
    import numpy as np
    from autograder.authoring.public import check_output
    from autograder.authoring.checks import gives
    from diagnoses import MESSAGES
    x = np.array([[0.0, 0.0], [3.0, 0.0]])
    centroids = np.array([[0.0, 0.0], [3.0, 0.0]])
    check_output(inertia, x, centroids, np.array([1, 1]), expected=9.0, diagnose=[gives(0.0, MESSAGES['nearest']), gives(4.5, MESSAGES['mean']), gives(3.0, MESSAGES['not_squared'])])

