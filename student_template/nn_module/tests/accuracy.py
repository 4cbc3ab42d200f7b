from otter.test_files import test_case

OK_FORMAT = False

name = "accuracy"
points = 1

@test_case(points=0, hidden=False)
def test_accuracy_share(accuracy):
    import torch
    from autograder.authoring.public import call, check_that
    acc = call(accuracy, torch.tensor([1, 0, 2, 1]), torch.tensor([1, 0, 0, 0]))
    check_that(isinstance(acc, float), f'accuracy 应返回 Python float（用 .item()），却返回了 {type(acc).__name__}', f'accuracy should return a Python float (use .item()), got {type(acc).__name__}')
    check_that(abs(acc - 0.5) < 1e-06, f'accuracy = {acc}，应为 0.5（4 个对 2 个）', f'accuracy = {acc}, should be 0.5 (2 of 4)')

