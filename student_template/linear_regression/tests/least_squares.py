from otter.test_files import test_case

OK_FORMAT = False

name = "least_squares"
points = 2

@test_case(points=0, hidden=False)
def test_least_squares_exact_line(least_squares):
    import torch
    from autograder.authoring.public import check_output
    X = torch.tensor([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
    y = torch.tensor([[1.0], [3.0], [5.0], [7.0]])
    check_output(least_squares, X, y, expected=torch.tensor([[1.0], [2.0]]), atol=0.0001)

@test_case(points=0, hidden=False)
def test_least_squares_noisy_points(least_squares):
    import torch
    from autograder.authoring.public import check_output
    X = torch.tensor([[1.0, -1.0], [1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    y = torch.tensor([[0.0], [2.0], [1.0], [4.0]])
    check_output(least_squares, X, y, expected=lambda X, y: torch.linalg.lstsq(X, y).solution, atol=0.0001)

