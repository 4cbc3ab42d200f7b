from otter.test_files import test_case

OK_FORMAT = False

name = "binary_loss"
points = 2

@test_case(points=0, hidden=False)
def test_binary_loss_value(binary_loss):
    import torch
    y_pred = torch.tensor([[0.9], [0.2], [0.6]])
    y = torch.tensor([[1.0], [0.0], [1.0]])
    loss = binary_loss(y_pred, y)
    assert isinstance(loss, torch.Tensor), f'binary_loss 应返回张量 / should return a tensor, got {type(loss).__name__}'
    assert loss.dim() == 0, f'binary_loss 应返回 0 维张量（取平均）/ should be a 0-dim tensor (the mean), got shape {tuple(loss.shape)}'
    assert abs(loss.item() - 0.2798) < 0.001, f'binary_loss = {loss.item():.4f}, 应约为 / should be about 0.2798'

@test_case(points=0, hidden=False)
def test_binary_loss_clamp(binary_loss):
    import torch
    loss = binary_loss(torch.tensor([[0.0], [1.0]]), torch.tensor([[0.0], [1.0]]))
    assert torch.isfinite(loss), f'y_pred 恰为 0 或 1 时损失为 {loss.item()}：log 之前先 clamp / the loss is not finite for exact 0s and 1s: clamp before the log'

