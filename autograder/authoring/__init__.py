"""The authoring API: what an assignment's ``cases.py`` imports.

This package is the kit's runtime too: release copies it into every
autograder zip, where Otter runs the hidden tests next to the student's
notebook, and the kit's grader runs its probes in the sandbox. So it imports
nothing but NumPy at load time (torch only when a case uses it).

Declared cases (most hidden tests)::

    from autograder.authoring import Cases, data, normal, tensor

Hand-written cases, for what declarations do not cover: ``Case`` with a
probe and a judge, and the helpers in ``checks``. See docs/authoring.md.
"""

from autograder.authoring import checks
from autograder.authoring.arguments import array, data, drawn, integers, normal, tensor, uniform
from autograder.authoring.cases import Case, InputContext, call_guarded, swapped
from autograder.authoring.checks import CheckFailed, Verdict
from autograder.authoring.curve_charts import Curves, FittedLine, LossCurve
from autograder.authoring.declare import Cases, DeclarationError
from autograder.authoring.grid_charts import GridPath
from autograder.authoring.language import say
from autograder.authoring.model_arguments import built, loader, model
from autograder.authoring.mutants import Equivalent
from autograder.authoring.parameters import items, parameter
from autograder.authoring.point_charts import Clusters, LinearBoundary, Scatter
from autograder.authoring.region_charts import DecisionRegions
from autograder.authoring.thresholds import reference_bar
from autograder.authoring.wire import ProbeError, Value

__all__ = [
    "Case",
    "Cases",
    "CheckFailed",
    "Clusters",
    "Curves",
    "DecisionRegions",
    "DeclarationError",
    "Equivalent",
    "FittedLine",
    "GridPath",
    "InputContext",
    "LinearBoundary",
    "LossCurve",
    "ProbeError",
    "Scatter",
    "Value",
    "Verdict",
    "array",
    "built",
    "call_guarded",
    "checks",
    "data",
    "drawn",
    "integers",
    "items",
    "loader",
    "model",
    "normal",
    "parameter",
    "reference_bar",
    "say",
    "swapped",
    "tensor",
    "uniform",
]
