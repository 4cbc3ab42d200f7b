from otter.test_files import test_case

OK_FORMAT = False

name = "TrajectoryRNN"
points = 3

@test_case(points=0, hidden=False)
def test_trajectory_rnn_shapes(TrajectoryRNN):
    import torch
    from autograder.authoring.public import call, check_that
    model = call(TrajectoryRNN, 3, 5)
    shapes = [tuple(parameter.shape) for parameter in model.parameters()]
    expected = [(15, 3), (15, 5), (15,), (15,), (3, 5), (3,)]
    check_that(shapes == expected, f'参数形状是 {shapes}，应为 {expected}：先 nn.GRU(features, hidden, batch_first=True)，再 nn.Linear(hidden, features)，用传入的大小', f'the parameters have shapes {shapes}, expected {expected}: nn.GRU(features, hidden, batch_first=True) first, then nn.Linear(hidden, features), with the sizes passed in')
    out = call(model, torch.zeros(4, 6, 3), what='TrajectoryRNN(3, 5)')
    check_that(tuple(out.shape) == (4, 3), f'4 个长 6 的窗口，输出形状是 {tuple(out.shape)}，应为 (4, 3)：每个窗口预测一步', f'for 4 windows of length 6 the output has shape {tuple(out.shape)}, expected (4, 3): one next step per window')

@test_case(points=0, hidden=False)
def test_trajectory_rnn_forward(TrajectoryRNN):
    import torch
    from autograder.authoring.checks import gives
    from autograder.authoring.public import check_output
    from diagnoses import MESSAGES
    model = TrajectoryRNN(2, 3)
    with torch.no_grad():
        for index, parameter in enumerate(model.parameters()):
            parameter.copy_(torch.linspace(-0.5, 0.5, parameter.numel()).reshape(parameter.shape) * (-1) ** index)
    x = torch.sin(torch.arange(24.0)).reshape(3, 4, 2)
    expected = torch.tensor([[0.3904, -0.3958], [0.2083, -0.1788], [0.509, -0.5605]])
    check_output(model, x, expected=expected, atol=0.001, what='TrajectoryRNN', diagnose=[gives([[0.3664, -0.3326], [0.1845, -0.1223], [0.5088, -0.5505]], MESSAGES['batch_first'], atol=0.001), gives([[0.3075, -0.2686], [0.2521, -0.2134], [0.6174, -0.6571]], MESSAGES['first_time'], atol=0.001)])

