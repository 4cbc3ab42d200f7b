from otter.test_files import test_case

OK_FORMAT = False

name = "accuracy"
points = 1

@test_case(points=0, hidden=False)
def test_accuracy_share(accuracy):
    import torch
    acc = accuracy(torch.tensor([1, 0, 2, 1]), torch.tensor([1, 0, 0, 0]))
    assert isinstance(acc, float), f'accuracy 应返回 Python float（用 .item()）/ accuracy should return a Python float (use .item()), got {type(acc).__name__}'
    assert abs(acc - 0.5) < 1e-06, f'accuracy = {acc}，应为 / should be 0.5 (2 of 4)'

