"""Hidden cases of digits_cnn: each compares a student's function with the solution's.

`cases.output(function, case, *arguments)` calls the student's function and the
solution's on the same arguments (drawn once, at release) and compares what they
return. See docs/authoring.md for training curves, accuracy on held-out data,
models (nn.Module classes) and hand-written cases.
"""
import numpy as np

from autograder.authoring import Cases, normal

cases = Cases(torch=True)

CASES = [
    cases.output("standardize", "column", normal(3.0, 2.0, (20, 1))),
    cases.output("standardize", "matrix", normal(0.0, 5.0, (8, 4))),
    cases.output("standardize", "fixed", np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])),
]
