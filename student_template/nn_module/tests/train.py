from otter.test_files import test_case

OK_FORMAT = False

name = "train"
points = 3

@test_case(points=0, hidden=False)
def test_train_lowers_the_loss(train):
    import math
    import torch
    from torch import nn
    model = nn.Linear(2, 3)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    y = torch.tensor([0, 1, 2])
    losses = train(model, x, y, 5, 0.5)
    assert isinstance(losses, list) and len(losses) == 5, f'train 应返回每个 epoch 一个损失的列表 / train should return a list with one loss per epoch, got {type(losses).__name__} {losses!r:.60}'
    assert abs(float(losses[0]) - math.log(3)) < 0.0001, f'losses[0] = {float(losses[0]):.4f}：应是更新前的损失 ln 3 ≈ 1.0986（是不是在损失之前加了 softmax？）/ should be the loss before any update, ln 3 ≈ 1.0986 (a softmax before the loss?)'
    assert float(losses[-1]) < float(losses[0]), '损失没有下降：调用了 optimizer.step() 吗？/ the loss does not fall: is optimizer.step() called?'
    assert model.weight.abs().sum() > 0, "模型的参数没有变：优化器要管理 model.parameters() / the model's parameters did not change: the optimizer must hold model.parameters()"

