"""Hidden cases of the k-means lesson: NumPy arrays in and out, declared one per line.

The kmeans cases run with the solution's three helpers (and init_centroids) swapped in, so a
mistake in a helper costs only that helper's question. One kmeans case accepts any start (the
clusters up to renaming), one wants the notebook's start exactly (the inertia after each
iteration), and one is a property every k-means run has (below).
"""
import numpy as np

from autograder.authoring import Case, Cases, Clusters, Equivalent, LossCurve, Verdict, call_guarded, checks, data, drawn, integers, normal, say, swapped, uniform

from diagnoses import KMEANS, MESSAGES, UPDATE

cases = Cases(torch=False)
ISOLATION = ("assign_clusters", "update_centroids", "inertia", "init_centroids")


# Diagnoses that compute what a mistake gives, on any input. They stay here, out of the students'
# folder (diagnoses.py has the same words), since computing a mistake shows the answer beside it.

def _squared_distances(x, centroids):
    return ((x[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)


def _assign_parts(student, inputs):
    labels, x, centroids = checks.numbers_of(student), inputs.get("a0"), inputs.get("a1")
    if labels is None or x is None or centroids is None or labels.shape != (len(x),):
        return None
    return labels, _squared_distances(np.asarray(x, dtype=np.float64), np.asarray(centroids, dtype=np.float64))


def assign_farthest(student, reference, inputs):
    parts = _assign_parts(student, inputs)
    if parts is not None and np.array_equal(parts[0], parts[1].argmax(axis=1)):
        return MESSAGES["farthest"]
    return None


def assign_ties_to_larger_index(student, reference, inputs):
    parts, expected = _assign_parts(student, inputs), checks.numbers_of(reference)
    if parts is None or expected is None:
        return None
    labels, distances = parts
    tied = (distances == distances.min(axis=1, keepdims=True)).sum(axis=1) > 1
    differs = labels != expected
    if differs.any() and tied[differs].all() and (labels[differs] > expected[differs]).all():
        return MESSAGES["ties"]
    return None


def _inertia_alternatives(student, inputs):
    value = checks.numbers_of(student)
    x, centroids, labels = (inputs.get(f"a{index}") for index in range(3))
    if value is None or value.size != 1 or x is None or centroids is None or labels is None:
        return None, {}
    x, centroids, labels = np.asarray(x, dtype=np.float64), np.asarray(centroids, dtype=np.float64), np.asarray(labels).astype(int)
    squared = ((x - centroids[labels]) ** 2).sum(axis=1)
    return float(value.ravel()[0]), {
        "not_squared": float(np.sqrt(squared).sum()),
        "mean": float(squared.mean()),
        "nearest": float(_squared_distances(x, centroids).min(axis=1).sum()),
    }


def inertia_mistakes(student, reference, inputs):
    value, alternatives = _inertia_alternatives(student, inputs)
    expected = checks.numbers_of(reference)
    for mistake, wrong in alternatives.items():
        if np.isclose(value, wrong, rtol=1e-6) and not np.isclose(wrong, float(expected.ravel()[0]), rtol=1e-6):
            return MESSAGES[mistake]
    return None


ASSIGN = (assign_farthest, assign_ties_to_larger_index)
INERTIA = (inertia_mistakes,)


def _grid_with_ties(context):
    """Integer points around integer centroids: many points are exactly as far from two centroids."""
    axis = np.arange(-3.0, 4.0)
    return np.array([(a, b) for a in axis for b in axis])


TIE_CENTROIDS = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 2.0], [0.0, -2.0]])


def _course_start(part):
    """A poor first step on the course's points: the three leftmost points as centroids ("centroids"),
    or each point's nearest of them ("labels"). Not the solution's own centroids and labels: those
    are the kmeans case's answer, and a sandbox holds every case's inputs."""
    def make(context):
        x = np.asarray(context.namespace["x"], dtype=np.float64)
        centroids = x[np.argsort(x[:, 0])[:3]]
        return centroids if part == "centroids" else _squared_distances(x, centroids).argmin(axis=1)

    return drawn(make)


