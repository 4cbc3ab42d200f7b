from otter.test_files import test_case

OK_FORMAT = False

name = "q_learning"
points = 3

@test_case(points=0, hidden=False)
def test_q_learning_loop(q_learning):
    import numpy as np
    from autograder.authoring.checks import gives, numbers_of
    from autograder.authoring.public import check_output
    from diagnoses import MESSAGES

    def random_move(q, state, epsilon, rng):
        return int(rng.integers(4))

    def add_reward(q, state, action, reward, next_state, done, alpha, gamma):
        q[state, action] += reward

    def same_every_episode(student, reference, inputs):
        returns = numbers_of(student.items[1]) if student.kind == 'list' and len(student.items) == 2 else None
        if returns is not None and returns.ndim == 1 and (returns.size > 1) and np.all(returns == returns[0]):
            return MESSAGES['rng_each_episode']
        return None
    tiny = np.array([[2, 0, 0], [0, 1, 3]])
    table = [[0.0, -1.0, -4.0, -5.0], [0.0, -1.0, -5.0, 0.0], [0.0, -5.0, 20.0, 0.0], [-3.0, -5.0, -5.0, -30.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
    past_goal = [[0.0, -2.0, -3.0, 0.0], [0.0, -1.0, -5.0, 0.0], [0.0, -5.0, 20.0, 0.0], [-3.0, -5.0, -5.0, -35.0], [0.0, 0.0, 0.0, 0.0], [-1.0, 0.0, -5.0, -5.0]]
    start_once = [[0.0, -1.0, -1.0, 0.0], [0.0, -1.0, -5.0, 0.0], [0.0, -5.0, 40.0, 0.0], [-1.0, 0.0, -5.0, -25.0], [0.0, 0.0, 0.0, 0.0], [-1.0, 0.0, -5.0, -5.0]]
    check_output(q_learning, tiny, 3, 0.5, 0.9, 0.3, 4, 8, expected=(np.array(table), [-32.0, 8.0, -20.0]), using={'epsilon_greedy': random_move, 'q_update': add_reward}, diagnose=[same_every_episode, gives((np.array(past_goal), [-32.0, -3.0, -20.0]), MESSAGES['no_break']), gives((np.array(start_once), [-32.0, 8.0, 9.0]), MESSAGES['start_once'])])

