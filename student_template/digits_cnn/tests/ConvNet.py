from otter.test_files import test_case

OK_FORMAT = False

name = "ConvNet"
points = 4

@test_case(points=0, hidden=False)
def test_convnet_shapes(ConvNet):
    import torch
    from autograder.authoring.public import check_that
    model = ConvNet()
    shapes = [tuple(parameter.shape) for parameter in model.parameters()]
    expected = [(8, 1, 3, 3), (8,), (16, 8, 3, 3), (16,), (10, 64), (10,)]
    check_that(shapes == expected, f'参数形状是 {shapes}，应为 {expected}：按 conv1、conv2、线性层的顺序定义各层', f'the parameters have shapes {shapes}, expected {expected}: define conv1, conv2 and the linear layer, in that order')
    try:
        out = model(torch.zeros(5, 1, 8, 8))
    except Exception as error:
        flatten = ('（摊平时要保留第一维，即批：x.flatten(1)）', ' (flatten each image, keeping the batch dimension: x.flatten(1))') if 'mat1 and mat2' in str(error) else ('', '')
        check_that(False, f'5 张图片时 forward 出错了：{type(error).__name__}: {error}{flatten[0]}', f'forward raised {type(error).__name__}: {error} on 5 images{flatten[1]}')
    check_that(tuple(out.shape) == (5, 10), f'5 张图片的输出形状是 {tuple(out.shape)}，应为 (5, 10)：每张图片 10 个 logits', f'the output for 5 images has shape {tuple(out.shape)}, expected (5, 10): 10 logits per image')

@test_case(points=0, hidden=False)
def test_convnet_forward(ConvNet):
    import torch
    from autograder.authoring.public import check_output
    from diagnoses import CONVNET
    model = ConvNet()
    with torch.no_grad():
        for index, parameter in enumerate(model.parameters()):
            parameter.copy_(torch.linspace(-0.2, 0.2, parameter.numel()).reshape(parameter.shape) * (-1) ** index)
    x = torch.sin(torch.arange(128.0)).reshape(2, 1, 8, 8)
    expected = torch.tensor([[-4.1933, -3.1821, -2.1708, -1.1596, -0.1484, 0.8628, 1.8741, 2.8853, 3.8965, 4.9078], [-4.277, -3.2459, -2.2148, -1.1838, -0.1527, 0.8783, 1.9094, 2.9405, 3.9715, 5.0026]])
    check_output(model, x, expected=expected, atol=0.001, what='ConvNet', diagnose=CONVNET)

