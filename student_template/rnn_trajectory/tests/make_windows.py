from otter.test_files import test_case

OK_FORMAT = False

name = "make_windows"
points = 2

@test_case(points=0, hidden=False)
def test_make_windows_small(make_windows):
    import torch
    from autograder.authoring.checks import gives
    from autograder.authoring.public import call, check_output
    from diagnoses import MESSAGES
    states = torch.arange(12.0).reshape(6, 2)
    x, y = call(make_windows, states, 3, what='make_windows(states, 3)')
    unfolded = [[[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]], [[2.0, 4.0, 6.0], [3.0, 5.0, 7.0]], [[4.0, 6.0, 8.0], [5.0, 7.0, 9.0]], [[6.0, 8.0, 10.0], [7.0, 9.0, 11.0]]]
    check_output(lambda: x, what='x', expected=torch.tensor([[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], [[2.0, 3.0], [4.0, 5.0], [6.0, 7.0]], [[4.0, 5.0], [6.0, 7.0], [8.0, 9.0]]]), diagnose=[gives(unfolded, MESSAGES['time_last'])])
    check_output(lambda: y, expected=torch.tensor([[6.0, 7.0], [8.0, 9.0], [10.0, 11.0]]), what='y', diagnose=[gives([[4.0, 5.0], [6.0, 7.0], [8.0, 9.0]], MESSAGES['target_inside'])])

@test_case(points=0, hidden=False)
def test_make_windows_uses_its_window(make_windows):
    import torch
    from autograder.authoring.public import call, check_that
    x, y = call(make_windows, torch.zeros(20, 3), 5, what='make_windows(torch.zeros(20, 3), 5)')
    check_that(tuple(x.shape) == (15, 5, 3) and tuple(y.shape) == (15, 3), f'20 步、窗口 5 时 x 的形状是 {tuple(x.shape)}、y 是 {tuple(y.shape)}，应为 (15, 5, 3) 和 (15, 3)：用传入的 window，不要写死', f'for 20 steps and a window of 5, x has shape {tuple(x.shape)} and y {tuple(y.shape)}, expected (15, 5, 3) and (15, 3): use the window passed in, do not hard-code it')

