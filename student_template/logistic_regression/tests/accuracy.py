from otter.test_files import test_case

OK_FORMAT = False

name = "accuracy"
points = 2

@test_case(points=0, hidden=False)
def test_accuracy_value(accuracy):
    import torch
    from autograder.authoring.public import check_output
    from diagnoses import ACCURACY
    y_pred = torch.tensor([[0.9], [0.2], [0.6], [0.4], [0.5]])
    y = torch.tensor([[1.0], [0.0], [0.0], [0.0], [1.0]])
    check_output(accuracy, y_pred, y, expected=0.8, diagnose=ACCURACY)