def _labels_without(*missing, k, rows):
    """Labels in range(k) that never use the clusters in ``missing``."""
    used = [label for label in range(k) if label not in missing]
    return drawn(lambda context: context.rng.choice(used, size=rows))


def _duplicate_points(context):
    """Twelve copies of one point and eight others: a start of k=3, seed 1 picks two of the copies,
    and the second copy's cluster stays empty (every tie goes to the first)."""
    return np.concatenate([np.tile([1.0, -1.0], (12, 1)), context.rng.normal(4, 1, (8, 2))])


# The property case: whatever the start, the inertia never rises, and the last value is the inertia
# of the centroids and labels kmeans returns (the three belong together). Points spread along a
# long strip make k-means creep, so the centroids still move at the last iteration and an inertia
# taken before the update does not match the centroids returned.

PROPERTY_K, PROPERTY_ITERS, PROPERTY_SEED = 6, 12, 7


def _property_inputs(context):
    along = np.sort(context.rng.uniform(0, 100, 300))
    return {"x": np.column_stack([along, context.rng.normal(0, 1, 300)])}


def _property_probe(namespace, inputs, references):
    with swapped(namespace, references):
        returned = call_guarded(namespace.get("kmeans"), inputs["x"].copy(), PROPERTY_K, PROPERTY_ITERS, PROPERTY_SEED)
    if not isinstance(returned, (tuple, list)) or len(returned) != 3:
        return {"returned": returned}
    centroids, labels, history = returned
    return {"centroids": centroids, "labels": labels, "history": list(history) if isinstance(history, (list, tuple, np.ndarray)) else history}


def _judge_property(student, reference, inputs):
    if "returned" in student:
        returned = student["returned"]
        return Verdict.fail(checks.blank_or_error(returned, what="kmeans") or say(f"kmeans 应返回元组 (centroids, labels, history)，却返回了 {checks.describe(returned)}", f"kmeans should return the tuple (centroids, labels, history), but returned {checks.describe(returned)}"))
    history, centroids, labels = (checks.numbers_of(student[key]) for key in ("history", "centroids", "labels"))
    x = np.asarray(inputs["x"], dtype=np.float64)
    if history is None or history.ndim != 1 or not history.size:
        return Verdict.fail(say(f"kmeans 返回的 history 应是每次迭代后的惯性列表，却是 {checks.describe(student['history'])}", f"the history kmeans returns should be a list of the inertia after each iteration, but it is {checks.describe(student['history'])}"))
    rises = np.flatnonzero(np.diff(history) > 1e-9 * max(1.0, abs(history[0])))
    if rises.size:
        step = int(rises[0]) + 1
        return Verdict.fail(say(f"惯性在第 {step + 1} 次迭代时上升了（{history[step - 1]:.6g} → {history[step]:.6g}）：每次迭代先分配、再更新，惯性不会上升", f"the inertia rose at iteration {step + 1} ({history[step - 1]:.6g} -> {history[step]:.6g}): assign then update in every iteration, and it never rises"))
    if centroids is None or labels is None or centroids.ndim != 2 or labels.shape != (len(x),) or not np.all(np.isfinite(centroids)):
        return Verdict.fail(say("kmeans 返回的 centroids 应是 (k, D) 数组，labels 应是每个点一个整数", "kmeans should return centroids as a (k, D) array and labels as one integer per point"))
    if labels.min() < 0 or labels.max() >= len(centroids) or np.any(labels != np.round(labels)):
        return Verdict.fail(say("kmeans 返回的 labels 不是 0 到 k-1 的整数", "the labels kmeans returns are not integers from 0 to k-1"))
    own = float(((x - centroids[labels.astype(int)]) ** 2).sum())
    if abs(own - history[-1]) > 1e-6 * max(1.0, own):
        return Verdict.fail(say(f"history 的最后一个值是 {history[-1]:.6g}，但返回的 centroids 和 labels 的惯性是 {own:.6g}：返回最后一次迭代的 labels 和更新后的质心，惯性在更新之后计算", f"the last history value is {history[-1]:.6g}, but the centroids and labels returned have inertia {own:.6g}: return the labels of the last iteration with the centroids updated from them, and take the inertia after the update"))
    return Verdict.ok()


