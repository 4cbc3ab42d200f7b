from otter.test_files import test_case

OK_FORMAT = False

name = "train"
points = 2

@test_case(points=0, hidden=False)
def test_train_steps(train):
    import torch
    import torch.nn.functional as F
    from autograder.authoring.public import check_curve, check_output
    parts = {'mse_loss': F.mse_loss, 'gradient_step': lambda params, lr: torch.optim.SGD(params, lr=lr).step()}

    def with_torch_optim(x, y, w, b, lr, epochs):
        optimizer = torch.optim.SGD([w, b], lr=lr)
        losses = []
        for _ in range(epochs):
            loss = F.mse_loss(x * w + b, y)
            losses.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return losses
    x = torch.tensor([[-1.0], [-0.5], [0.0], [0.5], [1.0]])
    y = torch.tensor([[-1.2], [-0.1], [0.4], [1.1], [1.9]])
    w, b = (torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True))
    w_end, b_end = (torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True))
    with_torch_optim(x, y, w_end, b_end, 0.3, 6)
    check_curve(train, x, y, w, b, 0.3, 6, expected=with_torch_optim, using=parts)
    check_output(lambda: w.detach(), expected=w_end.detach(), what='w', atol=0.0001)
    check_output(lambda: b.detach(), expected=b_end.detach(), what='b', atol=0.0001)

