from otter.test_files import test_case

OK_FORMAT = False

name = "covariance"
points = 2

@test_case(points=0, hidden=False)
def test_covariance_small(covariance):
    import numpy as np
    from autograder.authoring.public import check_output
    from autograder.authoring.checks import gives
    from diagnoses import COVARIANCE, MESSAGES
    parts = {'center_data': lambda x: (x - np.average(x, axis=0), np.average(x, axis=0))}
    x = np.array([[2.0, 0.0, 1.0], [4.0, 2.0, 1.0], [6.0, 1.0, 4.0], [0.0, 1.0, 2.0]])
    expected = np.array([[20.0, 2.0, 6.0], [2.0, 2.0, 0.0], [6.0, 0.0, 6.0]]) / 3
    by_n = np.array([[5.0, 0.5, 1.5], [0.5, 0.5, 0.0], [1.5, 0.0, 1.5]])
    not_centred = np.array([[56.0, 14.0, 30.0], [14.0, 6.0, 8.0], [30.0, 8.0, 22.0]]) / 3
    check_output(covariance, x, expected=expected, using=parts, diagnose=[*COVARIANCE, gives(by_n, MESSAGES['divide_by_n']), gives(not_centred, MESSAGES['not_centred'])])

