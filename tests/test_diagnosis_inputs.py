"""A diagnosis reads a loader's rows and batch size, in a hidden case and in a public check alike.

Averaging per batch instead of per row is a typical slip of a training or evaluation loop; telling
it apart takes the rows and the batch size, which both sides now hand to a diagnosis under the
same keys.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from autograder.authoring import Cases, CheckFailed, loader, normal, say
from autograder.authoring.public import check_output
from tests.test_declared_cases import judged

cases = Cases(torch=True)

MEAN = "def row_mean(loader):\n    return sum(x.sum().item() for x, _ in loader) / len(loader.dataset)\n"
PER_BATCH = "def row_mean(loader):\n    return sum(x.mean().item() for x, _ in loader) / len(loader)\n"


def batch_mean(student, reference, inputs):
    x, size = inputs.get("a0.x"), inputs.get("a0.batch_size")
    if x is None or size is None:
        return None
    batches = [x[start : start + int(size)].mean() for start in range(0, len(x), int(size))]
    if abs(student.number - float(np.mean(batches))) < 1e-6:
        return say("按批平均了", "averaged per batch")
    return None


def test_a_hidden_case_hands_the_loader_rows_and_batch_size_to_a_diagnosis():
    case = cases.output(
        "row_mean", "uneven", loader(normal(0, 1, (10,)), normal(0, 1, (10,)), batch_size=4), diagnose=[batch_mean]
    )
    assert judged(case, MEAN, MEAN).passed
    verdict = judged(case, MEAN, PER_BATCH)
    assert not verdict.passed and verdict.message.endswith("averaged per batch")


def test_a_public_check_hands_a_dataloader_to_a_diagnosis_the_same_way():
    namespace: dict = {}
    exec(PER_BATCH, namespace)
    rows = torch.arange(10.0)
    data = DataLoader(TensorDataset(rows, rows), batch_size=4)
    with pytest.raises(CheckFailed, match="averaged per batch"):
        check_output(namespace["row_mean"], data, expected=4.5, diagnose=[batch_mean])
