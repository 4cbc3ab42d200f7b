from otter.test_files import test_case

OK_FORMAT = False

name = "assign_clusters"
points = 2

@test_case(points=0, hidden=False)
def test_assign_clusters_small(assign_clusters):
    import numpy as np
    from autograder.authoring.public import check_output
    from autograder.authoring.checks import gives
    from diagnoses import MESSAGES
    x = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 3.0], [5.0, -1.0]])
    centroids = np.array([[0.0, 1.0], [4.0, 0.0]])
    check_output(assign_clusters, x, centroids, expected=np.array([0, 1, 0, 1]), diagnose=[gives([1, 0, 1, 0], MESSAGES['farthest'])])

@test_case(points=0, hidden=False)
def test_assign_clusters_tie(assign_clusters):
    import numpy as np
    from autograder.authoring.public import check_output
    from autograder.authoring.checks import gives
    from diagnoses import MESSAGES
    x = np.array([[2.0, 0.5], [0.0, 0.0]])
    centroids = np.array([[0.0, 1.0], [4.0, 0.0]])
    check_output(assign_clusters, x, centroids, expected=np.array([0, 0]), diagnose=[gives([1, 0], MESSAGES['ties']), gives([0, 1], MESSAGES['farthest'])])

