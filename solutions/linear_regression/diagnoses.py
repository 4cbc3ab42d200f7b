"""The typical mistakes of the linear-regression lesson, explained in both languages.

Students have this file beside their notebook, so it holds words, not answers: public checks name a
mistake by the wrong value it gives on their fixed inputs (``checks.gives``), and the hidden cases
(``cases.py``) recognise the same mistakes on any input and say the same words, so a student reads
one cause before and after submitting.
"""
from __future__ import annotations

from autograder.authoring import say

MESSAGES = {
    "absolute": say("这是平均绝对误差：每个误差要平方，不是取绝对值",
                    "this is the mean absolute error: square each error instead of taking its absolute value"),
    "root": say("这是均方根误差（RMSE）：均方误差不开根号",
                "this is the root mean squared error: the mean squared error takes no square root"),
    "not_squared": say("这是误差的平均值：正负误差互相抵消了，每个误差要先平方再平均",
                       "this is the mean of the errors: positive and negative ones cancel; square each error before "
                       "taking the mean"),
    "broadcast": say("y_pred 和 y 的形状不同（一个是 (N,)，一个是 (N, 1)），相减时广播成了 N×N 的矩阵：不要 squeeze 其中一个，或把两个都变成同样的形状",
                     "y_pred and y have different shapes ((N,) and (N, 1)), so subtracting broadcasts to an N x N "
                     "matrix: do not squeeze one of them, or give both the same shape"),
    "no_rate": say("每个参数都减去了整个梯度：步长要乘上学习率，p -= lr * p.grad",
                   "each parameter moved by its whole gradient: scale the step by the learning rate, p -= lr * p.grad"),
    "no_ones": say("少了第 0 列：x⁰ 全是 1，对应截距；k 要从 0 数起",
                   "column 0 is missing: x⁰ is all ones, the intercept's column; count k from 0"),
    "one_short": say("少了最高次的一列：degree 次多项式有 degree + 1 列（range(degree + 1)）",
                     "the highest power's column is missing: a polynomial of degree d has d + 1 columns (range(degree "
                     "+ 1))"),
    "falling": say("列的顺序反了：第 k 列应是 x 的 k 次方，从低到高（torch.vander 默认从高到低，要 increasing=True）",
                   "the columns are in falling order: column k should be x to the power k, rising (torch.vander falls "
                   "unless increasing=True)"),
    "fitted_on_test": say("θ 是在留出集上求的：只能用训练集求 θ，留出集只用来检验，否则它就不再是“没见过的数据”",
                          "theta was fitted on the held-out set: fit theta on the training set only and use the "
                          "held-out set only to judge it, or it is no longer data the model has not seen"),
    "swapped": say("两个列表的顺序反了：返回 (train_losses, test_losses)，训练误差在前",
                   "the two lists are swapped: return (train_losses, test_losses), the training errors first"),
}
