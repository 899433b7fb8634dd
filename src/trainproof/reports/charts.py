"""Inline SVG charts drawn in Python, so the HTML report needs no script library and no network.

Every chart is a pure function from numbers to an `<svg>` string with fixed pixel geometry (a
`viewBox`, so it scales in print). Every label goes through `escape`: department and campaign names
come from KnowBe4 and may hold `<` or `&`. Bars carry the class `tp-bar` and a `<title>` so a
browser shows the exact figure on hover and a test can find them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

__all__ = [
    "PALETTE",
    "STATE_COLOURS",
    "Bar",
    "Segment",
    "Series",
    "StackedRow",
    "bar_chart",
    "line_chart",
    "rate_colour",
    "stacked_chart",
]

# Colour-blind safe (Okabe-Ito), readable in greyscale print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
STATE_COLOURS: dict[str, str] = {
    "compliant": "#009E73",
    "grace": "#56B4E9",
    "incomplete": "#E69F00",
    "expired": "#CC79A7",
    "not_enrolled": "#D55E00",
}
_FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif"
_EMPTY_HEIGHT = 40


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: a label and a value (a percentage unless the chart says otherwise)."""

    label: str
    value: float
    note: str = ""
    colour: str | None = None


@dataclass(frozen=True)
class Segment:
    name: str
    value: float
    colour: str


@dataclass(frozen=True)
class StackedRow:
    label: str
    segments: Sequence[Segment]


@dataclass(frozen=True)
class Series:
    """One line: a name and one value per x label (None where there is no data)."""

    name: str
    values: Sequence[float | None]
    colour: str | None = None
    extra: dict[str, str] = field(default_factory=dict[str, str])


def rate_colour(rate: float) -> str:
    """Green from 90 %, amber from 70 %, red below: the usual audit traffic light."""
    if rate >= 90:
        return "#009E73"
    if rate >= 70:
        return "#E69F00"
    return "#D55E00"


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _clip(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg_open(width: int, height: int, title: str, css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tp-chart {css_class}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}" style="{_FONT};max-width:100%;height:auto">'
        f"<title>{escape(title)}</title>"
    )


