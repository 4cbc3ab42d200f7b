from otter.test_files import test_case

OK_FORMAT = False

name = "poly_features"
points = 1

@test_case(points=0, hidden=False)
def test_poly_features_small(poly_features):
    import torch
    from autograder.authoring.checks import gives
    from autograder.authoring.public import check_output
    from diagnoses import MESSAGES
    x = torch.tensor([[2.0], [-1.0], [0.5]])
    expected = torch.tensor([[1.0, 2.0, 4.0, 8.0], [1.0, -1.0, 1.0, -1.0], [1.0, 0.5, 0.25, 0.125]])
    mistakes = [gives(expected[:, 1:], MESSAGES['no_ones']), gives(expected[:, :-1], MESSAGES['one_short']), gives(expected.flip(1), MESSAGES['falling'])]
    check_output(poly_features, x, 3, expected=expected, diagnose=mistakes)

