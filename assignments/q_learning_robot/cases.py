"""Hidden cases of the Q-learning lesson: NumPy arrays in and out, declared one per line.

``q_learning`` runs with the solution's ``epsilon_greedy`` and ``q_update`` swapped in, so a mistake
in either costs only its own question. Its cases compare a seeded run's table and returns with the
solution's, and ask that the route the learnt table gives reach the goal in the fewest moves. The
diagnoses here compute what a mistake gives, on any input; they stay out of the students' folder
(``diagnoses.py`` has the same words).
"""

import gridworld
import numpy as np
from diagnoses import MESSAGES

from autograder.authoring import Cases, Equivalent, GridPath, LossCurve, built, checks, data, drawn, normal, say

cases = Cases(torch=False)
LOOP_PARTS = ("epsilon_greedy", "q_update")
# S . # .
# . . # G
# . . . .
SMALL_FLOOR = np.array([[2, 0, 1, 0], [0, 0, 1, 3], [0, 0, 0, 0]])
COURSE_SHORTEST = 12  # moves from the dock to the pick-up point on data/warehouse's floor


def _generator(seed):
    """A fresh ``np.random.default_rng(seed)`` for each call, made when probing."""
    return built(lambda seed=seed: np.random.default_rng(seed))


# epsilon_greedy -------------------------------------------------------------------------------------


def choice_mistakes(student, reference, inputs):
    """The worst action when exploiting, exploring and exploiting swapped, or the numbers drawn in another order."""
    action, expected = checks.numbers_of(student), checks.numbers_of(reference)
    if action is None or expected is None or action.size != 1 or float(action.ravel()[0]) == float(expected.ravel()[0]):
        return None
    row = np.asarray(inputs["a0"], dtype=np.float64)[int(inputs["a1"])]
    action, epsilon = float(action.ravel()[0]), float(inputs["a2"])
    if epsilon == 0.0:
        return MESSAGES["argmin"] if action == float(np.argmin(row)) else MESSAGES["explore_flipped"]
    if epsilon == 1.0:
        return MESSAGES["explore_flipped"] if action == float(np.argmax(row)) else MESSAGES["draw_order"]
    return None


# q_update -------------------------------------------------------------------------------------------


def update_mistakes(student, reference, inputs):
    """The usual wrong targets: bootstrapping past the goal, no learning rate, the same action next."""
    after = checks.numbers_of(student)
    q = np.asarray(inputs["a0"], dtype=np.float64)
    if after is None or after.shape != q.shape:
        return None
    state, action, reward, next_state, done, alpha, gamma = (inputs[f"a{index}"] for index in range(1, 8))
    state, action, next_state = int(state), int(action), int(next_state)
    bootstrapped = float(reward) + float(gamma) * q[next_state].max()
    target = float(reward) if bool(done) else bootstrapped
    wrong = {
        "terminal": q[state, action] + float(alpha) * (bootstrapped - q[state, action]),
        "no_rate": target,
        "same_action": q[state, action]
        + float(alpha) * (float(reward) + float(gamma) * q[next_state, action] - q[state, action])
        if not bool(done)
        else np.nan,
    }
    right = q[state, action] + float(alpha) * (target - q[state, action])
    for mistake, value in wrong.items():
        if np.isclose(after[state, action], value, rtol=1e-6) and not np.isclose(value, right, rtol=1e-6):
            return MESSAGES[mistake]
    return None


# q_learning -----------------------------------------------------------------------------------------


def same_every_episode(student, reference, inputs):
    """Returns that repeat one value while the solution's vary: a generator made again each episode."""
    returns = checks.numbers_of(student.items[1]) if student.kind == "list" and len(student.items) == 2 else None
    if returns is None:
        returns = checks.numbers_of(student)
    expected = checks.numbers_of(reference)
    if returns is None or returns.ndim != 1 or returns.size < 3 or expected is None:
        return None
    if np.all(returns[1:] == returns[:-1]) and not np.all(expected[1:] == expected[:-1]):
        return MESSAGES["rng_each_episode"]
    return None


