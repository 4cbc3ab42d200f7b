from otter.test_files import test_case

OK_FORMAT = False

name = "principal_directions"
points = 3

@test_case(points=0, hidden=False)
def test_principal_directions_small(principal_directions):
    import numpy as np
    from autograder.authoring.public import check_output
    from diagnoses import DIRECTIONS
    cov = np.array([[4.0, 2.0, 0.0], [2.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
    expected = (np.array([5.66908, 2.47602]), np.array([[0.75632, 0.63118, 0.17203], [-0.4913, 0.37436, 0.78644]]))
    check_output(principal_directions, cov, 2, expected=expected, atol=0.0001, up_to_sign=True, diagnose=DIRECTIONS)

