from otter.test_files import test_case

OK_FORMAT = False

name = "update_centroids"
points = 2

@test_case(points=0, hidden=False)
def test_update_centroids_means(update_centroids):
    import numpy as np
    from autograder.authoring.public import check_output
    from diagnoses import UPDATE
    x = np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 4.0], [6.0, 2.0], [5.0, 6.0]])
    labels = np.array([0, 0, 1, 1, 1])
    centroids = np.array([[1.0, 1.0], [4.0, 4.0]])
    check_output(update_centroids, x, labels, centroids, expected=np.array([[1.0, 0.0], [5.0, 4.0]]), diagnose=UPDATE)

@test_case(points=0, hidden=False)
def test_update_centroids_empty_cluster(update_centroids):
    import numpy as np
    from autograder.authoring.public import check_output
    from diagnoses import UPDATE
    x = np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 4.0], [6.0, 2.0]])
    labels = np.array([0, 0, 2, 2])
    centroids = np.array([[1.0, 1.0], [9.0, 9.0], [5.0, 5.0]])
    check_output(update_centroids, x, labels, centroids, expected=np.array([[1.0, 0.0], [9.0, 9.0], [5.0, 3.0]]), diagnose=UPDATE)

