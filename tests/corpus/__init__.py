"""Submissions the tests grade: each assignment's honest corpus, and the hostile corpus.

``CORPORA`` maps an assignment's name to its honest corpus; a new assignment adds
``tests/corpus/<name>.py`` defining ``CORPUS`` and an entry here.
"""

from tests.corpus import digits_cnn, honest, kmeans, linear_regression, nn_module, pca, q_learning_robot, rnn_trajectory

CORPORA = {
    corpus.assignment: corpus
    for corpus in (
        linear_regression.CORPUS,
        honest.CORPUS,
        kmeans.CORPUS,
        pca.CORPUS,
        nn_module.CORPUS,
        digits_cnn.CORPUS,
        rnn_trajectory.CORPUS,
        q_learning_robot.CORPUS,
    )
}
