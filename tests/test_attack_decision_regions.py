"""Attack: a decision-regions chart whose labels span a huge range (nn_module's feedback page).

``DecisionRegions`` records ``net(grid).argmax(dim=1)``, run on the student's ``net`` in the
sandbox; a notebook that ends with ``net = lambda grid: Fake()`` (``Fake().argmax(dim=1)`` returning
``torch.zeros(3600)`` with one entry set to 10**7) records 3600 finite labels, well under every cap.
The grader then draws the page in its own process with
``contourf(..., levels=np.arange(regions.min() - 0.5, regions.max() + 1.5))``: ten million levels,
about 0.3 ms each, so the feedback page of that one submission takes most of an hour of the
grader's CPU (and gigabytes for the SVG), and a label of 10**9 stops the run for good. No per-file
timeout covers the grader's own page writing.

Drawn here in a forked child with a deadline, so the test costs at most that deadline.
"""

from __future__ import annotations

import numpy as np

from autograder.authoring import DecisionRegions
from autograder.forking import run_forked
from autograder.grading.pages import chart_drawing as drawing

DEADLINE_S = 30.0


def _draw_hostile_regions() -> dict:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] > 0).astype(float)
    chart = DecisionRegions(
        x="x_train", y="y_train", predict=lambda namespace, grid: namespace["net"](grid).argmax(dim=1)
    )
    side = chart.resolution
    reference = {
        "x_train": x.tolist(),
        "y_train": y.tolist(),
        chart.regions_key: (np.arange(side * side) % 2).astype(float).tolist(),
    }
    regions = np.zeros(side * side)
    regions[0] = 10**7  # what the student's fake net.argmax returned for one grid point
    drawn = drawing.draw(chart, {chart.regions_key: regions.tolist()}, reference, ident="regions")
    return {"svg_bytes": len(drawn.svg) if drawn else 0}


def test_hostile_region_labels_cannot_hang_the_graders_page_writer():
    [outcome] = run_forked([_draw_hostile_regions], workers=1, timeout=DEADLINE_S)
    assert outcome.result is not None, f"drawing one student's decision regions {outcome.problem}"
