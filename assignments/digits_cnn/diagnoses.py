"""The typical mistakes of the digits lesson, explained in both languages, and the stand-in model
its checks use.

Shared by the public checks (students have this file beside their notebook) and the hidden cases,
so a student reads the same cause before and after submitting. Each diagnosis gets the student's
value and the reference's (decoded ``Value``s) and the inputs (a loader as ``a1.x``, ``a1.y`` and
``a1.batch_size``) and returns a message or None. Nothing here grades, and it holds no answer.
"""
from __future__ import annotations

import numpy as np

from autograder.authoring import checks, say

CLASSES = 10


def first_pixels_model():
    """A stand-in model whose answers are known, and which answers differently in training and in
    evaluation mode, as a network with dropout or batch norm does. In evaluation mode an image's
    logits are its first ten pixels, so its class is the brightest of them; in training mode they
    are the same pixels negated. Checks of train_epoch and evaluate use it, so they test the loop
    alone (and whether it sets the mode), not the student's ConvNet."""
    import torch
    from torch import nn

    class FirstPixels(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(torch.ones(1))

        def forward(self, x):
            pixels = x.flatten(1)[:, :CLASSES] * self.scale
            return -pixels if self.training else pixels

    return FirstPixels()


def _loader(inputs):
    """(first ten pixels of each image, labels, batch size) of the case's loader, or None."""
    x, y, size = inputs.get("a1.x"), inputs.get("a1.y"), inputs.get("a1.batch_size")
    if x is None or y is None or size is None:
        return None
    return np.asarray(x, dtype=np.float64).reshape(len(x), -1)[:, :CLASSES], np.asarray(y).astype(int), int(size)


def _batches(values: np.ndarray, size: int) -> list[np.ndarray]:
    return [values[start:start + size] for start in range(0, len(values), size)]


def _number(value) -> float | None:
    numbers = checks.numbers_of(value)
    return float(numbers.ravel()[0]) if numbers is not None and numbers.size == 1 else None


def _close(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) <= 1e-4 * max(1.0, abs(b))


# ConvNet -----------------------------------------------------------------------------------------


def softmax_output(student, reference, inputs):
    out = checks.numbers_of(student)
    if out is None or out.ndim != 2 or out.shape[1] != CLASSES:
        return None
    if np.all(out >= 0) and np.allclose(out.sum(axis=1), 1.0, atol=1e-4):
        return say("每行输出之和都是 1：forward 最后做了 softmax？返回 logits（线性层的输出），nn.CrossEntropyLoss 会自己做 softmax",
                   "every output row sums to 1: does forward end with a softmax? Return the logits (the linear layer's output); nn.CrossEntropyLoss applies the softmax itself")
    return None


# train_epoch (with the stand-in model and a learning rate of 0, the loss of each image is known) ----


def _cross_entropy(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(len(labels)), labels]


def loss_mean_of_batches(student, reference, inputs):
    found, value = _loader(inputs), _number(student)
    if found is None or value is None:
        return None
    pixels, labels, size = found
    losses = _cross_entropy(-pixels, labels)  # the stand-in in training mode
    per_batch = float(np.mean([batch.mean() for batch in _batches(losses, size)]))
    if _close(value, float(_cross_entropy(pixels, labels).mean())) and not _close(value, float(losses.mean())):
        return say("模型还在评估模式：train_epoch 一开始要调用 model.train()（有 dropout 或 batch norm 的网络在两种模式下算得不一样）",
                   "the model is still in evaluation mode: start train_epoch with model.train() (a network with dropout or batch norm computes differently in the two modes)")
    if _close(value, per_batch) and not _close(per_batch, float(losses.mean())):
        return say("这是各批平均损失的平均：最后一批较小，它的图片就被算重了。每批乘以它的大小（loss.item() * len(y)），再除以 len(loader.dataset)",
                   "this is the mean of the batches' mean losses: the smaller last batch counts too much. Weight each batch by its size (loss.item() * len(y)) and divide by len(loader.dataset)")
    if _close(value, float(losses.sum()) / len(_batches(losses, size))) or _close(value, float(np.sum([batch.mean() for batch in _batches(losses, size)]))):
        return say("除数不对：平均损失要除以图片数 len(loader.dataset)，不是批数 len(loader)",
                   "wrong divisor: the mean loss divides by the number of images, len(loader.dataset), not the number of batches, len(loader)")
    return None


# evaluate ----------------------------------------------------------------------------------------


def accuracy_mean_of_batches(student, reference, inputs):
    found, value = _loader(inputs), _number(student)
    if found is None or value is None:
        return None
    pixels, labels, size = found
    if _close(value, float(np.mean((-pixels).argmax(axis=1) == labels))) and not _close(value, float(np.mean(pixels.argmax(axis=1) == labels))):
        return say("模型还在训练模式：evaluate 一开始要调用 model.eval()（有 dropout 或 batch norm 的网络在两种模式下算得不一样）",
                   "the model is still in training mode: start evaluate with model.eval() (a network with dropout or batch norm computes differently in the two modes)")
    correct = (pixels.argmax(axis=1) == labels).astype(float)
    per_batch = float(np.mean([batch.mean() for batch in _batches(correct, size)]))
    if _close(value, per_batch) and not _close(per_batch, float(correct.mean())):
        return say("这是各批准确率的平均：最后一批较小，它的图片就被算重了。数出所有批里判对的图片，再除以 len(loader.dataset)",
                   "this is the mean of the batches' accuracies: the smaller last batch counts too much. Count the right answers over all batches, then divide by len(loader.dataset)")
    if _close(value, float(correct.sum())):
        return say("这是判对的图片数，不是比例：再除以 len(loader.dataset)",
                   "this is the number of images labelled right, not their share: divide by len(loader.dataset)")
    if _close(value, float(correct.sum()) / len(_batches(correct, size))):
        return say("除数不对：准确率要除以图片数 len(loader.dataset)，不是批数 len(loader)",
                   "wrong divisor: the accuracy divides by the number of images, len(loader.dataset), not the number of batches, len(loader)")
    return None


CONVNET = (softmax_output,)
TRAIN_EPOCH = (loss_mean_of_batches,)
EVALUATE = (accuracy_mean_of_batches,)
