from otter.test_files import test_case

OK_FORMAT = False

name = "accuracy"
points = 2

@test_case(points=0, hidden=False)
def test_accuracy_value(accuracy):
    import torch
    acc = accuracy(torch.tensor([[0.9], [0.2], [0.6], [0.4]]), torch.tensor([[1.0], [0.0], [0.0], [0.0]]))
    assert isinstance(acc, float), f'accuracy 应返回 Python float（用 .item()）/ should return a Python float (use .item()), got {type(acc).__name__}'
    assert abs(acc - 0.75) < 1e-06, f'accuracy = {acc}, 应为 / should be 0.75 (3 of 4 rows right)'

