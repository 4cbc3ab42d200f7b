"""Honest submissions to the rnn_trajectory assignment, with their fair scores.

Each entry is a correct answer in one of several styles, or one typical mistake of sequence
models in one question; the other questions keep the course's answer. ``train_step`` and
``train`` are graded with the solution's ``TrajectoryRNN`` (and ``train`` with its ``train_step``)
swapped in, so a mistake costs points on its own question only.

Regenerate the bundled demo set with::

    .venv/bin/python -m tests.corpus.rnn_trajectory examples/submissions/rnn_trajectory
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.corpus.blanks import Corpus, Submission, code

ASSIGNMENT = "rnn_trajectory"
POINTS = {"make_windows": 2.0, "TrajectoryRNN": 3.0, "train_step": 2.0, "train": 3.0}


def _scores(**lost_to: float) -> dict[str, float]:
    """Full marks except the questions given, which score what is passed."""
    return {**POINTS, **{question: float(score) for question, score in lost_to.items()}}


# The course's own answers: the solution notebook's.
COURSE_STYLE = {
    "make_windows": code("""
        def make_windows(states, window):
            x = torch.stack([states[start:start + window] for start in range(len(states) - window)])
            y = states[window:]
            return x, y
    """),
    "TrajectoryRNN": code("""
        class TrajectoryRNN(nn.Module):
            def __init__(self, features, hidden):
                super().__init__()
                self.gru = nn.GRU(features, hidden, batch_first=True)
                self.head = nn.Linear(hidden, features)

            def forward(self, x):
                outputs, _ = self.gru(x)
                return self.head(outputs[:, -1])
    """),
    "train_step": code("""
        def train_step(model, optimizer, x, y):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            return loss.item()
    """),
    "train": code("""
        def train(model, x, y, x_test, y_test, epochs, lr, batch_size):
            optimizer = torch.optim.Adam(model.parameters(), lr=lr)
            train_losses, test_losses = [], []
            for _ in range(epochs):
                batch_losses = [train_step(model, optimizer, x[start:start + batch_size], y[start:start + batch_size])
                                for start in range(0, len(x), batch_size)]
                train_losses.append(sum(batch_losses) / len(batch_losses))
                with torch.no_grad():
                    test_losses.append(nn.functional.mse_loss(model(x_test), y_test).item())
            return train_losses, test_losses
    """),
}


def _edited(question: str, old: str, new: str) -> str:
    """The course's answer to ``question`` with one piece of it written as a typical mistake."""
    answer = COURSE_STYLE[question]
    assert old in answer, f"{question}: the course's answer has no {old!r}"
    return answer.replace(old, new)


# unfold, the GRU's last hidden state, nn.MSELoss, torch.split into batches.
UNFOLD_STYLE = {
    "make_windows": code("""
        def make_windows(states, window):
            x = states.unfold(0, window, 1).transpose(1, 2)[:-1]
            return x, states[window:]
    """),
    "TrajectoryRNN": code("""
        class TrajectoryRNN(nn.Module):
            def __init__(self, features, hidden):
                super().__init__()
                self.rnn = nn.GRU(input_size=features, hidden_size=hidden, batch_first=True)
                self.out = nn.Linear(hidden, features)

            def forward(self, x):
                _, last_hidden = self.rnn(x)   # (layers, N, hidden): one layer
                return self.out(last_hidden[-1])
    """),
    "train_step": code("""
        def train_step(model, optimizer, x, y):
            criterion = nn.MSELoss()
            prediction = model(x)
            loss = criterion(prediction, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return float(loss)
    """),
    "train": code("""
        def train(model, x, y, x_test, y_test, epochs, lr, batch_size):
            optimizer = torch.optim.Adam(model.parameters(), lr=lr)
            train_losses, test_losses = [], []
            for epoch in range(epochs):
                losses = []
                for xb, yb in zip(torch.split(x, batch_size), torch.split(y, batch_size)):
                    losses.append(train_step(model, optimizer, xb, yb))
                train_losses.append(float(np.mean(losses)))
                with torch.no_grad():
                    test_losses.append(float(((model(x_test) - y_test) ** 2).mean()))
            return train_losses, test_losses
    """),
}

