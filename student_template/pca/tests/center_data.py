from otter.test_files import test_case

OK_FORMAT = False

name = "center_data"
points = 1

@test_case(points=0, hidden=False)
def test_center_data_small(center_data):
    import numpy as np
    from autograder.authoring.public import check_output
    from diagnoses import CENTER
    x = np.array([[2.0, 0.0, 1.0], [4.0, 2.0, 1.0], [6.0, 1.0, 4.0], [0.0, 1.0, 2.0]])
    expected = (np.array([[-1.0, -1.0, -1.0], [1.0, 1.0, -1.0], [3.0, 0.0, 2.0], [-3.0, 0.0, 0.0]]), np.array([3.0, 1.0, 2.0]))
    check_output(center_data, x, expected=expected, diagnose=CENTER)

@test_case(points=0, hidden=False)
def test_center_data_leaves_x_alone(center_data):
    import numpy as np
    from autograder.authoring.public import check_inplace
    from diagnoses import x_changed
    x = np.array([[1.0, 4.0], [3.0, 0.0], [5.0, 2.0]])
    check_inplace(center_data, x, expected=[x.copy()], updates=(0,), diagnose=[x_changed])

