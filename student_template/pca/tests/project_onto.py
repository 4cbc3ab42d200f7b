from otter.test_files import test_case

OK_FORMAT = False

name = "project_onto"
points = 1.5

@test_case(points=0, hidden=False)
def test_project_onto_small(project_onto):
    import numpy as np
    from autograder.authoring.public import check_output
    from autograder.authoring.checks import gives
    from diagnoses import MESSAGES
    x = np.array([[2.0, 0.0, 1.0], [4.0, 2.0, 1.0], [6.0, 1.0, 4.0]])
    mean = np.array([3.0, 1.0, 2.0])
    directions = np.array([[0.6, 0.8, 0.0], [0.0, 0.0, 1.0]])
    check_output(project_onto, x, mean, directions, expected=np.array([[-1.4, -1.0], [1.4, -1.0], [1.8, 2.0]]), diagnose=[gives([[1.2, 1.0], [4.0, 1.0], [4.4, 4.0]], MESSAGES['project_not_centred'])])

