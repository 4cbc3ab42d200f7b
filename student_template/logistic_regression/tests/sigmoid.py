from otter.test_files import test_case

OK_FORMAT = False

name = "sigmoid"
points = 2

@test_case(points=0, hidden=False)
def test_sigmoid_values(sigmoid):
    import torch
    from autograder.authoring.public import check_output
    from diagnoses import SIGMOID
    x = torch.tensor([[-2.0, 0.0], [2.0, 4.0]])
    check_output(sigmoid, x, expected=torch.tensor([[0.1192, 0.5], [0.8808, 0.982]]), atol=0.001, diagnose=SIGMOID)

@test_case(points=0, hidden=False)
def test_sigmoid_large_inputs(sigmoid):
    import torch
    from autograder.authoring.public import check_output
    from diagnoses import SIGMOID
    x = torch.tensor([-1000.0, -30.0, 30.0, 1000.0])
    check_output(sigmoid, x, expected=torch.tensor([0.0, 9.3576e-14, 1.0, 1.0]), atol=1e-06, diagnose=SIGMOID)

@test_case(points=0, hidden=False)
def test_sigmoid_gradient(sigmoid):
    import torch
    from autograder.authoring.public import check_gradient
    check_gradient(sigmoid, torch.tensor([-2.0, 0.0, 2.0]), expected=torch.tensor([0.105, 0.25, 0.105]), atol=0.001)

