from otter.test_files import test_case

OK_FORMAT = False

name = "gradient_step"
points = 2

@test_case(points=0, hidden=False)
def test_gradient_step_moves_downhill(gradient_step):
    import torch
    from autograder.authoring.checks import gives
    from autograder.authoring.public import check_inplace
    from diagnoses import MESSAGES
    w = torch.tensor([0.5], requires_grad=True)
    b = torch.tensor([-1.0], requires_grad=True)
    w.grad, b.grad = (torch.tensor([2.0]), torch.tensor([-4.0]))
    check_inplace(gradient_step, [w, b], 0.1, expected=lambda params, lr: torch.optim.SGD(params, lr=lr).step(), diagnose=[gives([-1.5, 3.0], MESSAGES['no_rate'])])

