"""Hidden cases of the digits lesson: a CNN's layers and outputs, one epoch of training, its accuracy.

train_epoch and evaluate are graded with the solution's ConvNet swapped in (or with a stand-in
model whose answers are known), so a mistake in the network costs only the network's question.
Every case trains for at most one short epoch on one core: a few tenths of a second.
"""
from autograder.authoring import Cases, Equivalent, LossCurve, built, data, drawn, integers, loader, model, normal, uniform

from diagnoses import CONVNET, EVALUATE, TRAIN_EPOCH, first_pixels_model

cases = Cases(torch=True)
ISOLATION = ("ConvNet",)


def _sgd(lr, momentum=0.0):
    def make(network):
        import torch

        return torch.optim.SGD(network.parameters(), lr=lr, momentum=momentum)

    return make


def _adam(network):
    import torch

    return torch.optim.Adam(network.parameters(), lr=0.01)


def _cross_entropy():
    from torch import nn

    return nn.CrossEntropyLoss()


def _scores(network, x):
    """The trained network's class scores for each held-out image (the grader picks the largest)."""
    import torch

    with torch.no_grad():
        return network(x)


def _stand_in_evaluating():
    return first_pixels_model().eval()


def _first_rows(name, rows):
    return drawn(lambda context: context.namespace[name][:rows])


def _stand_in_images(rows):
    """Random images from a generator of their own, so their labels can be drawn from the same images."""
    import numpy as np

    return np.random.default_rng(rows).uniform(0, 1, size=(rows, 1, 8, 8)).astype(np.float32)


def _labels_half_right(context, rows):
    """Labels that agree with the stand-in model's answer on about half of _stand_in_images(rows)."""
    import numpy as np

    predicted = _stand_in_images(rows).reshape(rows, -1)[:, :10].argmax(axis=1)
    wrong = context.rng.uniform(size=rows) < 0.5
    return np.where(wrong, (predicted + context.rng.integers(1, 10, size=rows)) % 10, predicted)


CASES = [
    cases.layers("ConvNet", "layer_shapes", input=normal(0, 1, (3, 1, 8, 8)), points=1),
    cases.module("ConvNet", "forward_random_images", input=normal(0, 1, (4, 1, 8, 8)), points=1.5),
    cases.module("ConvNet", "forward_course_images", input=_first_rows("x_test", 40), points=1.5),
    # One step of SGD from fixed weights, then three steps with momentum over batches of 16, 16 and 8.
    cases.training("train_epoch", "one_step", model("ConvNet"), loader(normal(0, 1, (16, 1, 8, 8)), integers(0, 10, (16,)), batch_size=16),
                   built(_sgd(0.1), 0), built(_cross_entropy), losses=None, updates={0: "model"}, swap_in=ISOLATION, points=1),
    cases.training("train_epoch", "three_steps", model("ConvNet"), loader(normal(0, 1, (40, 1, 8, 8)), integers(0, 10, (40,)), batch_size=16),
                   built(_sgd(0.1, momentum=0.9), 0), built(_cross_entropy), losses=None, updates={0: "model"}, swap_in=ISOLATION, points=1),
    # The returned mean loss: per image, on uneven batches; first with a model that does not change
    # (a learning rate of 0, so a diagnosis can name a mean over batches) and is handed over in
    # evaluation mode (train_epoch must switch it back), then while a ConvNet trains.
    cases.output("train_epoch", "mean_loss_per_image", built(_stand_in_evaluating), loader(uniform(0, 1, (30, 1, 8, 8)), integers(0, 10, (30,)), batch_size=8),
                 built(_sgd(0.0), 0), built(_cross_entropy), diagnose=TRAIN_EPOCH, rtol=1e-4, points=0.5),
    cases.output("train_epoch", "mean_loss_while_training", model("ConvNet"), loader(normal(0, 1, (40, 1, 8, 8)), integers(0, 10, (40,)), batch_size=16),
                 built(_sgd(0.1), 0), built(_cross_entropy), rtol=1e-3, swap_in=ISOLATION, points=0.5),
    # One epoch of Adam over the course's training images, in a fixed order: the held-out accuracy.
    cases.accuracy("train_epoch", "held_out_accuracy", model("ConvNet"), loader(data("x_train"), data("y_train"), batch_size=32),
                   built(_adam, 0), built(_cross_entropy), predict=_scores, held_out=(data("x_test"), data("y_test")), margin=0.03,
                   swap_in=ISOLATION, points=1),
    # The stand-in arrives in training mode, as a new network does: evaluate must switch it to evaluation.
    cases.output("evaluate", "uneven_batches", built(first_pixels_model), loader(drawn(lambda context: _stand_in_images(50)), drawn(lambda context: _labels_half_right(context, 50)), batch_size=16),
                 diagnose=EVALUATE, points=1),
    cases.output("evaluate", "course_images", model("ConvNet"), loader(data("x_test"), data("y_test"), batch_size=72), swap_in=ISOLATION, points=1),
]

# The feedback page: the student's training loss and held-out accuracy beside the solution's.
CHARTS = [
    LossCurve("losses", loss="cross-entropy"),
    LossCurve("accuracies", loss="held-out accuracy", title="留出集准确率 · Held-out accuracy"),
]

# Changes `autograder validate` makes that are still correct answers, with the reason.
EQUIVALENT_MUTANTS = [
    Equivalent("len(-y) is len(y)", function="train_epoch", operator="insert minus", after=r"^-y$", statement=r"len\("),
    Equivalent("the logits are (N, 10), so their last dimension is dimension 1", function="evaluate", operator="constant", before=r"^1$", after=r"^-1$", statement=r"argmax\(dim="),
]
