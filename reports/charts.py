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

from reports.bidi import balance
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
    text = escape(balance(content))  # labels may come from seed lists
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{text}</text>'


def _svg(height: float, body: list[str], css: str) -> Markup:
    return Markup(
        f'<svg class="vigie-chart {css}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-hidden="true" '
        f'focusable="false" xmlns="http://www.w3.org/2000/svg">' + "".join(body) + "</svg>"
    )


def _legend(series: Sequence[Series], y: float) -> list[str]:
    parts, x = [], LABEL_W
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


def line_chart(labels: Sequence[str], series: Sequence[Series], css: str = "") -> Markup:
    """Coverage over runs: one line per series, marker shapes differ (not colour alone)."""
    left, right, top, bottom = 56, 24, 36, 44
    height = 300
    plot_w = WIDTH - left - right
    plot_h = height - top - bottom
    n = len(labels)

    def x_of(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else i * plot_w / (n - 1))

    def y_of(v: float) -> float:
        return top + (1 - max(0.0, min(1.0, v))) * plot_h

    body = _legend(series, 16)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = y_of(tick)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" '
            f'class="vigie-chart__grid"/>'
        )
        body.append(_text(left - 8, y + 4, percent(tick), anchor="end"))
    step = max(1, n // 12)  # at most about 12 run labels on the axis
    for i, label in enumerate(labels):
        if i % step == 0 or i == n - 1:
            body.append(_text(x_of(i), height - bottom + 20, label, anchor="middle"))
    for k, s in enumerate(series):
        points = [(x_of(i), y_of(v)) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline points="{path}" class="{s.css} vigie-line" fill="none"/>')
        for (x, y), v in zip(points, [v for v in s.values if v is not None], strict=True):
            if k % 2 == 0:
                body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" class="{s.css}"/>')
            else:
                body.append(
                    f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" '
                    f'class="{s.css}"/>'
                )
            dy = -10 if k % 2 == 0 else 20
            body.append(_text(x, y + dy, percent(v), "vigie-value", anchor="middle"))
    return _svg(height, body, css)


def share_bar(value: float | None) -> Markup:
    """A small bar for a table cell (decoration: the cell also holds the number)."""
    width = max(0.0, min(1.0, value or 0.0)) * 100
    return Markup(
        '<svg class="vigie-minibar" viewBox="0 0 100 10" width="100" height="10" '
        'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<rect x="0" y="0" width="100" height="10" class="vigie-minibar__bg"/>'
        f'<rect x="0" y="0" width="{width:.1f}" height="10" class="vigie-series-1"/></svg>'
    )
