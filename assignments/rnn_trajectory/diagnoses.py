"""The rnn_trajectory lesson's explanations, shared by its public checks and its hidden cases.

A public check names a mistake by the wrong value it gives on the check's fixed inputs
(``checks.gives``); the hidden cases name the same mistakes with the same words.
"""
from autograder.authoring.language import say

MESSAGES = {
    "target_inside": say(
        "y 是窗口里的最后一步：目标应是紧接在窗口 **之后** 的那一步 states[start + window]",
        "y is the last step inside the window: the target is the step right **after** it, states[start + window]"),
    "time_last": say(
        "x 的最后一维是时间：unfold 把窗口放在最后一维，要用 .transpose(1, 2) 换成 (N, window, F)；"
        "而且 T - window + 1 个窗口里的最后一个没有目标",
        "x has time as its last dimension: unfold puts the window last, so .transpose(1, 2) it "
        "to (N, window, F); and the last of its T - window + 1 windows has no target"),
    "batch_first": say(
        "输出与 batch_first=False 的 GRU 相同：没有 batch_first=True，GRU 把批当成了时间",
        "the output is what a GRU without batch_first=True gives: it took the batch for time"),
    "first_time": say(
        "输出来自窗口的第一个时刻 outputs[:, 0]：应取读完整个窗口之后的 outputs[:, -1]",
        "the output comes from the window's first time, outputs[:, 0]: take outputs[:, -1], after the whole window"),
    "stale_gradients": say(
        "更新用了上一步留下的梯度：先 optimizer.zero_grad()，再 loss.backward()",
        "the update used gradients left over from the step before: call optimizer.zero_grad() before loss.backward()"),
    "sum_of_batches": say(
        "每个 epoch 的损失是各批损失之和：应取平均（除以批数）",
        "each epoch's loss is the sum of the batch losses: take their mean (divide by the number of batches)"),
    "weighted_mean": say(
        "每个 epoch 的损失按批大小加权平均了：题目要的是各批损失的简单平均",
        "each epoch's loss is weighted by batch size: the task asks for the plain mean of the batch losses"),
    "last_batch_only": say(
        "每个 epoch 的损失只是最后一批的：把每批的损失都记下来，再取平均",
        "each epoch's loss is the last batch's alone: keep every batch's loss, then take their mean"),
    "tail_dropped": say(
        "最后一批（不满 batch_size 的那批）被漏掉了：range(0, len(x), batch_size) 包括它",
        "the last, smaller batch was left out: range(0, len(x), batch_size) includes it"),
    "test_on_train": say(
        "test_losses 是在训练窗口上算的：应在 x_test、y_test 上算",
        "test_losses were computed on the training windows: use x_test and y_test"),
}
