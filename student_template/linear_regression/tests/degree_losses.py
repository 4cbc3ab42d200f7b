from otter.test_files import test_case

OK_FORMAT = False

name = "degree_losses"
points = 1

@test_case(points=0, hidden=False)
def test_degree_losses_small(degree_losses):
    import torch
    import torch.nn.functional as F
    from autograder.authoring.checks import gives
    from autograder.authoring.public import check_output
    from diagnoses import MESSAGES
    parts = {'poly_features': lambda x, degree: torch.vander(x[:, 0], degree + 1, increasing=True), 'least_squares': lambda X, y: torch.linalg.lstsq(X, y).solution, 'mse_loss': F.mse_loss}
    x_train = torch.tensor([[-1.0], [-0.5], [0.0], [0.5], [1.0]])
    y_train = torch.tensor([[1.0], [0.0], [0.5], [0.0], [1.5]])
    x_test = torch.tensor([[-0.75], [0.25], [0.75]])
    y_test = torch.tensor([[0.5], [0.0], [1.0]])
    expected = ([0.32, 0.09143], [0.1625, 0.01828])
    fitted_on_test = ([0.33399, 0.15043], [0.14881, 0.0])
    check_output(degree_losses, x_train, y_train, x_test, y_test, 2, expected=expected, atol=0.001, using=parts, diagnose=[gives(fitted_on_test, MESSAGES['fitted_on_test']), gives(expected[::-1], MESSAGES['swapped'])])

