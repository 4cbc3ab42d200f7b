from otter.test_files import test_case

OK_FORMAT = False

name = "greedy_path"
points = 2

@test_case(points=0, hidden=False)
def test_greedy_path_reaches_the_goal(greedy_path):
    import numpy as np
    from autograder.authoring.checks import gives
    from autograder.authoring.public import check_output
    from diagnoses import MESSAGES
    tiny = np.array([[2, 0, 0], [0, 1, 3]])
    q = np.zeros((6, 4))
    q[0, 1] = q[1, 1] = q[2, 2] = 1.0
    check_output(greedy_path, q, tiny, 10, expected=[0, 1, 2, 5], diagnose=[gives([1, 2, 5], MESSAGES['no_start'])])

@test_case(points=0, hidden=False)
def test_greedy_path_stops_after_max_steps(greedy_path):
    import numpy as np
    from autograder.authoring.checks import gives
    from autograder.authoring.public import check_output
    from diagnoses import MESSAGES
    tiny = np.array([[2, 0, 0], [0, 1, 3]])
    q = np.zeros((6, 4))
    q[0, 0] = 1.0
    check_output(greedy_path, q, tiny, 4, expected=[0, 0, 0, 0, 0], diagnose=[gives([0, 0, 0, 0], MESSAGES['no_start'])])

