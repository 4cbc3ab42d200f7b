from otter.test_files import test_case

OK_FORMAT = False

name = "TwoLayerNet"
points = 2

@test_case(points=0, hidden=False)
def test_two_layer_net_shapes(TwoLayerNet):
    import torch
    from torch import nn
    from autograder.authoring.public import call, check_that
    net = call(TwoLayerNet, 3, 5, 4)
    check_that(isinstance(net, nn.Module), 'TwoLayerNet 应继承 nn.Module', 'TwoLayerNet should subclass nn.Module')
    shapes = sorted((tuple(p.shape) for p in net.parameters()))
    check_that(shapes == sorted([(5, 3), (5,), (4, 5), (4,)]), f'参数形状是 {shapes}：是否调用了 super().__init__()，并用了传入的大小？', f'the parameter shapes are {shapes}: did you call super().__init__() and use the sizes passed in?')
    out = call(net, torch.zeros(6, 3), what='TwoLayerNet(3, 5, 4)')
    check_that(tuple(out.shape) == (6, 4), f'输出形状应为 (6, 4)，却是 {tuple(out.shape)}', f'the output shape should be (6, 4), got {tuple(out.shape)}')

@test_case(points=0, hidden=False)
def test_two_layer_net_forward(TwoLayerNet):
    import torch
    from autograder.authoring.public import call, check_that
    net = call(TwoLayerNet, 2, 4, 3)
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.fill_(0.5)
        out = call(net, torch.tensor([[-3.0, -3.0], [1.0, 1.0]]), what='TwoLayerNet(2, 4, 3)')
    expected = torch.tensor([[0.5, 0.5, 0.5], [3.5, 3.5, 3.5]])
    check_that(torch.allclose(out, expected), f'所有参数为 0.5 时输出是 {out.tolist()}，应为 {expected.tolist()}：隐藏层后有 ReLU 吗？最后没有 softmax 吗？', f'with every parameter 0.5 the output is {out.tolist()}, should be {expected.tolist()}: is there a ReLU after the hidden layer, and no softmax at the end?')

