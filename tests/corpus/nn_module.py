"""Honest submissions to the nn_module assignment, with their fair scores.

Each entry is what a student who really tried might hand in: a correct answer
in one of several styles, or one typical mistake in one question. Questions an
entry leaves out keep the course-style answer, so a mistake must cost points on
its own question only (``train`` and ``predict`` are graded on a ``TwoLayerNet``
built from the solution's class).

Regenerate the bundled demo set with::

    .venv/bin/python -m tests.corpus.nn_module examples/submissions/nn_module
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.corpus.blanks import Corpus, Submission, code

ASSIGNMENT = "nn_module"
POINTS = {"build_sequential": 2.0, "TwoLayerNet": 2.0, "train": 3.0, "predict": 2.0, "accuracy": 1.0}


def _scores(**lost_to: float) -> dict[str, float]:
    """Full marks except the questions given, which score what is passed."""
    return {**POINTS, **{question: float(score) for question, score in lost_to.items()}}


# The course's own answers: the solution notebook's.
COURSE_STYLE = {
    "build_sequential": code("""
        def build_sequential(in_features, hidden, out_features):
            return nn.Sequential(
                nn.Linear(in_features, hidden),
                nn.ReLU(),
                nn.Linear(hidden, out_features),
            )
    """),
    "TwoLayerNet": code("""
        class TwoLayerNet(nn.Module):
            def __init__(self, in_features, hidden, out_features):
                super().__init__()
                self.hidden = nn.Linear(in_features, hidden)
                self.output = nn.Linear(hidden, out_features)

            def forward(self, x):
                return self.output(torch.relu(self.hidden(x)))
    """),
    "train": code("""
        def train(model, x, y, epochs, lr):
            optimizer = torch.optim.SGD(model.parameters(), lr=lr)
            loss_fn = nn.CrossEntropyLoss()
            losses = []
            for _ in range(epochs):
                loss = loss_fn(model(x), y)
                losses.append(loss.item())
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            return losses
    """),
    "predict": code("""
        def predict(model, x):
            with torch.no_grad():
                return model(x).argmax(dim=1)
    """),
    "accuracy": code("""
        def accuracy(predicted, y):
            return (predicted == y).float().mean().item()
    """),
}

# Named layers, functional ReLU, zero_grad first and the loss read after the step.
FUNCTIONAL_STYLE = {
    "build_sequential": code("""
        from collections import OrderedDict

        def build_sequential(in_features, hidden, out_features):
            return nn.Sequential(OrderedDict([
                ("hidden", nn.Linear(in_features, hidden)),
                ("relu", nn.ReLU()),
                ("output", nn.Linear(hidden, out_features)),
            ]))
    """),
    "TwoLayerNet": code("""
        import torch.nn.functional as F

        class TwoLayerNet(nn.Module):
            def __init__(self, in_features, hidden, out_features):
                super(TwoLayerNet, self).__init__()
                self.fc1 = nn.Linear(in_features, hidden)
                self.fc2 = nn.Linear(hidden, out_features)

            def forward(self, x):
                h = F.relu(self.fc1(x))
                return self.fc2(h)
    """),
    "train": code("""
        def train(model, x, y, epochs, lr):
            optimizer = torch.optim.SGD(model.parameters(), lr=lr)
            criterion = nn.CrossEntropyLoss()
            losses = []
            for epoch in range(epochs):
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                # loss was computed before the step, so this is still the loss before update `epoch`
                losses.append(float(loss))
            return losses
    """),
    "predict": code("""
        def predict(model, x):
            model.eval()
            with torch.no_grad():
                logits = model(x)
            return torch.argmax(logits, dim=1)
    """),
    "accuracy": code("""
        def accuracy(predicted, y):
            return (predicted == y).sum().item() / len(y)
    """),
}

# A Sequential built up with add_module and one wrapped inside the class; F.cross_entropy,
# model.zero_grad(), losses kept as 0-dim tensors.
NESTED_STYLE = {
    "build_sequential": code("""
        def build_sequential(in_features, hidden, out_features):
            model = nn.Sequential()
            model.add_module("linear1", nn.Linear(in_features, hidden))
            model.add_module("activation", nn.ReLU())
            model.add_module("linear2", nn.Linear(hidden, out_features))
            return model
    """),
    "TwoLayerNet": code("""
        class TwoLayerNet(nn.Module):
            def __init__(self, in_features, hidden, out_features):
                super().__init__()
                self.layers = nn.Sequential(
                    nn.Linear(in_features, hidden),
                    nn.ReLU(),
                    nn.Linear(hidden, out_features),
                )

            def forward(self, x):
                return self.layers(x)
    """),
    "train": code("""
        def train(model, x, y, epochs, lr):
            optimizer = torch.optim.SGD(params=model.parameters(), lr=lr)
            losses = []
            for _ in range(epochs):
                model.zero_grad(set_to_none=True)
                loss = nn.functional.cross_entropy(model(x), y)
                losses.append(loss.detach())
                loss.backward()
                optimizer.step()
            return losses
    """),
    "predict": code("""
        def predict(model, x):
            with torch.no_grad():
                return model(x).max(dim=1).indices
    """),
    "accuracy": code("""
        def accuracy(predicted, y):
            return torch.eq(predicted, y).double().mean().item()
    """),
}

CORRECT = [
    Submission(
        "correct_course_style",
        "correct: the course's style, nn.Sequential of three layers, torch.relu in forward, optimizer.zero_grad before "
        "backward",
    ),
    Submission(
        "correct_functional_style",
        "correct: named layers in an OrderedDict, F.relu, zero_grad first and float(loss) after the step",
        FUNCTIONAL_STYLE,
    ),
    Submission(
        "correct_nested_sequential",
        "correct: add_module, an nn.Sequential inside the class, F.cross_entropy, model.zero_grad(), 0-dim tensor "
        "losses",
        NESTED_STYLE,
    ),
]

MODEL_MISTAKES = [
    Submission(
        "sequential_hardcoded_sizes",
        "build_sequential hard-codes the notebook's sizes 2, 16, 2 and ignores its arguments",
        {
            "build_sequential": code("""
            def build_sequential(in_features, hidden, out_features):
                return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
        """)
        },
        # It passes the case with the notebook's sizes (one of three) and fails the other two;
        # scores are rounded to 5 decimals, as Otter reports them.
        _scores(build_sequential=round(2.0 / 3.0, 5)),
    ),
    Submission(
        "sequential_missing_relu",
        "build_sequential leaves out the ReLU: two linear layers in a row are one linear map",
        {
            "build_sequential": code("""
            def build_sequential(in_features, hidden, out_features):
                return nn.Sequential(nn.Linear(in_features, hidden), nn.Linear(hidden, out_features))
        """)
        },
        _scores(build_sequential=0.0),
    ),
    Submission(
        "net_sizes_swapped",
        "TwoLayerNet writes nn.Linear(out, in), as the weight matrix's shape reads",
        {
            "TwoLayerNet": code("""
            class TwoLayerNet(nn.Module):
                def __init__(self, in_features, hidden, out_features):
                    super().__init__()
                    self.hidden = nn.Linear(hidden, in_features)
                    self.output = nn.Linear(out_features, hidden)

                def forward(self, x):
                    return self.output(torch.relu(self.hidden(x)))
        """)
        },
        _scores(TwoLayerNet=0.0),
    ),
    Submission(
        "net_softmax_output",
        "TwoLayerNet ends forward with a softmax, so it returns probabilities, not logits",
        {
            "TwoLayerNet": code("""
            class TwoLayerNet(nn.Module):
                def __init__(self, in_features, hidden, out_features):
                    super().__init__()
                    self.hidden = nn.Linear(in_features, hidden)
                    self.output = nn.Linear(hidden, out_features)

                def forward(self, x):
                    return torch.softmax(self.output(torch.relu(self.hidden(x))), dim=1)
        """)
        },
        _scores(TwoLayerNet=0.0),
    ),
    Submission(
        "net_missing_super_init",
        "TwoLayerNet never calls super().__init__(), so assigning a layer raises",
        {
            "TwoLayerNet": code("""
            class TwoLayerNet(nn.Module):
                def __init__(self, in_features, hidden, out_features):
                    self.hidden = nn.Linear(in_features, hidden)
                    self.output = nn.Linear(hidden, out_features)

                def forward(self, x):
                    return self.output(torch.relu(self.hidden(x)))
        """)
        },
        _scores(TwoLayerNet=0.0),
    ),
]

TRAIN_MISTAKES = [
    Submission(
        "train_no_zero_grad",
        "train never calls optimizer.zero_grad(), so the gradients pile up from epoch to epoch",
        {
            "train": code("""
            def train(model, x, y, epochs, lr):
                optimizer = torch.optim.SGD(model.parameters(), lr=lr)
                loss_fn = nn.CrossEntropyLoss()
                losses = []
                for _ in range(epochs):
                    loss = loss_fn(model(x), y)
                    losses.append(loss.item())
                    loss.backward()
                    optimizer.step()
                return losses
        """)
        },
        # Its curves and final weights are wrong; the model it trains still labels the held-out
        # points as well as the reference's, which is all the held_out case asks.
        _scores(train=1.0),
    ),
    Submission(
        "train_softmax_before_loss",
        "train applies softmax before nn.CrossEntropyLoss, which applies its own",
        {
            "train": code("""
            def train(model, x, y, epochs, lr):
                optimizer = torch.optim.SGD(model.parameters(), lr=lr)
                loss_fn = nn.CrossEntropyLoss()
                losses = []
                for _ in range(epochs):
                    probabilities = torch.softmax(model(x), dim=1)
                    loss = loss_fn(probabilities, y)
                    losses.append(loss.item())
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                return losses
        """)
        },
        _scores(train=0.0),
    ),
]

PREDICT_MISTAKES = [
    Submission(
        "predict_argmax_dim0",
        "predict takes argmax over dim 0: the row of the largest logit per class, not a class per row",
        {
            "predict": code("""
            def predict(model, x):
                with torch.no_grad():
                    return model(x).argmax(dim=0)
        """)
        },
        _scores(predict=0.0),
    ),
    Submission(
        "predict_max_values",
        "predict returns the largest logit of each row (.max(dim=1).values), not its position",
        {
            "predict": code("""
            def predict(model, x):
                with torch.no_grad():
                    return model(x).max(dim=1).values
        """)
        },
        _scores(predict=0.0),
    ),
    Submission(
        "accuracy_returns_tensor",
        "accuracy returns a 0-dim tensor instead of a Python float",
        {
            "accuracy": code("""
            def accuracy(predicted, y):
                return (predicted == y).float().mean()
        """)
        },
        _scores(accuracy=0.0),
    ),
]

SUBMISSIONS = CORRECT + MODEL_MISTAKES + TRAIN_MISTAKES + PREDICT_MISTAKES

# The notebooks bundled in examples/submissions/nn_module for TAs to look at.
DEMO_NAMES = (
    "correct_course_style",
    "correct_functional_style",
    "correct_nested_sequential",
    "sequential_hardcoded_sizes",
    "sequential_missing_relu",
    "net_softmax_output",
    "train_no_zero_grad",
    "predict_argmax_dim0",
)

CORPUS = Corpus(ASSIGNMENT, POINTS, COURSE_STYLE, SUBMISSIONS, DEMO_NAMES)


def _main(arguments: list[str]) -> None:
    """Regenerate the bundled demo set: ``python -m tests.corpus.nn_module FOLDER [TEMPLATE]``."""
    folder = Path(arguments[0]) if arguments else Path("examples/submissions") / ASSIGNMENT
    template = (
        Path(arguments[1]) if len(arguments) > 1 else Path("student_template") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    )
    for path in CORPUS.write(folder, template, names=DEMO_NAMES):
        print(path)


if __name__ == "__main__":
    _main(sys.argv[1:])