CASES = [
    cases.output("assign_clusters", "course_points", data("x"), normal(0, 3, (3, 2)), diagnose=ASSIGN),
    cases.output("assign_clusters", "many_centroids", normal(0, 1, (40, 2)), normal(0, 1, (7, 2)), diagnose=ASSIGN),
    cases.output("assign_clusters", "three_dimensions", normal(0, 1, (25, 3)), normal(0, 1, (4, 3)), diagnose=ASSIGN),
    cases.output("assign_clusters", "exact_ties", drawn(_grid_with_ties), TIE_CENTROIDS, diagnose=ASSIGN),
    cases.output("update_centroids", "random_labels", normal(0, 1, (30, 2)), integers(0, 4, (30,)), normal(0, 1, (4, 2)), diagnose=UPDATE),
    cases.output("update_centroids", "course_points", data("x"), _course_start("labels"), _course_start("centroids"), diagnose=UPDATE),
    cases.output("update_centroids", "three_dimensions", normal(0, 1, (20, 3)), integers(0, 3, (20,)), normal(0, 1, (3, 3)), diagnose=UPDATE),
    # Clusters 2 and 4 (the last) get no points: each keeps its centroid.
    cases.output("update_centroids", "empty_clusters", normal(0, 1, (20, 2)), _labels_without(2, 4, k=5, rows=20), normal(0, 3, (5, 2)), diagnose=UPDATE),
    cases.output("inertia", "random_labels", normal(0, 1, (30, 2)), normal(0, 1, (4, 2)), integers(0, 4, (30,)), diagnose=INERTIA),
    cases.output("inertia", "course_points", data("x"), _course_start("centroids"), _course_start("labels"), diagnose=INERTIA),
    cases.output("inertia", "three_dimensions", normal(0, 1, (15, 3)), normal(0, 1, (3, 3)), integers(0, 3, (15,)), diagnose=INERTIA),
    # Any start that finds the course's three blobs passes: the clusters up to renaming.
    cases.output("kmeans", "course_clusters", data("x"), 3, 10, 0, returns=("centroids", "labels"), relabel=True, swap_in=ISOLATION, points=1),
    # The notebook's start, on points with no clear clusters: the inertia after every iteration counts.
    cases.output("kmeans", "inertia_after_each_iteration", uniform(-5, 5, (60, 2)), 4, 8, 3, returns=(None, None, "inertia"),
                 diagnose=KMEANS, swap_in=ISOLATION, points=1.5),
    cases.output("kmeans", "a_cluster_stays_empty", drawn(_duplicate_points), 3, 5, 1, returns=("centroids", "labels", "inertia"),
                 relabel=("centroids", "labels"), diagnose=KMEANS, swap_in=ISOLATION, points=0.5),
    Case("kmeans", "inertia_never_rises", _property_inputs, _property_probe, _judge_property, ISOLATION, points=1, calls="kmeans"),
]

# The feedback page: the student's clusters and inertia curve beside the solution's.
CHARTS = [
    Clusters(x="x", labels="labels", centroids="centroids"),
    LossCurve("history", loss="inertia", step="迭代 · iteration", title="惯性 · Inertia"),
]

# Changes `autograder validate` makes that are still correct answers, with the reason.
EQUIVALENT_MUTANTS = [
    Equivalent("the inertia may be a NumPy float: np.float64 is a float, and it is compared as a number", function="inertia", operator="unwrap call", before=r"^float\("),
    Equivalent("squaring hides the sign: (a - b)² = (b - a)²", operator="insert minus", before=r"^x(\[:, None, :\])? - centroids"),
    Equivalent("the distances are a (N, k) matrix, so its last axis is axis 1", function="assign_clusters", operator="constant", before=r"^1$", after=r"^-1$", statement=r"argmin\(axis="),
    Equivalent("len(-centroids) is len(centroids)", operator="insert minus", when=lambda mutant: "len(-centroids)" in mutant.source),
]
