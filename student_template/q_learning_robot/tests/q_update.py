from otter.test_files import test_case

OK_FORMAT = False

name = "q_update"
points = 3

@test_case(points=0, hidden=False)
def test_q_update_one_step(q_update):
    import numpy as np
    from autograder.authoring.checks import gives
    from autograder.authoring.public import check_inplace
    from diagnoses import MESSAGES
    q = np.array([[0.0, 1.0, 0.0, 0.0], [2.0, 4.0, -1.0, 0.5], [0.0, 0.0, 0.0, 0.0]])
    after = q.copy()
    after[0, 0] = 0.0 + 0.5 * (-1.0 + 0.9 * 4.0 - 0.0)
    rows = [[0.0, 0.0, 0.0, 0.0], [2.0, 4.0, -1.0, 0.5], [0.0, 0.0, 0.0, 0.0]]
    check_inplace(q_update, q, 0, 0, -1.0, 1, False, 0.5, 0.9, expected=[after], updates=(0,), diagnose=[gives([[0.4, 1.0, 0.0, 0.0]] + rows[1:], MESSAGES['same_action']), gives([[2.6, 1.0, 0.0, 0.0]] + rows[1:], MESSAGES['no_rate'])])

@test_case(points=0, hidden=False)
def test_q_update_at_the_goal(q_update):
    import numpy as np
    from autograder.authoring.checks import gives
    from autograder.authoring.public import check_inplace
    from diagnoses import MESSAGES
    q = np.array([[0.0, 2.0, 0.0, 0.0], [5.0, 10.0, 0.0, 0.0]])
    after = q.copy()
    after[0, 1] = 2.0 + 0.5 * (20.0 - 2.0)
    check_inplace(q_update, q, 0, 1, 20.0, 1, True, 0.5, 0.9, expected=[after], updates=(0,), diagnose=[gives([[0.0, 15.5, 0.0, 0.0], [5.0, 10.0, 0.0, 0.0]], MESSAGES['terminal']), gives([[0.0, 20.0, 0.0, 0.0], [5.0, 10.0, 0.0, 0.0]], MESSAGES['no_rate'])])

