"""Charts as inline SVG, drawn in Python: no JavaScript chart library, nothing to load.

Why inline SVG: the reports open from disk under a Content-Security-Policy that allows
only Vigie's own script; SVG prints sharply and needs no runtime. Colours come from CSS
classes (``vigie.css``) rather than inline styles, which the policy forbids. Every chart is
``aria-hidden``: the same numbers are given as a table next to it for screen-reader users,
and values are also written on the bars for everyone. Labels are escaped here (they may
come from seed lists).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from reports.bidi import inline_isolate
from reports.present import percent

WIDTH = 720
LABEL_W = 190
VALUE_W = 56
BAR_H = 16
GAP = 10


@dataclass(frozen=True, slots=True)
class Series:
    """One series: a legend name, a CSS class (colour and pattern), values 0..1 or None."""

    name: str
    css: str
    values: Sequence[float | None]


def _text(x: float, y: float, content: str, css: str = "", anchor: str = "start") -> str:
    klass = f' class="{css}"' if css else ""
    text = escape(inline_isolate(content))  # labels may come from seed lists: isolated
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{text}</text>'


def _svg(height: float, body: list[str], css: str, width: int = WIDTH) -> Markup:
    return Markup(
        f'<svg class="vigie-chart {css}" viewBox="0 0 {width} {height:.0f}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-hidden="true" '
        f'focusable="false" xmlns="http://www.w3.org/2000/svg">' + "".join(body) + "</svg>"
    )


def _legend(series: Sequence[Series], y: float, x: float = LABEL_W) -> list[str]:
    parts = []
    for s in series:
        parts.append(f'<rect x="{x}" y="{y - 11}" width="14" height="14" class="{s.css}"/>')
        parts.append(_text(x + 20, y, s.name))
        x += 28 + 8 * len(s.name)
    return parts


def bar_chart(labels: Sequence[str], series: Sequence[Series], css: str = "") -> Markup:
    """Horizontal bars, one group per label and one bar per series (values are shares)."""
    bar_area = WIDTH - LABEL_W - VALUE_W
    group_h = len(series) * (BAR_H + 2) + GAP
    top = 30 if len(series) > 1 else 6
    height = top + len(labels) * group_h + 4
    body = _legend(series, 16) if len(series) > 1 else []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = LABEL_W + tick * bar_area
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 4:.1f}" '
            f'class="vigie-chart__grid"/>'
        )
    for i, label in enumerate(labels):
        y0 = top + i * group_h
        body.append(_text(LABEL_W - 8, y0 + group_h / 2, label, anchor="end"))
        if all(s.values[i] is None for s in series):
            body.append(_text(LABEL_W + 6, y0 + group_h / 2, "aucun site exploré", "vigie-none"))
            continue
        for j, s in enumerate(series):
            value = s.values[i]
            y = y0 + j * (BAR_H + 2)
            width = max(0.0, min(1.0, value or 0.0)) * bar_area
            body.append(
                f'<rect x="{LABEL_W}" y="{y:.1f}" width="{width:.1f}" height="{BAR_H}" '
                f'class="{s.css}"/>'
            )
            body.append(_text(LABEL_W + width + 6, y + BAR_H - 3, percent(value), "vigie-value"))
    return _svg(height, body, css)


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    css: str = "",
    width: int = WIDTH,
    notes: Sequence[str] | None = None,
    max_labels: int = 12,
) -> Markup:
    """Coverage over runs: one line per series, marker shapes differ (not colour alone).

    ``labels``: each run's name (its label, else its date), ``notes`` a second line under
    it (the number of sites measured). Points sit inside the plot, away from the axis
    labels, and each value label stays inside the plot: above its point, or below it when
    it would leave the top or cross the other series' label. ``width``: the drawing's
    width (a narrow one for small screens, where the wide one would shrink its text).
    """
    left, right, top, bottom = 48, 16, 36, 56 if notes else 40
    height = 300 if width >= WIDTH else 280
    plot_w = width - left - right
    plot_h = height - top - bottom
    n = len(labels)
    pad = min(48.0, plot_w / 6)  # the first and last points keep clear of the axes

    def x_of(i: int) -> float:
        return (
            left + pad + (((plot_w - 2 * pad) / 2) if n == 1 else i * (plot_w - 2 * pad) / (n - 1))
        )

    def y_of(v: float) -> float:
        return top + (1 - max(0.0, min(1.0, v))) * plot_h

    body = _legend(series, 16, left)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = y_of(tick)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'class="vigie-chart__grid"/>'
        )
        body.append(_text(left - 6, y + 4, percent(tick), anchor="end"))
    step = max(1, -(-n // max_labels))  # at most max_labels run names on the axis
    for i, label in enumerate(labels):
        if i % step == 0 or i == n - 1:
            if i != n - 1 and n - 1 - i < step:
                continue  # the last label wins over a neighbour it would overlap
            body.append(_text(x_of(i), height - bottom + 18, label, anchor="middle"))
            if notes:
                body.append(
                    _text(x_of(i), height - bottom + 34, notes[i], "vigie-note", anchor="middle")
                )
    points = [
        [(i, x_of(i), y_of(v), v) for i, v in enumerate(s.values) if v is not None] for s in series
    ]
    labels_y = _labels_y(points, top, top + plot_h)
    for k, s in enumerate(series):
        if len(points[k]) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for _, x, y, _ in points[k])
            body.append(f'<polyline points="{path}" class="{s.css} vigie-line" fill="none"/>')
        for i, x, y, v in points[k]:
            if k % 2 == 0:
                body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" class="{s.css}"/>')
            else:
                body.append(
                    f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" '
                    f'class="{s.css}"/>'
                )
            body.append(_text(x, labels_y[k, i], percent(v), "vigie-value", anchor="middle"))
    return _svg(height, body, css, width)


#: A value label's text, above its baseline (13 px text) and the markers' half size.
_TEXT_H, _MARK = 11.0, 6.0


def _labels_y(
    points: Sequence[Sequence[tuple[int, float, float, float]]], top: float, bottom: float
) -> dict[tuple[int, int], float]:
    """The baseline of every value label: (series, run) → y.

    At each run the higher point's label goes above it and the lower's below, which keeps
    two close values apart; each label stays inside the plot (never on the axis labels),
    off every marker of that run and off the labels already placed there.
    """
    at: dict[int, list[tuple[int, float]]] = {}
    for k, series in enumerate(points):
        for i, _, y, _ in series:
            at.setdefault(i, []).append((k, y))
    out: dict[tuple[int, int], float] = {}
    for i, marks in at.items():
        placed: list[float] = []
        ordered = sorted(marks, key=lambda m: m[1])  # highest point (smallest y) first
        for rank, (k, y) in enumerate(ordered):
            above, below = y - _MARK - 3, y + _MARK + _TEXT_H + 2
            first, second = (above, below) if rank == 0 else (below, above)
            candidates = [first, second, first - 16, second + 16, first + 16, second - 16]
            out[k, i] = next(
                (c for c in candidates if _free(c, top, bottom, marks, placed)),
                max(top + _TEXT_H, min(bottom - 2, first)),
            )
            placed.append(out[k, i])
    return out


def _free(
    baseline: float,
    top: float,
    bottom: float,
    marks: Sequence[tuple[int, float]],
    placed: Sequence[float],
) -> bool:
    """Whether a label whose baseline is ``baseline`` stays inside the plot and clear of
    the run's markers and of labels already placed."""
    upper = baseline - _TEXT_H
    if upper < top or baseline > bottom - 2:
        return False
    if any(upper - _MARK < y < baseline + _MARK for _, y in marks):
        return False
    return all(abs(baseline - other) >= _TEXT_H + 3 for other in placed)


def bar(value: float | None, css: str = "vigie-series-1") -> Markup:
    """A bar the width of its cell (a table is the chart): the number is written beside
    it, in text. ``vigie.js`` changes the ``width`` when filters change the figure."""
    width = max(0.0, min(1.0, value or 0.0)) * 100
    return Markup(
        '<svg class="vigie-bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<rect x="0" y="0" width="100" height="10" class="vigie-minibar__bg"/>'
        f'<rect x="0" y="0" width="{width:.1f}" height="10" class="{css}" data-bar/></svg>'
    )


def share_bar(value: float | None) -> Markup:
    """A small bar for a table cell (decoration: the cell also holds the number)."""
    width = max(0.0, min(1.0, value or 0.0)) * 100
    return Markup(
        '<svg class="vigie-minibar" viewBox="0 0 100 10" width="100" height="10" '
        'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<rect x="0" y="0" width="100" height="10" class="vigie-minibar__bg"/>'
        f'<rect x="0" y="0" width="{width:.1f}" height="10" class="vigie-series-1"/></svg>'
    )
