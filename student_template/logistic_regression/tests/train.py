from otter.test_files import test_case

OK_FORMAT = False

name = "train"
points = 4

@test_case(points=0, hidden=False)
def test_train_steps(train):
    import torch
    import torch.nn.functional as F
    from autograder.authoring.public import check_curve, check_output, check_that
    parts = {'sigmoid': torch.sigmoid, 'binary_loss': F.binary_cross_entropy}

    def with_torch_optim(x, y, w, b, lr, epochs):
        optimizer = torch.optim.SGD([w, b], lr=lr)
        losses = []
        for _ in range(epochs):
            loss = F.binary_cross_entropy(torch.sigmoid(x @ w + b), y)
            losses.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return losses
    x = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.2, 0.4]])
    y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
    w = torch.tensor([[0.5], [-0.5]], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    w_end, b_end = (w.detach().clone().requires_grad_(), b.detach().clone().requires_grad_())
    with_torch_optim(x, y, w_end, b_end, 0.5, 5)
    check_curve(train, x, y, w, b, 0.5, 5, expected=with_torch_optim, using=parts)
    check_that(not torch.equal(w.detach(), torch.tensor([[0.5], [-0.5]])), 'train 之后 w 没有变：要原地更新传入的 w 和 b（w.data -= lr * w.grad，或在 torch.no_grad() 下 w -= lr * w.grad）', 'w is unchanged after train: update the w and b passed in, in place (w.data -= lr * w.grad, or w -= lr * w.grad under torch.no_grad())')
    check_output(lambda: w.detach(), expected=w_end.detach(), what='w', atol=0.0001)
    check_output(lambda: b.detach(), expected=b_end.detach(), what='b', atol=0.0001)

