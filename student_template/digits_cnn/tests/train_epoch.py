from otter.test_files import test_case

OK_FORMAT = False

name = "train_epoch"
points = 4

@test_case(points=0, hidden=False)
def test_train_epoch_one_batch(train_epoch):
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset
    from autograder.authoring.public import check_output, check_that
    x = torch.sin(torch.arange(512.0)).reshape(8, 1, 8, 8)
    y = torch.arange(8)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    with torch.no_grad():
        model[1].weight.copy_(torch.linspace(-0.1, 0.1, 640).reshape(10, 64))
        model[1].bias.zero_()
    loader = DataLoader(TensorDataset(x, y), batch_size=8)
    check_output(train_epoch, model, loader, torch.optim.SGD(model.parameters(), lr=0.5), nn.CrossEntropyLoss(), expected=2.3066, atol=0.001)
    bias = model[1].bias.detach()
    check_that(bool(bias.abs().sum() > 0), 'train_epoch 之后参数没有变：先 loss.backward() 算出梯度，再 optimizer.step() 用它更新', 'the parameters did not change: call loss.backward() to compute the gradients, then optimizer.step() to use them')
    expected = torch.tensor([0.0134, 0.0133, 0.0131, 0.0129, 0.0127, 0.0124, 0.0122, 0.012, -0.0508, -0.0511])
    check_output(lambda: bias, expected=expected, atol=0.001, what='bias')

@test_case(points=0, hidden=False)
def test_train_epoch_three_batches(train_epoch):
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset
    from autograder.authoring.public import check_output, check_that
    x = torch.sin(torch.arange(1280.0)).reshape(20, 1, 8, 8)
    y = torch.arange(20) % 10
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    with torch.no_grad():
        model[1].weight.copy_(torch.linspace(-0.1, 0.1, 640).reshape(10, 64))
        model[1].bias.zero_()
    loader = DataLoader(TensorDataset(x, y), batch_size=8)
    returned = train_epoch(model, loader, torch.optim.SGD(model.parameters(), lr=0.5), nn.CrossEntropyLoss())
    check_that(returned is not None, 'train_epoch 返回了 None：还没写完，还是漏了 return？', 'train_epoch returned None: is it unfinished, or is a return missing?')
    bias = model[1].bias.detach()
    expected = torch.tensor([-0.0235, -0.0526, -0.0753, -0.0753, -0.0511, -0.0047, 0.0753, 0.0637, 0.0565, 0.0868])
    check_that(bool(torch.allclose(bias, expected, atol=0.001)), f'三批之后 bias 是 {[round(v, 4) for v in bias.tolist()[:3]]}……，应为 {[round(v, 4) for v in expected.tolist()[:3]]}……：每一批都要先 optimizer.zero_grad()，再 loss.backward()，最后 optimizer.step()（不清零，上一批的梯度会加进来）', f"after three batches the bias is {[round(v, 4) for v in bias.tolist()[:3]]}..., expected {[round(v, 4) for v in expected.tolist()[:3]]}...: in every batch call optimizer.zero_grad(), then loss.backward(), then optimizer.step() (without zeroing, the earlier batches' gradients add up)")
    check_output(lambda: returned, expected=2.1839, atol=0.001, what='train_epoch')

@test_case(points=0, hidden=False)
def test_train_epoch_mean_over_images(train_epoch):
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset
    from autograder.authoring.public import check_output
    from diagnoses import TRAIN_EPOCH, first_pixels_model
    x = torch.sin(torch.arange(1280.0)).reshape(20, 1, 8, 8)
    y = torch.arange(20) % 10
    model = first_pixels_model().eval()
    loader = DataLoader(TensorDataset(x, y), batch_size=8)
    check_output(train_epoch, model, loader, torch.optim.SGD(model.parameters(), lr=0.0), nn.CrossEntropyLoss(), expected=2.5166, atol=0.001, diagnose=TRAIN_EPOCH)

