"""``cases.layers``: the output shape of each layer holding weights, judged as release and grading do.

A student may write activations and pooling as modules or as functions; only layers with weights
are counted, and a wrong shape names the layer where it first goes wrong.
"""

from __future__ import annotations

import pytest

from autograder.authoring import Cases, normal
from tests.test_declared_cases import judged

cases = Cases(torch=True)
CASE = cases.layers("Net", "shapes", input=normal(0, 1, (2, 1, 8, 8)))

SOLUTION = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(4, 6, kernel_size=3, padding=1)
        self.head = nn.Linear(6 * 2 * 2, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.head(x.flatten(1))
"""

SEQUENTIAL = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(24, 10))

    def forward(self, x):
        return self.classifier(self.features(x))
"""  # noqa: E501


def test_layers_as_modules_or_functions_give_the_same_shapes():
    assert judged(CASE, SOLUTION, SOLUTION).passed
    assert judged(CASE, SOLUTION, SEQUENTIAL).passed


@pytest.mark.parametrize(
    ("change", "says"),
    [
        # no pooling after the first convolution: the second one sees 8x8, and the head cannot take it
        (
            ("x = F.max_pool2d(F.relu(self.conv1(x)), 2)", "x = F.relu(self.conv1(x))"),
            "layer 2 with weights of Net outputs Conv2d (2, 6, 8, 8), expected Conv2d (2, 6, 4, 4): check this layer's "
            "sizes, and the padding",
        ),
        (
            ("nn.Conv2d(4, 6, kernel_size=3, padding=1)", "nn.Conv2d(4, 8, kernel_size=3, padding=1)"),
            "Conv2d (2, 8, 4, 4), expected Conv2d (2, 6, 4, 4)",
        ),
        (
            ("nn.Linear(6 * 2 * 2, 10)", "nn.Linear(6 * 4 * 4, 10)"),
            "forward raised an error after 2 layer(s) with weights: matrix shapes do not match",
        ),
        (
            ("x = F.max_pool2d(F.relu(self.conv2(x)), 2)", "x = F.max_pool2d(F.relu(self.conv2(self.conv2b(x))), 2)"),
            "has no attribute 'conv2b'",
        ),
        (
            (
                "        return self.head(x.flatten(1))",
                "        return self.head(self.head2(x.flatten(1)))\n\n    head2 = nn.Identity()",
            ),
            None,
        ),
    ],
)
def test_a_wrong_layer_is_named(change, says):
    student = SOLUTION.replace(*change)
    assert student != SOLUTION
    verdict = judged(CASE, SOLUTION, student)
    if says is None:  # a layer without weights changes nothing
        assert verdict.passed, verdict.message
        return
    assert not verdict.passed
    assert says in verdict.message
    chinese, english = verdict.message.split(" / ", 1)
    assert any("\u4e00" <= char <= "\u9fff" for char in chinese)


def test_an_extra_or_missing_layer_with_weights_is_named():
    extra = SOLUTION.replace("return self.head(x.flatten(1))", "return self.out(self.head(x.flatten(1)))").replace(
        "self.head = nn.Linear(6 * 2 * 2, 10)",
        "self.head = nn.Linear(6 * 2 * 2, 10)\n        self.out = nn.Linear(10, 10)",
    )
    verdict = judged(CASE, SOLUTION, extra)
    assert not verdict.passed and "more layers with weights than expected: Linear (2, 10)" in verdict.message
    missing = SOLUTION.replace("x = F.max_pool2d(F.relu(self.conv2(x)), 2)", "x = F.max_pool2d(x, 2)").replace(
        "nn.Linear(6 * 2 * 2, 10)", "nn.Linear(4 * 2 * 2, 10)"
    )
    verdict = judged(CASE, SOLUTION, missing)
    assert (
        not verdict.passed
        and "outputs Linear (2, 10), expected Conv2d (2, 6, 4, 4): is a layer missing or extra" in verdict.message
    )


def test_a_blank_class_is_not_written_yet():
    verdict = judged(CASE, SOLUTION, "class Net(nn.Module):\n    ...\n")
    assert not verdict.passed and "before its first layer with weights" in verdict.message
