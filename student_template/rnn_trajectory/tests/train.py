from otter.test_files import test_case

OK_FORMAT = False

name = "train"
points = 3

@test_case(points=0, hidden=False)
def test_train_batches_and_held_out_error(train):
    import torch
    from torch import nn
    from autograder.authoring.checks import gives
    from autograder.authoring.public import check_output, check_that
    from diagnoses import MESSAGES
    calls = []

    def recording_step(model, optimizer, x, y):
        """Stands in for train_step: records the call and returns the batch's size as its 'loss'."""
        calls.append((len(x), id(optimizer), type(optimizer).__name__, optimizer.param_groups[0]['lr']))
        return float(len(x))
    model = nn.Sequential(nn.Flatten(), nn.Linear(6, 2))
    with torch.no_grad():
        model[1].weight.copy_(torch.linspace(-0.3, 0.3, 12).reshape(2, 6))
        model[1].bias.fill_(0.1)
    x = torch.sin(torch.arange(60.0)).reshape(10, 3, 2)
    y = torch.cos(torch.arange(20.0)).reshape(10, 2)
    x_test = torch.sin(torch.arange(18.0) + 0.5).reshape(3, 3, 2)
    y_test = torch.cos(torch.arange(6.0) + 0.5).reshape(3, 2)
    check_output(train, model, x, y, x_test, y_test, 2, 0.05, 4, expected=([3.33333, 3.33333], [0.49185, 0.49185]), atol=0.0001, using={'train_step': recording_step}, diagnose=[gives(([10.0, 10.0], [0.49185, 0.49185]), MESSAGES['sum_of_batches']), gives(([3.6, 3.6], [0.49185, 0.49185]), MESSAGES['weighted_mean']), gives(([2.0, 2.0], [0.49185, 0.49185]), MESSAGES['last_batch_only']), gives(([4.0, 4.0], [0.49185, 0.49185]), MESSAGES['tail_dropped']), gives(([3.33333, 3.33333], [0.59739, 0.59739]), MESSAGES['test_on_train'])])
    sizes = [size for size, *_ in calls]
    check_that(sizes == [4, 4, 2] * 2, f'各次 train_step 收到的批大小是 {sizes}，应为 [4, 4, 2, 4, 4, 2]：按顺序分批，最后一批可以更小', f'train_step got batches of {sizes}, expected [4, 4, 2, 4, 4, 2]: batches in order, the last one may be smaller')
    check_that(len({optimizer for _, optimizer, *_ in calls}) == 1, '每个 epoch 都新建了优化器：Adam 的滑动平均被清空了；在循环之前只建一次', "a new optimiser was built each epoch, which wipes Adam's running averages: build it once, before the loop")
    optimisers = sorted({(kind, lr) for _, _, kind, lr in calls})
    check_that(optimisers == [('Adam', 0.05)], f'优化器是 {optimisers}，应为 Adam、学习率 lr（这里是 0.05）', f'the optimiser is {optimisers}, expected Adam with the learning rate lr (0.05 here)')

