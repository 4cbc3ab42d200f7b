from otter.test_files import test_case

OK_FORMAT = False

name = "train_step"
points = 2

@test_case(points=0, hidden=False)
def test_train_step_one_update(train_step):
    import torch
    from torch import nn
    from autograder.authoring.checks import gives
    from autograder.authoring.public import check_output
    from diagnoses import MESSAGES
    model = nn.Sequential(nn.Flatten(), nn.Linear(6, 2))
    with torch.no_grad():
        model[1].weight.copy_(torch.linspace(-0.3, 0.3, 12).reshape(2, 6))
        model[1].bias.zero_()
    for parameter in model.parameters():
        parameter.grad = torch.ones_like(parameter)
    x = torch.sin(torch.arange(24.0)).reshape(4, 3, 2)
    y = torch.cos(torch.arange(8.0)).reshape(4, 2)
    check_output(train_step, model, torch.optim.SGD(model.parameters(), lr=0.1), x, y, expected=0.62774, atol=0.0001)
    check_output(lambda: model[1].bias.detach(), expected=torch.tensor([0.0425, 0.0269]), atol=0.0001, what='bias', diagnose=[gives([-0.05753, -0.07311], MESSAGES['stale_gradients'])])

