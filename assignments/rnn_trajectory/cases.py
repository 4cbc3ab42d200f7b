"""Hidden cases of the flight-path lesson: windows, a GRU's output from fixed weights, one step, training.

train_step and train are graded with the solution's TrajectoryRNN (and train with its train_step)
swapped in, so a mistake in one question costs that question only. The training cases run a few
dozen small steps on one core: well under a second each, as is the notebook's own training, which
must beat repeating the last step on the held-out flight.
"""
from autograder.authoring import Cases, Curves, Equivalent, Scatter, built, data, drawn, model, normal
from autograder.authoring.language import say

cases = Cases(torch=True)
ISOLATION = ("TrajectoryRNN", "train_step")


def _sgd(network):
    import torch

    return torch.optim.SGD(network.parameters(), lr=0.1)


def _adam(network):
    import torch

    return torch.optim.Adam(network.parameters(), lr=0.01)


def _sgd_with_stale_gradients(network):
    """An optimiser over a network whose gradients still hold an earlier step's: train_step must zero them."""
    import torch

    for index, parameter in enumerate(network.parameters()):
        parameter.grad = torch.full_like(parameter, 0.5 * (-1) ** index)
    return torch.optim.SGD(network.parameters(), lr=0.1)


def _first_rows(name, rows):
    return drawn(lambda context: context.namespace[name][:rows])


def _share_of_baseline(returned, network, x, y, x_test, y_test, *rest):
    """The trained network's held-out mean squared error over the baseline's that repeats each window's
    last step, both measured here, not as reported: below 1, the network beats flying on as before."""
    import torch

    with torch.no_grad():
        error = torch.nn.functional.mse_loss(network(x_test), y_test)
        return float(error / torch.nn.functional.mse_loss(x_test[:, -1], y_test))


CASES = [
    cases.output("make_windows", "course_flight", data("states"), 8, points=0.5),
    cases.output("make_windows", "short_window", normal(0, 1, (12, 2)), 3, points=0.75),
    cases.output("make_windows", "one_feature_long_window", normal(0, 1, (9, 1)), 5, points=0.75),
    cases.module("TrajectoryRNN", "course_sizes", 3, 8, input=_first_rows("x_test", 20)),
    cases.module("TrajectoryRNN", "other_sizes", 2, 5, input=normal(0, 1, (6, 4, 2))),
    cases.module("TrajectoryRNN", "one_long_window", 1, 3, input=normal(0, 1, (1, 12, 1))),
    # One step of SGD from fixed weights: the weights after it, and the loss it returns.
    cases.training("train_step", "sgd_step", model("TrajectoryRNN", 3, 4), built(_sgd, 0), normal(0, 1, (6, 5, 3)),
                   normal(0, 1, (6, 3)), losses=None, updates={0: "model"}, swap_in=ISOLATION, points=0.5),
    cases.training("train_step", "stale_gradients", model("TrajectoryRNN", 2, 3), built(_sgd_with_stale_gradients, 0),
                   normal(0, 1, (5, 4, 2)), normal(0, 1, (5, 2)), losses=None, updates={0: "model"},
                   swap_in=ISOLATION, points=0.5),
    cases.output("train_step", "returned_loss", model("TrajectoryRNN", 3, 4), built(_adam, 0), normal(0, 1, (7, 6, 3)),
                 normal(0, 2, (7, 3)), swap_in=ISOLATION, points=0.5),
    cases.training("train_step", "adam_step", model("TrajectoryRNN", 3, 4), built(_adam, 0), normal(0, 1, (7, 6, 3)),
                   normal(0, 2, (7, 3)), losses=None, updates={0: "model"}, swap_in=ISOLATION, points=0.5),
    # Three epochs over 40 course windows in batches of 16, 16 and 8: both curves, step by step.
    cases.output("train", "course_curves", model("TrajectoryRNN", 3, 4), _first_rows("x_train", 40),
                 _first_rows("y_train", 40), _first_rows("x_test", 20), _first_rows("y_test", 20), 3, 0.05, 16,
                 swap_in=ISOLATION, rtol=1e-4, atol=1e-6),
    cases.output("train", "one_batch", model("TrajectoryRNN", 2, 3), normal(0, 1, (9, 4, 2)), normal(0, 1, (9, 2)),
                 normal(0, 1, (5, 4, 2)), normal(0, 1, (5, 2)), 2, 0.01, 64, swap_in=ISOLATION, rtol=1e-4, atol=1e-6),
    # The notebook's seeded training must beat repeating the last step clearly on the held-out flight.
    cases.threshold("train", "beats_repeating_the_last_step", model("TrajectoryRNN", 3, 16), data("x_train"),
                    data("y_train"), data("x_test"), data("y_test"), 12, 0.04, 64, below=0.7,
                    measure=_share_of_baseline,
                    label=say("留出集均方误差与“照上一步飞”基线误差之比",
                              "the held-out mean squared error as a share of repeating the last step's"),
                    swap_in=ISOLATION),
]

# The feedback page: both loss curves, and the path the trained model flies ahead against the true one.
CHARTS = [
    Curves({"training": "train_losses", "held out": "test_losses"}, loss="mean squared error (standardised)", log=True,
           title="训练与留出误差 · Training and held-out error"),
    Scatter("path_points", "path_labels", axes=("east (km)", "north (km)"),
            title="真实轨迹（0）与预测轨迹（1）· True (0) against predicted (1) path"),
]

# Changes `autograder validate` makes that are still correct answers, with the reason.
EQUIVALENT_MUTANTS = [
    # validate leaves a subscripted name alone, so these are the names inside len(...)
    Equivalent("len(-states) is len(states)", function="make_windows", operator="insert minus", after=r"^-states$"),
    Equivalent("len(-x) is len(x)", function="train", operator="insert minus", after=r"^-x$"),
    Equivalent("the mean squared error is symmetric in its two arguments", function="train_step",
               operator="swap arguments", before=r"^nn\.functional\.mse_loss\("),
    Equivalent("the mean squared error is symmetric in its two arguments", function="train",
               operator="swap arguments", before=r"^nn\.functional\.mse_loss\("),
    Equivalent("a 0-dim tensor in a list of losses reads as the number it holds, as the kit's loss curves do",
               function="train", operator="drop call", before=r"\.item\(\)$", statement=r"test_losses\.append"),
]
