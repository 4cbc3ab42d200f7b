from otter.test_files import test_case

OK_FORMAT = False

name = "kmeans"
points = 4

@test_case(points=0, hidden=False)
def test_kmeans_small(kmeans):
    import numpy as np
    from scipy import ndimage
    from scipy.cluster.vq import vq
    from scipy.spatial.distance import cdist
    from autograder.authoring.public import check_output
    from diagnoses import KMEANS

    def means(x, labels, centroids):
        found = np.column_stack([ndimage.mean(x[:, d], labels, np.arange(len(centroids))) for d in range(x.shape[1])])
        return np.where(np.isnan(found), centroids, found)
    parts = {'assign_clusters': lambda x, centroids: vq(x, centroids)[0], 'update_centroids': means, 'inertia': lambda x, centroids, labels: float(cdist(x, centroids, 'sqeuclidean')[np.arange(len(x)), labels].sum())}
    x = np.array([[0.0, 0.0], [1.0, 0.5], [0.5, 1.5], [6.0, 5.0], [7.0, 6.5], [5.5, 6.0], [0.5, 4.0], [6.5, 3.0]])
    expected = (np.array([[0.5, 1.5], [6.25, 5.125]]), np.array([0, 0, 0, 1, 1, 1, 0, 1]), [84.2143, 18.4375, 18.4375, 18.4375])
    check_output(kmeans, x, 2, 4, 1, expected=expected, atol=0.001, using=parts, diagnose=KMEANS)