# Explicit loops: windows filled into a tensor, a zero initial state, model.zero_grad(), a while loop.
LOOP_STYLE = {
    "make_windows": code("""
        def make_windows(states, window):
            count = states.shape[0] - window
            x = torch.zeros(count, window, states.shape[1])
            y = torch.zeros(count, states.shape[1])
            for i in range(count):
                x[i] = states[i:i + window]
                y[i] = states[i + window]
            return x, y
    """),
    "TrajectoryRNN": code("""
        class TrajectoryRNN(nn.Module):
            def __init__(self, features, hidden):
                super(TrajectoryRNN, self).__init__()
                self.hidden_size = hidden
                self.gru = nn.GRU(features, hidden, num_layers=1, batch_first=True)
                self.linear = nn.Linear(hidden, features)

            def forward(self, x):
                h0 = torch.zeros(1, x.shape[0], self.hidden_size)
                outputs, hn = self.gru(x, h0)
                last = outputs[:, outputs.shape[1] - 1, :]
                return self.linear(last)
    """),
    "train_step": code("""
        def train_step(model, optimizer, x, y):
            model.zero_grad()
            error = model(x) - y
            loss = (error ** 2).mean()
            loss.backward()
            optimizer.step()
            return loss.detach().item()
    """),
    "train": code("""
        def train(model, x, y, x_test, y_test, epochs, lr, batch_size):
            optimizer = torch.optim.Adam(params=model.parameters(), lr=lr)
            train_losses = []
            test_losses = []
            for epoch in range(epochs):
                total, batches, start = 0.0, 0, 0
                while start < len(x):
                    total += train_step(model, optimizer, x[start:start + batch_size], y[start:start + batch_size])
                    batches += 1
                    start += batch_size
                train_losses.append(total / batches)
                with torch.no_grad():
                    test_losses.append(nn.MSELoss()(model(x_test), y_test).item())
            return train_losses, test_losses
    """),
}

CORRECT = [
    Submission(
        "correct_course_style",
        "correct: the course's style, windows stacked from slices, outputs[:, -1], zero_grad first",
    ),
    Submission(
        "correct_unfold_style",
        "correct: unfold and transpose, the GRU's last hidden state, nn.MSELoss, torch.split batches",
        UNFOLD_STYLE,
    ),
    Submission(
        "correct_loop_style",
        "correct: windows filled in a loop, a zero initial state, model.zero_grad(), a while loop",
        LOOP_STYLE,
    ),
]

WINDOW_MISTAKES = [
    Submission(
        "windows_target_inside",
        "make_windows takes the window's own last step as its target instead of the step after it",
        {
            "make_windows": code("""
            def make_windows(states, window):
                x = torch.stack([states[i:i + window] for i in range(len(states) - window)])
                y = states[window - 1:-1]
                return x, y
        """)
        },
        _scores(make_windows=0.0),
    ),
    Submission(
        "windows_unfold_untransposed",
        "make_windows keeps unfold's layout, (N, F, window), and one window too many",
        {
            "make_windows": code("""
            def make_windows(states, window):
                return states.unfold(0, window, 1), states[window:]
        """)
        },
        _scores(make_windows=0.0),
    ),
    Submission(
        "windows_hardcoded_length",
        "make_windows uses the notebook's WINDOW = 8 instead of its window argument",
        {
            "make_windows": code("""
            def make_windows(states, window):
                x = torch.stack([states[i:i + 8] for i in range(len(states) - 8)])
                return x, states[8:]
        """)
        },
        # It passes the course's case (window 8, worth 0.5) and fails the other two.
        _scores(make_windows=0.5),
    ),
]

MODEL_MISTAKES = [
    Submission(
        "rnn_no_batch_first",
        "TrajectoryRNN builds nn.GRU without batch_first=True, so the GRU reads the batch as time",
        {"TrajectoryRNN": _edited("TrajectoryRNN", ", batch_first=True)", ")")},
        _scores(TrajectoryRNN=0.0),
    ),
    Submission(
        "rnn_first_time_step",
        "TrajectoryRNN predicts from the output at the window's first time, outputs[:, 0]",
        {"TrajectoryRNN": _edited("TrajectoryRNN", "outputs[:, -1]", "outputs[:, 0]")},
        _scores(TrajectoryRNN=0.0),
    ),
    Submission(
        "rnn_hardcoded_sizes",
        "TrajectoryRNN builds the notebook's sizes, GRU(3, 8) and Linear(8, 3), whatever it is given",
        {
            "TrajectoryRNN": _edited("TrajectoryRNN", "nn.GRU(features, hidden,", "nn.GRU(3, 8,").replace(
                "nn.Linear(hidden, features)", "nn.Linear(8, 3)"
            )
        },
        # It passes the case with the course's sizes, one of three.
        _scores(TrajectoryRNN=1.0),
    ),
]

