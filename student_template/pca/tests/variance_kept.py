from otter.test_files import test_case

OK_FORMAT = False

name = "variance_kept"
points = 1

@test_case(points=0, hidden=False)
def test_variance_kept_small(variance_kept):
    import numpy as np
    from autograder.authoring.public import check_output
    from autograder.authoring.checks import gives
    from diagnoses import KEPT, MESSAGES
    variances = np.array([6.0, 3.0, 1.0, 0.0])
    check_output(variance_kept, variances, expected=np.array([0.6, 0.9, 1.0, 1.0]), diagnose=[*KEPT, gives([0.6, 0.3, 0.1, 0.0], MESSAGES['not_cumulative'])])

