"""Small SVG charts for feedback pages: light, crisp on phones, no plotting library."""
from __future__ import annotations

from html import escape

WIDTH, HEIGHT, MARGIN = 640, 320, 48
COLORS = {"you": "#d62728", "reference": "#1f77b4"}


def _scale(values: list[float], low_px: float, high_px: float):
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return lambda v: low_px + (v - low) / span * (high_px - low_px), low, high


def _frame(title: str, body: str, x_label: str, y_label: str, ticks: str) -> str:
    return (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" class="chart" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
        f'<rect x="{MARGIN}" y="{MARGIN / 2}" width="{WIDTH - 1.5 * MARGIN}" height="{HEIGHT - 1.5 * MARGIN}" fill="none" stroke="#999"/>'
        f"{body}{ticks}"
        f'<text x="{WIDTH / 2}" y="{HEIGHT - 6}" text-anchor="middle" font-size="13">{escape(x_label)}</text>'
        f'<text x="14" y="{HEIGHT / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 14 {HEIGHT / 2})">{escape(y_label)}</text>'
        "</svg>"
    )


def _ticks(x_low: float, x_high: float, y_low: float, y_high: float) -> str:
    bottom, right = HEIGHT - MARGIN, WIDTH - MARGIN / 2
    return (
        f'<text x="{MARGIN}" y="{bottom + 16}" font-size="11" text-anchor="middle">{x_low:.3g}</text>'
        f'<text x="{right}" y="{bottom + 16}" font-size="11" text-anchor="middle">{x_high:.3g}</text>'
        f'<text x="{MARGIN - 4}" y="{bottom}" font-size="11" text-anchor="end">{y_low:.3g}</text>'
        f'<text x="{MARGIN - 4}" y="{MARGIN / 2 + 10}" font-size="11" text-anchor="end">{y_high:.3g}</text>'
    )


def _legend(names: list[str]) -> str:
    items = "".join(
        f'<rect x="{MARGIN + 10 + i * 150}" y="{MARGIN / 2 + 8}" width="14" height="4" fill="{COLORS.get(n, "#555")}"/>'
        f'<text x="{MARGIN + 30 + i * 150}" y="{MARGIN / 2 + 14}" font-size="12">{escape(n)}</text>'
        for i, n in enumerate(names)
    )
    return items


def line_chart(series: dict[str, list[float]], *, title: str, x_label: str, y_label: str) -> str:
    """One polyline per named series over its index (e.g. loss per epoch)."""
    series = {name: values for name, values in series.items() if values}
    everything = [v for values in series.values() for v in values]
    if not everything:
        return ""
    longest = max(len(values) for values in series.values())
    to_x, _, _ = _scale([0, max(longest - 1, 1)], MARGIN, WIDTH - MARGIN / 2)
    to_y, y_low, y_high = _scale(everything, HEIGHT - MARGIN, MARGIN / 2)
    lines = ""
    for name, values in series.items():
        step = max(1, len(values) // 300)  # 300 points are plenty on any screen
        points = " ".join(f"{to_x(i):.1f},{to_y(v):.1f}" for i, v in list(enumerate(values))[::step])
        lines += f'<polyline fill="none" stroke="{COLORS.get(name, "#555")}" stroke-width="2" points="{points}"><title>{escape(name)}</title></polyline>'
    return _frame(title, lines + _legend(list(series)), x_label, y_label, _ticks(1, longest, y_low, y_high))


def boundary_chart(points: list[tuple[float, float, int]], lines: dict[str, tuple[float, float, float]], *, title: str) -> str:
    """Two classes as dots and crosses, and each line w0*x + w1*y + b = 0."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    to_x, x_low, x_high = _scale(xs, MARGIN, WIDTH - MARGIN / 2)
    to_y, y_low, y_high = _scale(ys, HEIGHT - MARGIN, MARGIN / 2)
    marks = ""
    for x, y, label in points:
        cx, cy = to_x(x), to_y(y)
        if label:
            marks += f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="#1f77b4" opacity="0.8"/>'
        else:
            marks += f'<path d="M{cx - 3:.1f},{cy - 3:.1f}l6,6m0,-6l-6,6" stroke="#d62728" stroke-width="1.5"/>'
    clip = f'<clipPath id="plot"><rect x="{MARGIN}" y="{MARGIN / 2}" width="{WIDTH - 1.5 * MARGIN}" height="{HEIGHT - 1.5 * MARGIN}"/></clipPath>'
    drawn = ""
    for name, (w0, w1, b) in lines.items():
        if abs(w1) < 1e-12:
            continue
        y_at = lambda x: -(w0 * x + b) / w1
        drawn += (
            f'<line clip-path="url(#plot)" x1="{to_x(x_low):.1f}" y1="{to_y(y_at(x_low)):.1f}" x2="{to_x(x_high):.1f}" y2="{to_y(y_at(x_high)):.1f}" '
            f'stroke="{COLORS.get(name, "#555")}" stroke-width="2.5" stroke-dasharray="{"" if name == "you" else "6 4"}"><title>{escape(name)}</title></line>'
        )
    return _frame(title, clip + marks + drawn + _legend(list(lines)), "feature 1", "feature 2", _ticks(x_low, x_high, y_low, y_high))


def histogram(values: list[float], *, bins: list[float], title: str, x_label: str) -> str:
    """Counts of ``values`` in [bins[i], bins[i+1]) (last bin closed)."""
    counts = [0] * (len(bins) - 1)
    for v in values:
        for i in range(len(counts)):
            if bins[i] <= v < bins[i + 1] or (i == len(counts) - 1 and v == bins[-1]):
                counts[i] += 1
                break
    peak = max(counts) or 1
    width = (WIDTH - 1.5 * MARGIN) / len(counts)
    bars = ""
    for i, count in enumerate(counts):
        height = count / peak * (HEIGHT - 1.5 * MARGIN)
        x = MARGIN + i * width
        bars += f'<rect x="{x + 1:.1f}" y="{HEIGHT - MARGIN - height:.1f}" width="{width - 2:.1f}" height="{height:.1f}" fill="#1f77b4"><title>{bins[i]:g}–{bins[i + 1]:g}: {count}</title></rect>'
        bars += f'<text x="{x + width / 2:.1f}" y="{HEIGHT - MARGIN - height - 4:.1f}" font-size="11" text-anchor="middle">{count or ""}</text>'
    return _frame(title, bars, x_label, "submissions", _ticks(bins[0], bins[-1], 0, peak))
