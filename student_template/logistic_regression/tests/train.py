from otter.test_files import test_case

OK_FORMAT = False

name = "train"
points = 4

@test_case(points=0, hidden=False)
def test_train_runs(train, binary_loss, logistic_regression):
    import torch
    x = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([[0.0], [1.0], [1.0]])
    w = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = train(x, y, w, b, 0.5, 3)
    assert isinstance(losses, list) and len(losses) == 3, f'train 应返回每个 epoch 一个损失的列表 / should return a list with one loss per epoch, got {type(losses).__name__} {losses!r:.60}'
    assert abs(float(losses[0]) - 0.6931) < 0.001, f'losses[0] = {float(losses[0]):.4f}: 应是更新前的损失 ln 2 ≈ 0.6931 / should be the loss before any update, ln 2 ≈ 0.6931'
    assert float(losses[2]) < float(losses[0]), '损失没有下降：是不是加上了梯度而不是减去？/ the loss does not fall: is the gradient added instead of subtracted?'
    assert w.abs().sum() > 0, 'w 没有被原地更新 / w was not updated in place (w.data -= lr * w.grad, or under torch.no_grad())'

