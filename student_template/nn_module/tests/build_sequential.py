from otter.test_files import test_case

OK_FORMAT = False

name = "build_sequential"
points = 2

@test_case(points=0, hidden=False)
def test_build_sequential_shapes(build_sequential):
    import torch
    from torch import nn
    from autograder.authoring.public import call, check_that
    model = call(build_sequential, 3, 5, 4)
    check_that(isinstance(model, nn.Sequential), f'应返回 nn.Sequential，却返回了 {type(model).__name__}', f'should return an nn.Sequential, got {type(model).__name__}')
    shapes = [tuple(p.shape) for p in model.parameters()]
    check_that(shapes == [(5, 3), (5,), (4, 5), (4,)], f'参数形状是 {shapes}，应为 [(5, 3), (5,), (4, 5), (4,)]：用传入的大小', f'the parameter shapes are {shapes}, should be [(5, 3), (5,), (4, 5), (4,)]: use the sizes passed in')
    out = call(model, torch.zeros(6, 3), what='build_sequential(3, 5, 4)')
    check_that(tuple(out.shape) == (6, 4), f'输出形状应为 (6, 4)，却是 {tuple(out.shape)}', f'the output shape should be (6, 4), got {tuple(out.shape)}')

@test_case(points=0, hidden=False)
def test_build_sequential_has_relu(build_sequential):
    from autograder.authoring.public import call, check_that
    kinds = [type(layer).__name__ for layer in call(build_sequential, 2, 8, 2)]
    check_that(kinds == ['Linear', 'ReLU', 'Linear'], f"层的顺序是 {kinds}，应为 ['Linear', 'ReLU', 'Linear']", f"the layers are {kinds}, should be ['Linear', 'ReLU', 'Linear']")

