from otter.test_files import test_case

OK_FORMAT = False

name = "sigmoid"
points = 2

@test_case(points=0, hidden=False)
def test_sigmoid_shape_and_values(sigmoid):
    import torch
    x = torch.tensor([[-2.0, 0.0], [2.0, 4.0]])
    out = sigmoid(x)
    assert isinstance(out, torch.Tensor), f'sigmoid 应返回 torch 张量 / sigmoid should return a torch tensor, got {type(out).__name__}'
    assert out.shape == x.shape, f'sigmoid 改变了形状 / sigmoid changed the shape: {tuple(x.shape)} -> {tuple(out.shape)}'
    expected = torch.tensor([[0.1192, 0.5], [0.8808, 0.982]])
    assert torch.allclose(out.float(), expected, atol=0.001), f'sigmoid([[-2, 0], [2, 4]]) = {out.tolist()}, 应约为 / should be about {expected.tolist()}'

@test_case(points=0, hidden=False)
def test_sigmoid_large_inputs(sigmoid):
    import torch
    out = sigmoid(torch.tensor([-1000.0, 1000.0]))
    assert torch.isfinite(out).all(), f'sigmoid(±1000) = {out.tolist()}: 出现 nan/inf，exp 溢出了 / not finite: exp overflows for large inputs'
    assert out[0] < 1e-06 and out[1] > 1 - 1e-06, f'sigmoid(-1000) 应接近 0，sigmoid(1000) 应接近 1 / should be near 0 and 1, got {out.tolist()}'