STEP_MISTAKES = [
    Submission(
        "step_no_zero_grad",
        "train_step never zeroes the gradients, so an earlier step's are added to this one's",
        {"train_step": _edited("train_step", "    optimizer.zero_grad()\n", "")},
        # Only the case whose network holds earlier gradients (0.5 of 2) tells.
        _scores(train_step=1.5),
    ),
    Submission(
        "step_no_update",
        "train_step computes the gradients but never calls optimizer.step()",
        {"train_step": _edited("train_step", "    optimizer.step()\n", "")},
        # The returned loss (0.5) is right; the three cases that compare the weights fail.
        _scores(train_step=0.5),
    ),
    Submission(
        "step_returns_tensor",
        "train_step returns the loss tensor instead of a Python float",
        {"train_step": _edited("train_step", "return loss.item()", "return loss")},
        _scores(train_step=1.5),
    ),
]

TRAIN_MISTAKES = [
    Submission(
        "train_optimizer_each_epoch",
        "train builds a new Adam every epoch, wiping its running averages",
        {
            "train": _edited(
                "train",
                """    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    train_losses, test_losses = [], []
    for _ in range(epochs):
""",
                """    train_losses, test_losses = [], []
    for _ in range(epochs):
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
""",
            )
        },
        _scores(train=1.0),
    ),
    Submission(
        "train_sum_of_batches",
        "train records the sum of each epoch's batch losses instead of their mean",
        {
            "train": code("""
            def train(model, x, y, x_test, y_test, epochs, lr, batch_size):
                optimizer = torch.optim.Adam(model.parameters(), lr=lr)
                train_losses, test_losses = [], []
                for _ in range(epochs):
                    total = 0.0
                    for i in range(0, len(x), batch_size):
                        total += train_step(model, optimizer, x[i:i + batch_size], y[i:i + batch_size])
                    train_losses.append(total)
                    with torch.no_grad():
                        test_losses.append(nn.functional.mse_loss(model(x_test), y_test).item())
                return train_losses, test_losses
        """)
        },
        # With a single batch (one_batch) a sum is the mean; the threshold does not look at the curve.
        _scores(train=2.0),
    ),
    Submission(
        "train_tail_dropped",
        "train steps over len(x) // batch_size full batches and drops the last, smaller one",
        {
            "train": code("""
            def train(model, x, y, x_test, y_test, epochs, lr, batch_size):
                optimizer = torch.optim.Adam(model.parameters(), lr=lr)
                train_losses, test_losses = [], []
                for _ in range(epochs):
                    batch_losses = []
                    for b in range(len(x) // batch_size):
                        start = b * batch_size
                        batch_losses.append(train_step(model, optimizer, x[start:start + batch_size],
                                                       y[start:start + batch_size]))
                    train_losses.append(sum(batch_losses) / len(batch_losses))
                    with torch.no_grad():
                        test_losses.append(nn.functional.mse_loss(model(x_test), y_test).item())
                return train_losses, test_losses
        """)
        },
        _scores(train=1.0),
    ),
    Submission(
        "train_test_on_training_windows",
        "train measures its 'held-out' error on the training windows",
        {"train": _edited("train", "mse_loss(model(x_test), y_test)", "mse_loss(model(x), y)")},
        # The threshold measures the held-out error itself, so only the two curve cases fail.
        _scores(train=1.0),
    ),
]

SUBMISSIONS = CORRECT + WINDOW_MISTAKES + MODEL_MISTAKES + STEP_MISTAKES + TRAIN_MISTAKES

# The notebooks bundled in examples/submissions/rnn_trajectory for TAs to look at.
DEMO_NAMES = (
    "correct_course_style",
    "correct_unfold_style",
    "windows_target_inside",
    "rnn_no_batch_first",
    "step_no_zero_grad",
    "train_optimizer_each_epoch",
)

CORPUS = Corpus(ASSIGNMENT, POINTS, COURSE_STYLE, SUBMISSIONS, DEMO_NAMES)


def _main(arguments: list[str]) -> None:
    """Regenerate the bundled demo set: ``python -m tests.corpus.rnn_trajectory FOLDER [TEMPLATE]``."""
    folder = Path(arguments[0]) if arguments else Path("examples/submissions") / ASSIGNMENT
    default_template = Path("student_template") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    template = Path(arguments[1]) if len(arguments) > 1 else default_template
    for path in CORPUS.write(folder, template, names=DEMO_NAMES):
        print(path)


if __name__ == "__main__":
    _main(sys.argv[1:])
