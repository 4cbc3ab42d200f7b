"""Hidden cases of the nn_module lesson, declared one per line.

The two model questions are checked by their parameter shapes and by their
output with weights fixed at release. ``train`` and ``predict`` get a
``TwoLayerNet`` built from the solution's class (swapped in), so a mistake in
the class costs only the class's question.
"""
import numpy as np

from autograder.authoring import Cases, DecisionRegions, Equivalent, LossCurve, checks, data, integers, model, normal, say, uniform

cases = Cases(torch=True)
ISOLATION = ("TwoLayerNet",)


def _scores(net, x):
    """The network's class scores for the held-out check. The grader picks the largest: picking it
    here would put the predict question's answer in the sandbox, beside the student's code."""
    return net(x)


def _two_layers(weights, x, *, relu=True):
    """The solution's network in NumPy: weights in its order (hidden.weight, hidden.bias, output.weight, output.bias)."""
    w1, b1, w2, b2 = (np.asarray(w, dtype=np.float64) for w in weights)
    hidden = np.asarray(x, dtype=np.float64) @ w1.T + b1
    return (np.maximum(hidden, 0.0) if relu else hidden) @ w2.T + b2


def no_activation(student, reference, inputs):
    """The output of the same two linear layers with nothing in between."""
    weights = [inputs[f"forward.w{index}"] for index in range(4)]
    mine = checks.numbers_of(student)
    linear = _two_layers(weights, inputs["forward.x"], relu=False)
    if mine is not None and mine.shape == linear.shape and np.allclose(mine, linear, rtol=1e-4, atol=1e-5):
        return say("输出正好是两个线性层直接相连的结果：两层之间缺了 ReLU", "the output is exactly two linear layers in a row: the ReLU between them is missing")
    return None


def softmax_before_loss(student, reference, inputs):
    """A first loss equal to cross-entropy taken of softmax probabilities instead of logits."""
    curve = checks.numbers_of(student)
    if curve is None or curve.ndim != 1 or curve.size == 0:
        return None
    probabilities = _softmax(_two_layers([inputs[f"a0.{index}"] for index in range(4)], inputs["a1"]))
    labels = np.asarray(inputs["a2"], dtype=np.int64)
    twice = np.mean(np.log(np.exp(probabilities).sum(axis=1)) - probabilities[np.arange(len(labels)), labels])
    if np.isclose(curve[0], twice, rtol=1e-4, atol=1e-6):
        return say("第一个损失等于对 softmax 之后的概率再算交叉熵：nn.CrossEntropyLoss 要的是 logits，它自己会做 softmax", "the first loss is the cross-entropy of softmax probabilities: nn.CrossEntropyLoss takes the logits and applies the softmax itself")
    return None


def _softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


CASES = [
    cases.module("build_sequential", "course_sizes", 2, 16, 2, input=data("x_test"), diagnose=[no_activation]),
    cases.module("build_sequential", "other_sizes", 3, 5, 4, input=normal(0, 2, (9, 3)), diagnose=[no_activation]),
    cases.module("build_sequential", "negative_inputs", 4, 7, 3, input=uniform(-3, 1, (11, 4)), diagnose=[no_activation]),
    cases.module("TwoLayerNet", "course_sizes", 2, 16, 2, input=data("x_test"), diagnose=[no_activation]),
    cases.module("TwoLayerNet", "other_sizes", 3, 5, 4, input=normal(0, 2, (9, 3)), diagnose=[no_activation]),
    cases.module("TwoLayerNet", "negative_inputs", 4, 7, 3, input=uniform(-3, 1, (11, 4)), diagnose=[no_activation]),
    cases.training("train", "course_curve", model("TwoLayerNet", 2, 16, 2), data("x_train"), data("y_train"), 20, 1.0,
                   updates={0: "model"}, diagnose=[softmax_before_loss], swap_in=ISOLATION),
    cases.training("train", "three_classes", model("TwoLayerNet", 3, 6, 3), normal(0, 1, (40, 3)), integers(0, 3, (40,)), 25, 0.3,
                   updates={0: "model"}, diagnose=[softmax_before_loss], swap_in=ISOLATION),
    cases.accuracy("train", "held_out", model("TwoLayerNet", 2, 16, 2), data("x_train"), data("y_train"), 300, 1.0,
                   predict=_scores, held_out=(data("x_test"), data("y_test")), swap_in=ISOLATION),
    cases.output("predict", "course_model", model("TwoLayerNet", 2, 16, 2), data("x_test"), swap_in=ISOLATION),
    cases.output("predict", "five_classes", model("TwoLayerNet", 3, 6, 5), normal(0, 2, (17, 3)), swap_in=ISOLATION),
    cases.output("accuracy", "three_classes", integers(0, 3, (41,)), integers(0, 3, (41,))),
    cases.output("accuracy", "two_classes", integers(0, 2, (13,)), integers(0, 2, (13,))),
]

# The feedback page: the student's loss curve, and the classes their trained network gives the plane.
CHARTS = [
    LossCurve("losses", loss="cross-entropy"),
    DecisionRegions(x="x_train", y="y_train", predict=lambda namespace, grid: namespace["net"](grid)),  # scores: the grader picks the class
]

# Changes `autograder validate` makes that are still correct answers, with the reason.
EQUIVALENT_MUTANTS = [
    Equivalent("a loss kept as a 0-dim tensor is accepted: the curve is compared as numbers", function="train", operator="drop call", before=r"\.item\(\)$"),
    Equivalent("logits are (N, classes), so dim=-1 is dim=1", function="predict", operator="constant", before=r"^1$", after=r"^-1$", statement=r"argmax\(dim="),
]