def _reference_run(grid, episodes, alpha, gamma, epsilon, seed, max_steps, *, stop_at_goal, restart):
    """The table and returns of the course's loop, or of one that drives on past the goal or never goes
    back to the start. It runs where the diagnoses do, in the grader, so gridworld is imported with this file."""
    start_state, step = gridworld.start_state, gridworld.step
    rng = np.random.default_rng(seed)
    q = np.zeros((np.size(grid), 4))
    returns, state = [], start_state(grid)
    for _ in range(episodes):
        state, total = start_state(grid) if restart else state, 0.0
        for _ in range(max_steps):
            action = int(rng.integers(4)) if rng.random() < epsilon else int(np.argmax(q[state]))
            next_state, reward, done = step(grid, state, action)
            target = reward if done else reward + gamma * np.max(q[next_state])
            q[state, action] += alpha * (target - q[state, action])
            total, state = total + reward, next_state
            if done and stop_at_goal:
                break
        returns.append(total)
    return q, np.array(returns)


def loop_mistakes(student, reference, inputs):
    """A table or returns of a loop that drives on past the goal, or that starts each episode where the last ended."""
    observed = checks.numbers_of(student)
    if observed is None and student.kind == "list" and len(student.items) == 2:
        observed = checks.numbers_of(student.items[1])
    if observed is None:
        return None
    grid, *settings = (inputs[f"a{index}"] for index in range(7))
    episodes, seed, max_steps = (int(settings[index]) for index in (0, 4, 5))
    alpha, gamma, epsilon = (float(settings[index]) for index in (1, 2, 3))
    for mistake, stop_at_goal, restart in (("no_break", False, True), ("start_once", True, False)):
        run = _reference_run(
            np.asarray(grid), episodes, alpha, gamma, epsilon, seed, max_steps, stop_at_goal=stop_at_goal,
            restart=restart,
        )
        if any(wrong.shape == observed.shape and np.allclose(observed, wrong) for wrong in run):
            return MESSAGES[mistake]
    return None


def greedy_moves(returned, grid, *settings):
    """Moves the learnt table's greedy route takes from the start to the goal (1000 when it never arrives)."""
    from gridworld import start_state, step

    table = np.asarray(returned[0] if isinstance(returned, (tuple, list)) else returned, dtype=np.float64)
    if table.shape != (np.size(grid), 4):
        return 1000
    state = start_state(grid)
    for moves in range(1, 101):
        state, _, done = step(grid, state, int(np.argmax(table[state])))
        if done:
            return moves
    return 1000


CHOICE = (choice_mistakes,)
ROUTE_MOVES = say("学到的贪心路线走到取货点的步数", "the moves the learnt greedy route takes to the pick-up point")


# greedy_path ----------------------------------------------------------------------------------------


def path_mistakes(student, reference, inputs):
    """A path without its start, or one that runs on past the goal."""
    path, expected = checks.numbers_of(student), checks.numbers_of(reference)
    if path is None or expected is None or path.ndim != 1:
        return None
    if path.size == expected.size - 1 and np.array_equal(path, expected[1:]):
        return MESSAGES["no_start"]
    if path.size > expected.size and np.array_equal(path[: expected.size], expected):
        return MESSAGES["no_stop"]
    return None


def _small_floor_route(context):
    """A table whose greedy route on SMALL_FLOOR goes down, right, down... and reaches G in 6 moves."""
    table = context.rng.normal(0, 0.1, (SMALL_FLOOR.size, 4))
    for state, action in ((0, 2), (4, 1), (5, 2), (9, 1), (10, 1), (11, 0)):
        table[state, action] = 1.0
    return table


