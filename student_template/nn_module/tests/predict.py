from otter.test_files import test_case

OK_FORMAT = False

name = "predict"
points = 2

@test_case(points=0, hidden=False)
def test_predict_rows(predict):
    import torch
    from torch import nn
    from autograder.authoring.public import call, check_that
    logits = torch.tensor([[0.1, 2.0, -1.0], [3.0, 0.0, 0.5], [0.0, 0.2, 0.9], [1.0, 1.5, 0.0]])
    predicted = call(predict, nn.Identity(), logits)
    check_that(isinstance(predicted, torch.Tensor), f'predict 应返回张量，却返回了 {type(predicted).__name__}', f'predict should return a tensor, got {type(predicted).__name__}')
    check_that(tuple(predicted.shape) == (4,), f'predict 的形状是 {tuple(predicted.shape)}，应为 (4,)：argmax 沿 dim=1（每行）', f'predict has shape {tuple(predicted.shape)}, should be (4,): take argmax along dim=1 (each row)')
    check_that(predicted.tolist() == [1, 0, 2, 1], f'predict = {predicted.tolist()}，应为 [1, 0, 2, 1]', f'predict = {predicted.tolist()}, should be [1, 0, 2, 1]')

