from otter.test_files import test_case

OK_FORMAT = False

name = "build_sequential"
points = 2

@test_case(points=0, hidden=False)
def test_build_sequential_shapes(build_sequential):
    import torch
    from torch import nn
    model = build_sequential(3, 5, 4)
    assert isinstance(model, nn.Sequential), f'应返回 nn.Sequential / should return an nn.Sequential, got {type(model).__name__}'
    shapes = [tuple(p.shape) for p in model.parameters()]
    assert shapes == [(5, 3), (5,), (4, 5), (4,)], f'参数形状是 {shapes}，应为 / the parameter shapes are {shapes}, should be [(5, 3), (5,), (4, 5), (4,)]: 用传入的大小 / use the sizes passed in'
    out = model(torch.zeros(6, 3))
    assert tuple(out.shape) == (6, 4), f'输出形状应为 (6, 4) / the output shape should be (6, 4), got {tuple(out.shape)}'

@test_case(points=0, hidden=False)
def test_build_sequential_has_relu(build_sequential):
    from torch import nn
    layers = list(build_sequential(2, 8, 2))
    kinds = [type(layer).__name__ for layer in layers]
    assert kinds == ['Linear', 'ReLU', 'Linear'], f"层的顺序是 {kinds}，应为 / the layers are {kinds}, should be ['Linear', 'ReLU', 'Linear']"

