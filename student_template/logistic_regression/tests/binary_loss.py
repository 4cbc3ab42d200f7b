from otter.test_files import test_case

OK_FORMAT = False

name = "binary_loss"
points = 2

@test_case(points=0, hidden=False)
def test_binary_loss_value(binary_loss):
    import torch
    from autograder.authoring.public import check_output
    from diagnoses import LOSS
    y_pred = torch.tensor([[0.9], [0.2], [0.6]])
    y = torch.tensor([[1.0], [0.0], [1.0]])
    check_output(binary_loss, y_pred, y, expected=torch.tensor(0.2798), atol=0.001, diagnose=LOSS)

@test_case(points=0, hidden=False)
def test_binary_loss_exact_zeros_and_ones(binary_loss):
    import torch
    from autograder.authoring.public import check_output
    from diagnoses import LOSS
    y_pred = torch.tensor([[0.0], [1.0], [0.5]])
    y = torch.tensor([[0.0], [1.0], [1.0]])
    check_output(binary_loss, y_pred, y, expected=torch.tensor(0.231), atol=0.001, diagnose=LOSS)

