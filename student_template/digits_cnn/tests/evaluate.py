from otter.test_files import test_case

OK_FORMAT = False

name = "evaluate"
points = 2

@test_case(points=0, hidden=False)
def test_evaluate_uneven_batches(evaluate):
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    from autograder.authoring.public import check_output
    from diagnoses import EVALUATE, first_pixels_model
    predicted = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
    y = torch.tensor([3, 1, 4, 1, 5, 9, 3, 7, 6, 4])
    x = torch.zeros(10, 1, 8, 8)
    for row, label in enumerate(predicted):
        x.view(10, -1)[row, label] = 1.0
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    check_output(evaluate, first_pixels_model(), loader, expected=0.6, diagnose=EVALUATE)