def _empty(width: int, title: str, css_class: str) -> str:
    return (
        _svg_open(width, _EMPTY_HEIGHT, title, css_class)
        + f'<text x="{width // 2}" y="24" text-anchor="middle" font-size="13" fill="#555">no data</text></svg>'
    )


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    unit: str = "%",
    max_value: float | None = None,
    width: int = 680,
    label_width: int = 200,
    bar_height: int = 22,
    gap: int = 8,
    css_class: str = "tp-bar-chart",
) -> str:
    """Horizontal bars, one per label, in the order given; percentages scale to 100 unless `max_value`."""
    if not bars:
        return _empty(width, title, css_class)
    top = 28 if unit == "%" else 8
    scale_max = max_value if max_value is not None else (100.0 if unit == "%" else max(b.value for b in bars))
    scale_max = max(scale_max, 1e-9)
    # Room right of the longest bar for its value and note (about 6.5 px a character at 12 px).
    reserve = 70 + min(160, int(6.5 * max((len(b.note) + 3 for b in bars if b.note), default=0)))
    plot = width - label_width - reserve
    height = top + len(bars) * (bar_height + gap) + 4
    parts = [_svg_open(width, height, title, css_class)]
    if unit == "%":
        for tick in (0, 25, 50, 75, 100):
            x = label_width + plot * tick / 100
            parts.append(
                f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 2}" stroke="#ddd" stroke-width="1"/>'
                f'<text x="{x:.1f}" y="{top - 10}" text-anchor="middle" font-size="10" fill="#666">{tick}%</text>'
            )
    for i, bar in enumerate(bars):
        y = top + i * (bar_height + gap)
        value = max(0.0, bar.value)
        w = plot * min(value, scale_max) / scale_max
        colour = bar.colour or (rate_colour(value) if unit == "%" else PALETTE[0])
        shown = f"{_num(value)}{unit}"
        tip = f"{bar.label}: {shown}" + (f" ({bar.note})" if bar.note else "")
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" font-size="12" '
            f'fill="#222">{escape(_clip(bar.label, 28))}</text>'
            f'<rect class="tp-bar" x="{label_width}" y="{y}" width="{max(w, 1.5):.1f}" height="{bar_height}" '
            f'rx="2" fill="{colour}" data-value="{_num(value)}"><title>{escape(tip)}</title></rect>'
            f'<text x="{label_width + max(w, 1.5) + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="12" '
            f'fill="#222">{escape(shown)}{escape(" · " + bar.note) if bar.note else ""}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_chart(
    rows: Sequence[StackedRow],
    *,
    title: str,
    width: int = 680,
    label_width: int = 200,
    bar_height: int = 24,
    gap: int = 10,
    css_class: str = "tp-stacked-chart",
) -> str:
    """One 100 % bar per row split into its segments (e.g. people per compliance state), with a legend."""
    rows = [r for r in rows if sum(max(0.0, s.value) for s in r.segments) > 0]
    if not rows:
        return _empty(width, title, css_class)
    legend: dict[str, str] = {}
    for row in rows:
        for seg in row.segments:
            legend.setdefault(seg.name, seg.colour)
    legend_h = 24
    plot = width - label_width - 20
    height = legend_h + len(rows) * (bar_height + gap) + 4
    parts = [_svg_open(width, height, title, css_class)]
    lx = float(label_width)
    for name, colour in legend.items():
        parts.append(
            f'<rect x="{lx:.1f}" y="4" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16:.1f}" y="14" font-size="11" fill="#333">{escape(name.replace("_", " "))}</text>'
        )
        lx += 24 + 7 * len(name)
    for i, row in enumerate(rows):
        y = legend_h + i * (bar_height + gap)
        total = sum(max(0.0, s.value) for s in row.segments)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.68:.1f}" text-anchor="end" font-size="12" '
            f'fill="#222">{escape(_clip(row.label, 30))}</text>'
        )
        x = float(label_width)
        for seg in row.segments:
            if seg.value <= 0:
                continue
            w = plot * seg.value / total
            pct = 100 * seg.value / total
            tip = f"{row.label}: {seg.name.replace('_', ' ')} {_num(seg.value)} ({_num(pct)}%)"
            parts.append(
                f'<rect class="tp-bar" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{seg.colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if w > 34:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + bar_height * 0.68:.1f}" text-anchor="middle" '
                    f'font-size="11" fill="#fff">{_num(seg.value)}</text>'
                )
            x += w
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    unit: str = "%",
    y_max: float | None = None,
    width: int = 680,
    height: int = 260,
    css_class: str = "tp-line-chart",
) -> str:
    """Lines over ordered x labels (quarters, months); gaps where a value is None, a dot per point."""
    if not x_labels or not any(v is not None for s in series for v in s.values):
        return _empty(width, title, css_class)
    left, right, top, bottom = 48, 32, 16, 46
    legend_h = 18 if len(series) > 1 else 0
    plot_w = width - left - right
    plot_h = height - top - bottom - legend_h
    values = [v for s in series for v in s.values if v is not None]
    top_value = y_max if y_max is not None else (100.0 if unit == "%" else max(values) * 1.1 or 1.0)
    top_value = max(top_value, 1e-9)
    n = len(x_labels)

    def px(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + legend_h + plot_h * (1 - min(max(v, 0.0), top_value) / top_value)

    parts = [_svg_open(width, height, title, css_class)]
    for k in range(5):
        tick = top_value * k / 4
        y = py(tick)
        label = f"{_num(tick)}{unit}" if unit == "%" else _num(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e5e5e5"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="#666">{label}</text>'
        )
    for i, label in enumerate(x_labels):
        parts.append(
            f'<text x="{px(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="11" '
            f'fill="#333">{escape(_clip(label, 12))}</text>'
        )
    lx = float(left)
    for j, s in enumerate(series):
        colour = s.colour or PALETTE[j % len(PALETTE)]
        if legend_h:
            parts.append(
                f'<rect x="{lx:.1f}" y="{top - 2}" width="12" height="4" fill="{colour}"/>'
                f'<text x="{lx + 16:.1f}" y="{top + 4}" font-size="11" fill="#333">{escape(s.name)}</text>'
            )
            lx += 28 + 7 * len(s.name)
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(s.values[:n]):
            if v is None:
                if runs[-1]:
                    runs.append([])
                continue
            runs[-1].append((px(i), py(v)))
        for run in runs:
            if len(run) > 1:
                pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(
                    f'<polyline class="tp-line" points="{pts}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
                )
        for i, v in enumerate(s.values[:n]):
            if v is None:
                continue
            shown = f"{_num(v)}{unit}" if unit == "%" else _num(v)
            parts.append(
                f'<circle class="tp-point" cx="{px(i):.1f}" cy="{py(v):.1f}" r="4" fill="{colour}">'
                f"<title>{escape(s.name + ' ' + x_labels[i] + ': ' + shown)}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)
