from otter.test_files import test_case

OK_FORMAT = False

name = "train"
points = 3

@test_case(points=0, hidden=False)
def test_train_lowers_the_loss(train):
    import torch
    from torch import nn
    from autograder.authoring.public import check_curve
    model = nn.Linear(2, 3)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.5, -0.2], [-0.3, 0.4], [0.1, 0.1]]))
        model.bias.copy_(torch.tensor([0.1, 0.0, -0.1]))
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    y = torch.tensor([0, 1, 2])
    check_curve(train, model, x, y, 5, 0.5, expected=[0.89844, 0.716639, 0.586522, 0.493277, 0.424756])

