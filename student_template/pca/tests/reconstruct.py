from otter.test_files import test_case

OK_FORMAT = False

name = "reconstruct"
points = 1.5

@test_case(points=0, hidden=False)
def test_reconstruct_small(reconstruct):
    import numpy as np
    from autograder.authoring.public import check_output
    from autograder.authoring.checks import gives
    from diagnoses import MESSAGES
    z = np.array([[-1.4, -1.0], [2.2, -1.0]])
    mean = np.array([3.0, 1.0, 2.0])
    directions = np.array([[0.6, 0.8, 0.0], [0.0, 0.0, 1.0]])
    check_output(reconstruct, z, mean, directions, expected=np.array([[2.16, -0.12, 1.0], [4.32, 2.76, 1.0]]), diagnose=[gives([[-0.84, -1.12, -1.0], [1.32, 1.76, -1.0]], MESSAGES['reconstruct_no_mean'])])