CASES = [
    cases.output("epsilon_greedy", "exploit", normal(0, 1, (12, 4)), 7, 0.0, _generator(1), diagnose=CHOICE),
    cases.output(
        "epsilon_greedy",
        "exploit_ties",
        np.array([[0.5, 2.0, 2.0, -1.0], [1.0, 1.0, 0.0, 0.0]]),
        0,
        0.0,
        _generator(3),
        diagnose=CHOICE,
    ),
    cases.output("epsilon_greedy", "explore", normal(0, 1, (12, 4)), 2, 1.0, _generator(2), diagnose=CHOICE),
    cases.output("epsilon_greedy", "five_actions", normal(0, 1, (6, 5)), 4, 1.0, _generator(9), diagnose=CHOICE),
    # rng.random() is 0.26 for seed 2 and 0.51 for seed 1: one explores, one exploits at epsilon = 0.5
    cases.output("epsilon_greedy", "half_explores", normal(0, 1, (12, 4)), 5, 0.5, _generator(2)),
    cases.output("epsilon_greedy", "half_exploits", normal(0, 1, (12, 4)), 5, 0.5, _generator(1)),
    cases.inplace(
        "q_update",
        "one_move",
        normal(0, 1, (9, 4)),
        2,
        1,
        -1.0,
        5,
        False,
        0.5,
        0.9,
        updates={0: "q"},
        diagnose=[update_mistakes],
    ),
    cases.inplace(
        "q_update",
        "reaches_goal",
        normal(0, 1, (9, 4)),
        4,
        2,
        20.0,
        8,
        True,
        0.3,
        0.95,
        updates={0: "q"},
        diagnose=[update_mistakes],
    ),
    cases.inplace(
        "q_update",
        "bumps",
        normal(0, 1, (9, 4)),
        3,
        0,
        -5.0,
        3,
        False,
        0.1,
        0.99,
        updates={0: "q"},
        diagnose=[update_mistakes],
    ),
    cases.output(
        "q_learning",
        "small_floor",
        SMALL_FLOOR,
        25,
        0.5,
        0.9,
        0.2,
        3,
        30,
        returns=("q", "returns"),
        diagnose=[same_every_episode, loop_mistakes],
        swap_in=LOOP_PARTS,
    ),
    # The notebook's settings: the seeded run's returns, episode by episode.
    cases.output(
        "q_learning",
        "course_returns",
        data("grid"),
        60,
        0.5,
        0.95,
        0.1,
        0,
        100,
        returns=(None, "returns"),
        diagnose=[same_every_episode, loop_mistakes],
        swap_in=LOOP_PARTS,
    ),
    # Another seed: the route the learnt table gives must be a shortest one.
    cases.threshold(
        "q_learning",
        "learns_the_route",
        data("grid"),
        200,
        0.5,
        0.95,
        0.1,
        5,
        100,
        below=COURSE_SHORTEST + 1,
        measure=greedy_moves,
        label=ROUTE_MOVES,
        swap_in=LOOP_PARTS,
    ),
    cases.output("greedy_path", "course_table", data("q"), data("grid"), 50, diagnose=[path_mistakes]),
    cases.output("greedy_path", "untrained_table", normal(0, 1, (48, 4)), data("grid"), 20, diagnose=[path_mistakes]),
    cases.output("greedy_path", "small_floor", drawn(_small_floor_route), SMALL_FLOOR, 10, diagnose=[path_mistakes]),
]

# The feedback page: the returns of the student's run and the route its table gives, beside the solution's.
CHARTS = [
    LossCurve("returns", loss="回报 · return", step="回合 · episode", title="每回合的回报 · Return per episode"),
    GridPath("grid", "path", title="学到的路线 · The learnt route"),
]

# Changes `autograder validate` makes that are still correct answers, with the reason.
EQUIVALENT_MUTANTS = [
    Equivalent(
        "rng.random() equals epsilon with probability zero, so < and <= choose alike",
        function="epsilon_greedy",
        operator="comparison",
        before=r"^rng\.random\(\) < epsilon$",
        after=r"^rng\.random\(\) <= epsilon$",
    ),
    Equivalent(
        "a NumPy integer is an action as good as an int: it is compared as a number",
        operator="unwrap call",
        before=r"^int\((rng\.integers|np\.argmax)\(",
    ),
    Equivalent(
        "the Q-table is (states, actions), so its last axis is axis 1",
        function="epsilon_greedy",
        operator="constant",
        before=r"^1$",
        after=r"^-1$",
    ),
    Equivalent(
        "-0.0 is 0.0: a table of negated zeros is a table of zeros",
        function="q_learning",
        operator="insert minus",
        before=r"^np\.zeros\(",
    ),
    Equivalent(
        "-True is -1, which is true, and -False is 0: `if -done` ends the episode when `if done` does",
        function="q_learning",
        operator="insert minus",
        before=r"^done$",
    ),
]
