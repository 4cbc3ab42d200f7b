from otter.test_files import test_case

OK_FORMAT = False

name = "epsilon_greedy"
points = 2

@test_case(points=0, hidden=False)
def test_epsilon_greedy_exploits(epsilon_greedy):
    import numpy as np
    from autograder.authoring.checks import gives
    from autograder.authoring.public import check_output
    from diagnoses import MESSAGES
    q = np.array([[0.0, 2.0, -1.0, 0.5], [3.0, -4.0, 1.0, 0.0]])
    check_output(epsilon_greedy, q, 1, 0.0, np.random.default_rng(0), expected=0, diagnose=[gives(1, MESSAGES['argmin']), gives(3, MESSAGES['explore_flipped'])])

@test_case(points=0, hidden=False)
def test_epsilon_greedy_one_seed_one_sequence(epsilon_greedy):
    import numpy as np
    from autograder.authoring.language import halves
    from autograder.authoring.public import check_that
    from diagnoses import MESSAGES
    q = np.array([[0.0, 2.0, -1.0, 0.5]])
    rng = np.random.default_rng(0)
    actions = [epsilon_greedy(q, 0, 0.5, rng) for _ in range(12)]
    expected = [1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 3]
    flipped = [2, 1, 1, 1, 2, 2, 2, 3, 1, 2, 0, 1]
    zh, en = halves(MESSAGES['explore_flipped'] if actions == flipped else MESSAGES['draw_order'])
    check_that(actions == expected, f'{zh}（得到 {actions}，应为 {expected}）', f'{en} (got {actions}, expected {expected})')

