"""Honest submissions to the digits assignment, with their fair scores.

Each entry is a correct answer in one of several styles, or one typical mistake of the lesson in
one question; the other questions keep the course's answer. train_epoch and evaluate are graded
with the solution's ConvNet (or a stand-in model) swapped in, so a mistake in the network costs
only the network's question.

ConvNet: the output shape of each layer with weights (1), the output from fixed weights on random
and on course images (1.5 each). train_epoch: the weights after one step (1) and after three steps
with momentum (1), the mean loss per image of a model that does not change (0.5) and of one that
trains (0.5), the held-out accuracy after one epoch (1). evaluate: a stand-in model on uneven
batches (1), a ConvNet on the held-out images in batches of 72 (1).

Regenerate the demo set with::

    .venv/bin/python -m tests.corpus.digits_cnn examples/submissions/digits_cnn
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.corpus.blanks import Corpus, Submission, code

POINTS = {"ConvNet": 4.0, "train_epoch": 4.0, "evaluate": 2.0}


def _scores(**given: float) -> dict[str, float]:
    return {**POINTS, **{question: float(score) for question, score in given.items()}}


COURSE_STYLE = {
    "ConvNet": code("""
        class ConvNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
                self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
                self.fc = nn.Linear(16 * 2 * 2, 10)

            def forward(self, x):
                x = F.max_pool2d(F.relu(self.conv1(x)), 2)
                x = F.max_pool2d(F.relu(self.conv2(x)), 2)
                return self.fc(x.flatten(1))
    """),
    "train_epoch": code("""
        def train_epoch(model, loader, optimizer, loss_fn):
            model.train()
            running = 0.0
            for x, y in loader:
                optimizer.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                optimizer.step()
                running += loss.item() * x.size(0)
            return running / len(loader.dataset)
    """),
    "evaluate": code("""
        def evaluate(model, loader):
            model.eval()
            correct = 0
            with torch.no_grad():
                for x, y in loader:
                    correct += (model(x).argmax(dim=1) == y).sum().item()
            return correct / len(loader.dataset)
    """),
}

SEQUENTIAL = {
    "ConvNet": code("""
        class ConvNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(
                    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                )
                self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))

            def forward(self, x):
                return self.classifier(self.features(x))
    """),
    "train_epoch": code("""
        def train_epoch(model, loader, optimizer, loss_fn):
            model.train()
            losses, sizes = [], []
            for images, targets in loader:
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(images), targets)
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
                sizes.append(len(targets))
            return sum(l * n for l, n in zip(losses, sizes)) / sum(sizes)
    """),
    "evaluate": code("""
        def evaluate(model, loader):
            model.eval()
            predictions, targets = [], []
            with torch.no_grad():
                for images, labels in loader:
                    predictions.append(model(images).argmax(dim=1))
                    targets.append(labels)
            return (torch.cat(predictions) == torch.cat(targets)).float().mean().item()
    """),
}

POOL_FIRST = {
    "ConvNet": code("""
        class ConvNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
                self.pool = nn.MaxPool2d(2)
                self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
                self.out = nn.Linear(64, 10)

            def forward(self, x):
                # max pooling and ReLU commute: pooling first does less work
                x = F.relu(self.pool(self.conv1(x)))
                x = F.relu(self.pool(self.conv2(x)))
                return self.out(x.view(x.size(0), -1))
    """),
    "train_epoch": code("""
        def train_epoch(model, loader, optimizer, loss_fn):
            model.train()
            total, count = 0.0, 0
            for x, y in loader:
                loss = loss_fn(model(x), y)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                total += float(loss) * len(y)
                count += len(y)
            return total / count
    """),
    "evaluate": code("""
        def evaluate(model, loader):
            model.eval()
            correct, total = torch.tensor(0), 0
            with torch.no_grad():
                for x, y in loader:
                    _, predicted = torch.max(model(x), 1)
                    correct += (predicted == y).sum()
                    total += y.size(0)
            return float(correct) / total
    """),
}

CORRECT = [
    Submission("correct_course_style", "correct: F.relu and F.max_pool2d, the loss weighted by x.size(0)"),
    Submission(
        "correct_sequential",
        "correct: nn.Sequential features and classifier, losses and batch sizes kept in lists, "
        "predictions concatenated",
        SEQUENTIAL,
    ),
    Submission(
        "correct_pool_first",
        "correct: pooling before ReLU (they commute), zero_grad after the step, torch.max for the class",
        POOL_FIRST,
    ),
]

MISTAKES = [
    Submission(
        "convnet_no_relu",
        "ConvNet has no activation: two convolutions and a linear layer with nothing between them",
        {
            "ConvNet": code("""
            class ConvNet(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
                    self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
                    self.fc = nn.Linear(16 * 2 * 2, 10)

                def forward(self, x):
                    x = F.max_pool2d(self.conv1(x), 2)
                    x = F.max_pool2d(self.conv2(x), 2)
                    return self.fc(x.flatten(1))
        """)
        },
        _scores(ConvNet=1.0),
    ),
    Submission(
        "convnet_softmax_output",
        "ConvNet ends with a softmax, so it returns probabilities instead of logits",
        {
            "ConvNet": code("""
            class ConvNet(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
                    self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
                    self.fc = nn.Linear(16 * 2 * 2, 10)

                def forward(self, x):
                    x = F.max_pool2d(F.relu(self.conv1(x)), 2)
                    x = F.max_pool2d(F.relu(self.conv2(x)), 2)
                    return F.softmax(self.fc(x.flatten(1)), dim=1)
        """)
        },
        _scores(ConvNet=1.0),
    ),
    Submission(
        "convnet_flattens_the_batch",
        "ConvNet flattens with x.view(-1), mixing every image of the batch into one row",
        {
            "ConvNet": code("""
            class ConvNet(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
                    self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
                    self.fc = nn.Linear(16 * 2 * 2, 10)

                def forward(self, x):
                    x = F.max_pool2d(F.relu(self.conv1(x)), 2)
                    x = F.max_pool2d(F.relu(self.conv2(x)), 2)
                    return self.fc(x.view(-1))
        """)
        },
        _scores(ConvNet=0.0),
    ),
    Submission(
        "train_no_zero_grad",
        "train_epoch never zeroes the gradients, so every step adds the earlier batches' gradients",
        {
            "train_epoch": code("""
            def train_epoch(model, loader, optimizer, loss_fn):
                model.train()
                running = 0.0
                for x, y in loader:
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    optimizer.step()
                    running += loss.item() * x.size(0)
                return running / len(loader.dataset)
        """)
        },
        _scores(train_epoch=1.5),
    ),
    Submission(
        "train_mean_of_batch_losses",
        "train_epoch averages the batches' mean losses, so the smaller last batch counts too much",
        {
            "train_epoch": code("""
            def train_epoch(model, loader, optimizer, loss_fn):
                model.train()
                losses = []
                for x, y in loader:
                    optimizer.zero_grad()
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    optimizer.step()
                    losses.append(loss.item())
                return sum(losses) / len(losses)
        """)
        },
        _scores(train_epoch=3.0),
    ),
    Submission(
        "train_without_train_mode",
        "train_epoch never calls model.train(), so a model left in evaluation mode trains in the wrong mode",
        {
            "train_epoch": code("""
            def train_epoch(model, loader, optimizer, loss_fn):
                running = 0.0
                for x, y in loader:
                    optimizer.zero_grad()
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    optimizer.step()
                    running += loss.item() * x.size(0)
                return running / len(loader.dataset)
        """)
        },
        _scores(train_epoch=3.5),
    ),
    Submission(
        "train_step_before_backward",
        "train_epoch calls optimizer.step() before loss.backward(): every step finds the gradients just zeroed",
        {
            "train_epoch": code("""
            def train_epoch(model, loader, optimizer, loss_fn):
                model.train()
                running = 0.0
                for x, y in loader:
                    optimizer.zero_grad()
                    loss = loss_fn(model(x), y)
                    optimizer.step()
                    loss.backward()
                    running += loss.item() * x.size(0)
                return running / len(loader.dataset)
        """)
        },
        _scores(train_epoch=0.5),
    ),
    Submission(
        "evaluate_mean_of_batch_accuracies",
        "evaluate averages the batches' accuracies, so the smaller last batch counts too much",
        {
            "evaluate": code("""
            def evaluate(model, loader):
                model.eval()
                accuracies = []
                with torch.no_grad():
                    for x, y in loader:
                        accuracies.append((model(x).argmax(dim=1) == y).float().mean().item())
                return sum(accuracies) / len(accuracies)
        """)
        },
        _scores(evaluate=1.0),
    ),
    Submission(
        "evaluate_without_eval_mode",
        "evaluate never calls model.eval(), so a network with dropout or batch norm is measured in training mode",
        {
            "evaluate": code("""
            def evaluate(model, loader):
                correct = 0
                with torch.no_grad():
                    for x, y in loader:
                        correct += (model(x).argmax(dim=1) == y).sum().item()
                return correct / len(loader.dataset)
        """)
        },
        _scores(evaluate=1.0),
    ),
]

DEMO_NAMES = (
    "correct_course_style",
    "correct_sequential",
    "convnet_softmax_output",
    "train_no_zero_grad",
    "train_mean_of_batch_losses",
    "evaluate_without_eval_mode",
)

CORPUS = Corpus("digits_cnn", POINTS, COURSE_STYLE, CORRECT + MISTAKES, DEMO_NAMES)


def _main(arguments: list[str]) -> None:
    """Regenerate the bundled demo set: ``python -m tests.corpus.digits_cnn FOLDER [TEMPLATE]``."""
    folder = Path(arguments[0]) if arguments else Path("examples/submissions/digits_cnn")
    template = Path(arguments[1]) if len(arguments) > 1 else Path("student_template/digits_cnn/digits_cnn.ipynb")
    for path in CORPUS.write(folder, template, names=DEMO_NAMES):
        print(path)


if __name__ == "__main__":
    _main(sys.argv[1:])
