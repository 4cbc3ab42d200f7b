"""Honest submissions to the Q-learning lesson, with their fair scores.

Each entry is a correct answer in one of several styles, or one typical mistake of the lesson in one
question; the other questions keep the course's answer. The q_learning cases run with the solution's
epsilon_greedy and q_update swapped in, so a mistake in either costs only its own question. Cases:
epsilon_greedy 6 (two greedy, two exploring, one of each at epsilon 0.5), q_update 3 (a move, the
goal, a bump), q_learning 3 (a small floor's table and returns, the course run's returns, a learnt
route of the fewest moves), greedy_path 3 (the course's table, an untrained one, a small floor).

Regenerate the demo set with::

    .venv/bin/python -m tests.corpus.q_learning_robot examples/submissions/q_learning_robot
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.corpus.blanks import Corpus, Submission, code

POINTS = {"epsilon_greedy": 2.0, "q_update": 3.0, "q_learning": 3.0, "greedy_path": 2.0}


def _scores(**given: float) -> dict[str, float]:
    return {**POINTS, **{question: float(score) for question, score in given.items()}}


COURSE_STYLE = {
    "epsilon_greedy": code("""
        def epsilon_greedy(q, state, epsilon, rng):
            if rng.random() < epsilon:
                return int(rng.integers(q.shape[1]))
            return int(np.argmax(q[state]))
    """),
    "q_update": code("""
        def q_update(q, state, action, reward, next_state, done, alpha, gamma):
            if done:
                target = reward
            else:
                target = reward + gamma * np.max(q[next_state])
            q[state, action] += alpha * (target - q[state, action])
    """),
    "q_learning": code("""
        def q_learning(grid, episodes, alpha, gamma, epsilon, seed, max_steps):
            rng = np.random.default_rng(seed)
            q = np.zeros((grid.size, len(ACTIONS)))
            returns = []
            for _ in range(episodes):
                state = start_state(grid)
                total = 0.0
                for _ in range(max_steps):
                    action = epsilon_greedy(q, state, epsilon, rng)
                    next_state, reward, done = step(grid, state, action)
                    q_update(q, state, action, reward, next_state, done, alpha, gamma)
                    total += reward
                    state = next_state
                    if done:
                        break
                returns.append(total)
            return q, returns
    """),
    "greedy_path": code("""
        def greedy_path(q, grid, max_steps):
            state = start_state(grid)
            path = [state]
            for _ in range(max_steps):
                state, _, done = step(grid, state, int(np.argmax(q[state])))
                path.append(state)
                if done:
                    break
            return path
    """),
}

LOOPS = {
    "epsilon_greedy": code("""
        def epsilon_greedy(q, state, epsilon, rng):
            explore = rng.random() < epsilon
            if explore:
                return int(rng.integers(0, len(q[state])))
            best = 0
            for action in range(1, len(q[state])):
                if q[state, action] > q[state, best]:  # strictly better: a tie keeps the smaller action
                    best = action
            return best
    """),
    "q_update": code("""
        def q_update(q, state, action, reward, next_state, done, alpha, gamma):
            best_next = max(q[next_state])
            target = reward + (0.0 if done else gamma * best_next)
            q[state][action] = (1 - alpha) * q[state][action] + alpha * target
    """),
    "q_learning": code("""
        def q_learning(grid, episodes, alpha, gamma, epsilon, seed, max_steps):
            rng = np.random.default_rng(seed)
            q = np.zeros((grid.shape[0] * grid.shape[1], 4))
            returns = []
            episode = 0
            while episode < episodes:
                state, total, steps, done = start_state(grid), 0.0, 0, False
                while not done and steps < max_steps:
                    action = epsilon_greedy(q, state, epsilon, rng)
                    next_state, reward, done = step(grid, state, action)
                    q_update(q, state, action, reward, next_state, done, alpha, gamma)
                    total, state, steps = total + reward, next_state, steps + 1
                returns.append(total)
                episode += 1
            return (q, returns)
    """),
    "greedy_path": code("""
        def greedy_path(q, grid, max_steps):
            path = [start_state(grid)]
            while len(path) <= max_steps:
                next_state, reward, done = step(grid, path[-1], q[path[-1]].argmax())
                path.append(next_state)
                if done:
                    break
            return path
    """),
}

ONE_LINERS = {
    "epsilon_greedy": code("""
        def epsilon_greedy(q, state, epsilon, rng):
            return int(rng.integers(q.shape[1])) if rng.random() < epsilon else int(q[state].argmax())
    """),
    "q_update": code("""
        def q_update(q, state, action, reward, next_state, done, alpha, gamma):
            q[state, action] += alpha * (reward + gamma * q[next_state].max() * (not done) - q[state, action])
    """),
}

CORRECT = [
    Submission("correct_course_style", "correct: the notebook's recipe, an if/else target"),
    Submission(
        "correct_loops",
        "correct: argmax by a loop with strict >, an explicit blend, while loops, a path bounded by its length",
        LOOPS,
    ),
    Submission(
        "correct_one_liners", "correct: a conditional expression, the target with (not done) as a factor", ONE_LINERS
    ),
]

MISTAKES = [
    Submission(
        "greedy_takes_argmin",
        "epsilon_greedy exploits with argmin: the action with the smallest Q-value",
        {
            "epsilon_greedy": code("""
            def epsilon_greedy(q, state, epsilon, rng):
                if rng.random() < epsilon:
                    return int(rng.integers(q.shape[1]))
                return int(np.argmin(q[state]))
        """)
        },
        _scores(epsilon_greedy=1.0),
    ),
    Submission(
        "explores_when_above_epsilon",
        "epsilon_greedy explores when rng.random() > epsilon: exploring and exploiting swapped",
        {
            "epsilon_greedy": code("""
            def epsilon_greedy(q, state, epsilon, rng):
                if rng.random() > epsilon:
                    return int(rng.integers(q.shape[1]))
                return int(np.argmax(q[state]))
        """)
        },
        _scores(epsilon_greedy=0.33333),
    ),
    Submission(
        "draws_the_action_first",
        "epsilon_greedy draws the random action before deciding, so the generator's numbers are used in another order",
        {
            "epsilon_greedy": code("""
            def epsilon_greedy(q, state, epsilon, rng):
                random_action = int(rng.integers(q.shape[1]))
                if rng.random() < epsilon:
                    return random_action
                return int(np.argmax(q[state]))
        """)
        },
        _scores(epsilon_greedy=1.0),
    ),
    Submission(
        "update_past_the_goal",
        "q_update bootstraps from the next state even when the move reached the goal",
        {
            "q_update": code("""
            def q_update(q, state, action, reward, next_state, done, alpha, gamma):
                target = reward + gamma * np.max(q[next_state])
                q[state, action] += alpha * (target - q[state, action])
        """)
        },
        _scores(q_update=2.0),
    ),
    Submission(
        "update_without_rate",
        "q_update sets the entry to the target, leaving out the learning rate",
        {
            "q_update": code("""
            def q_update(q, state, action, reward, next_state, done, alpha, gamma):
                q[state, action] = reward if done else reward + gamma * np.max(q[next_state])
        """)
        },
        _scores(q_update=0.0),
    ),
    Submission(
        "update_on_a_copy",
        "q_update copies the table and updates the copy, so the caller's table never changes",
        {
            "q_update": code("""
            def q_update(q, state, action, reward, next_state, done, alpha, gamma):
                q = q.copy()
                target = reward if done else reward + gamma * np.max(q[next_state])
                q[state, action] += alpha * (target - q[state, action])
                return q
        """)
        },
        _scores(q_update=0.0),
    ),
    Submission(
        "update_with_the_same_action",
        "q_update values the next state by the same action (q[next_state, action]) instead of the best one",
        {
            "q_update": code("""
            def q_update(q, state, action, reward, next_state, done, alpha, gamma):
                target = reward if done else reward + gamma * q[next_state, action]
                q[state, action] += alpha * (target - q[state, action])
        """)
        },
        _scores(q_update=1.0),
    ),
    Submission(
        "generator_every_episode",
        "q_learning makes np.random.default_rng(seed) again at the start of every episode",
        {
            "q_learning": code("""
            def q_learning(grid, episodes, alpha, gamma, epsilon, seed, max_steps):
                q = np.zeros((grid.size, len(ACTIONS)))
                returns = []
                for _ in range(episodes):
                    rng = np.random.default_rng(seed)
                    state = start_state(grid)
                    total = 0.0
                    for _ in range(max_steps):
                        action = epsilon_greedy(q, state, epsilon, rng)
                        next_state, reward, done = step(grid, state, action)
                        q_update(q, state, action, reward, next_state, done, alpha, gamma)
                        total += reward
                        state = next_state
                        if done:
                            break
                    returns.append(total)
                return q, returns
        """)
        },
        _scores(q_learning=1.0),
    ),
    Submission(
        "episode_goes_on_after_the_goal",
        "q_learning never leaves the episode at the goal: the robot drives on until max_steps",
        {
            "q_learning": code("""
            def q_learning(grid, episodes, alpha, gamma, epsilon, seed, max_steps):
                rng = np.random.default_rng(seed)
                q = np.zeros((grid.size, len(ACTIONS)))
                returns = []
                for _ in range(episodes):
                    state = start_state(grid)
                    total = 0.0
                    for _ in range(max_steps):
                        action = epsilon_greedy(q, state, epsilon, rng)
                        next_state, reward, done = step(grid, state, action)
                        q_update(q, state, action, reward, next_state, done, alpha, gamma)
                        total += reward
                        state = next_state
                    returns.append(total)
                return q, returns
        """)
        },
        _scores(q_learning=1.0),
        says="the episode goes on after the goal",
    ),
    Submission(
        "episode_starts_where_the_last_ended",
        "q_learning sets the start state once, before the first episode, so later episodes start at the goal",
        {
            "q_learning": code("""
            def q_learning(grid, episodes, alpha, gamma, epsilon, seed, max_steps):
                rng = np.random.default_rng(seed)
                q = np.zeros((grid.size, len(ACTIONS)))
                returns = []
                state = start_state(grid)
                for _ in range(episodes):
                    total = 0.0
                    for _ in range(max_steps):
                        action = epsilon_greedy(q, state, epsilon, rng)
                        next_state, reward, done = step(grid, state, action)
                        q_update(q, state, action, reward, next_state, done, alpha, gamma)
                        total += reward
                        state = next_state
                        if done:
                            break
                    returns.append(total)
                return q, returns
        """)
        },
        _scores(q_learning=0.0),
        says="an episode does not begin at the start",
    ),
    Submission(
        "path_without_the_start",
        "greedy_path lists the states after each move but not the start",
        {
            "greedy_path": code("""
            def greedy_path(q, grid, max_steps):
                state = start_state(grid)
                path = []
                for _ in range(max_steps):
                    state, _, done = step(grid, state, int(np.argmax(q[state])))
                    path.append(state)
                    if done:
                        break
                return path
        """)
        },
        _scores(greedy_path=0.0),
    ),
    Submission(
        "path_past_the_goal",
        "greedy_path does not stop at the goal and always makes max_steps moves",
        {
            "greedy_path": code("""
            def greedy_path(q, grid, max_steps):
                state = start_state(grid)
                path = [state]
                for _ in range(max_steps):
                    state, _, _ = step(grid, state, int(np.argmax(q[state])))
                    path.append(state)
                return path
        """)
        },
        _scores(greedy_path=0.66667),
    ),
]

DEMO_NAMES = (
    "correct_course_style",
    "correct_loops",
    "explores_when_above_epsilon",
    "update_past_the_goal",
    "generator_every_episode",
    "path_without_the_start",
)

CORPUS = Corpus("q_learning_robot", POINTS, COURSE_STYLE, CORRECT + MISTAKES, DEMO_NAMES)


def _main(arguments: list[str]) -> None:
    """Regenerate the bundled demo set: ``python -m tests.corpus.q_learning_robot FOLDER [TEMPLATE]``."""
    folder = Path(arguments[0]) if arguments else Path("examples/submissions/q_learning_robot")
    template = (
        Path(arguments[1]) if len(arguments) > 1 else Path("student_template/q_learning_robot/q_learning_robot.ipynb")
    )
    for path in CORPUS.write(folder, template, names=DEMO_NAMES):
        print(path)


if __name__ == "__main__":
    _main(sys.argv[1:])
