from otter.test_files import test_case

OK_FORMAT = False

name = "mse_loss"
points = 2

@test_case(points=0, hidden=False)
def test_mse_loss_value(mse_loss):
    import torch
    from autograder.authoring.checks import gives
    from autograder.authoring.public import check_output
    from diagnoses import MESSAGES
    y_pred = torch.tensor([[1.0], [2.0], [4.0]])
    y = torch.tensor([[1.0], [3.0], [2.0]])
    mistakes = [gives(1.0, MESSAGES['absolute']), gives(1.291, MESSAGES['root']), gives(0.3333, MESSAGES['not_squared']), gives(-0.3333, MESSAGES['not_squared']), gives(2.3333, MESSAGES['broadcast'])]
    check_output(mse_loss, y_pred, y, expected=torch.tensor(5.0 / 3.0), atol=0.0001, diagnose=mistakes)

@test_case(points=0, hidden=False)
def test_mse_loss_gradient(mse_loss):
    import torch
    from autograder.authoring.public import check_gradient
    y_pred = torch.tensor([[0.5], [-1.0], [2.0], [0.0]])
    y = torch.tensor([[1.0], [1.0], [1.0], [1.0]])
    check_gradient(mse_loss, y_pred, y, expected=2 * (y_pred - y) / 4, atol=1e-05)

