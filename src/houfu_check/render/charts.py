"""Charts for the HTML report, written directly as inline SVG with text kept as text.

Text stays ``<text>``, so the reader's browser draws the Chinese town names with whatever CJK
font it has; nothing depends on a font on this machine, and there is no font cache to build.
Data text is escaped for XML and never interpreted. Margins are sized from the labels'
display width (CJK characters count double), so the layout is the same on every machine.
Drawing a county's charts takes milliseconds (a plotting library took seconds).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from houfu_check.inert import for_label

#: fill colours, the same in the charts and the page's badges
COLORS = {
    "pass": "#2e7d32",
    "fail": "#c62828",
    "warn": "#f9a825",
    "n/a": "#bdbdbd",
    "not-due": "#90a4ae",
    "part": "#5c6bc0",
}
STATUS_ORDER = ("pass", "fail", "warn", "n/a", "not-due", "part")
#: drawn in each grid cell, so status reads without colour (print, colour blindness)
SYMBOLS = {"pass": "✓", "fail": "✗", "warn": "!", "n/a": "–", "not-due": "…", "part": "·"}
#: a chart with more towns than this shows the ones furthest from the target
MAX_TOWNS = 40
FONTS = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', SimHei, sans-serif"
_LABEL_CHARS = 24
_INK, _SOFT = "#212121", "#757575"


@dataclass(frozen=True)
class Bar:
    """One town in a rule's chart: its value (None: nothing in scope), the value as shown, and status."""

    town: str
    value: float | None
    text: str
    status: str


def short(text: str, limit: int = _LABEL_CHARS) -> str:
    """A label without control characters, cut to ``limit`` characters."""
    return for_label(text, limit)


def text_width(text: str, size: float) -> float:
    """Display width of ``text`` in pixels at ``size`` pixels (wide characters count 1 em)."""
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)
    return ems * size


def _t(x: float, y: float, text: str, size: float = 12, anchor: str = "start", extra: str = "") -> str:
    """A ``<text>`` element, its content escaped for XML (quotes may stay: this is content)."""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}"'
        f' dominant-baseline="central"{extra}>{escape(text, quote=False)}</text>'
    )


def _svg(width: float, height: float, body: list[str]) -> str:
    return (
        f'<svg role="img" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONTS}" fill="{_INK}">\n'
        + "\n".join(body)
        + "\n</svg>"
    )


def _ticks(top: float, percent: bool) -> list[float]:
    """Round numbers for the value axis, 0 to at least ``top``."""
    if percent and top <= 100:
        return [0.0, 25.0, 50.0, 75.0, 100.0]
    raw = max(top, 1e-9) / 4
    step = 10 ** math.floor(math.log10(raw))
    for nice in (1, 2, 2.5, 5, 10):
        if raw <= nice * step:
            step *= nice
            break
    return [i * step for i in range(math.ceil(top / step) + 1)]


def _tick_text(value: float, percent: bool) -> str:
    shown = f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return shown + ("%" if percent else "")


def town_bars(
    bars: Sequence[Bar],
    target: float | None,
    target_text: str,
    county: float | None,
    county_text: str,
    percent: bool,
) -> str:
    """Each town's value as a horizontal bar, coloured by status, against the target line
    (None: no line, for a town's part of a county total, which the target is not about).

    The values are also written as text in a column on the right; ``county`` (a share's
    county-wide value) is drawn as a second line.
    """
    names = [short(b.town) for b in bars]
    left = max([text_width(n, 12) for n in names] + [40]) + 14
    right = max([text_width(b.text, 11) for b in bars] + [30]) + 14
    width, row, top_pad, axis = 672.0, 22.0, 34.0, 26.0
    height = top_pad + row * max(len(bars), 3) + axis
    plot = width - left - right
    scale = 100.0 if percent else 1.0
    values = [(b.value or 0.0) * scale for b in bars]
    top = max([*values, (target or 0.0) * scale, (county or 0.0) * scale, 1e-9])
    ticks = _ticks(top, percent)
    span = ticks[-1] if ticks[-1] > 0 else 1.0

    def x(value: float) -> float:
        return left + plot * min(max(value, 0.0), span) / span

    body = []
    base = top_pad + row * max(len(bars), 3)
    for value in ticks:
        body.append(
            f'<line x1="{x(value):.1f}" y1="{top_pad - 4:.1f}" x2="{x(value):.1f}" y2="{base:.1f}" '
            'stroke="#eeeeee" stroke-width="1"/>'
        )
        body.append(_t(x(value), base + 12, _tick_text(value, percent), 10, "middle", f' fill="{_SOFT}"'))
    body.append(
        f'<line x1="{left:.1f}" y1="{base:.1f}" x2="{left + plot:.1f}" y2="{base:.1f}" stroke="{_SOFT}"/>'
    )
    for i, (bar, value) in enumerate(zip(bars, values, strict=True)):
        y = top_pad + row * i
        mid = y + row / 2
        body.append(_t(left - 8, mid, names[i], 12, "end"))
        if bar.value is not None:
            body.append(
                f'<rect x="{left:.1f}" y="{y + 3:.1f}" width="{max(x(value) - left, 0):.1f}" '
                f'height="{row - 6:.1f}" style="fill: {COLORS[bar.status]}"/>'
            )
        body.append(_t(left + plot + 8, mid, bar.text, 11))
    legend_x = left
    lines = [(target, target_text, _INK, "1.5", "5 3"), (county, county_text, "#1565c0", "1.8", "2 2")]
    for mark, text, colour, stroke, dashes in lines:  # the target (dashed), the county (dotted)
        if mark is None:
            continue
        style = f'stroke="{colour}" stroke-width="{stroke}" stroke-dasharray="{dashes}"'
        at = x(mark * scale)
        body.append(f'<line x1="{at:.1f}" y1="{top_pad - 4:.1f}" x2="{at:.1f}" y2="{base:.1f}" {style}/>')
        body.append(f'<line x1="{legend_x:.1f}" y1="12" x2="{legend_x + 18:.1f}" y2="12" {style}/>')
        body.append(_t(legend_x + 24, 12, text, 11))
        legend_x += 24 + text_width(text, 11) + 24
    return _svg(width, height + 4, body)


def status_grid(towns: Sequence[str], rules: Sequence[str], statuses: Sequence[Sequence[str]]) -> str:
    """A town × rule grid, each cell coloured by the rule's status on that town's units."""
    names = [short(t) for t in towns]
    labels = [short(r, 20) for r in rules]
    cell = 20.0
    left = max([text_width(n, 12) for n in names] + [40]) + 12
    bottom = max([text_width(r, 11) for r in labels] + [40]) + 12
    width = max(left + cell * len(rules) + 16, 384.0)
    height = 8 + cell * len(towns) + bottom
    body = []
    for row, cells in enumerate(statuses):
        y = 8 + cell * row
        body.append(_t(left - 8, y + cell / 2, names[row], 12, "end"))
        for col, status in enumerate(cells):
            x = left + cell * col
            body.append(
                f'<rect x="{x + 0.5:.1f}" y="{y + 0.5:.1f}" width="{cell - 1:.1f}" height="{cell - 1:.1f}" '
                f'style="fill: {COLORS[status]}"/>'
            )
            ink = _INK if status in ("warn", "n/a", "not-due") else "white"
            body.append(_t(x + cell / 2, y + cell / 2, SYMBOLS[status], 11, "middle", f' fill="{ink}"'))
    base = 8 + cell * len(towns) + 6
    for col, name in enumerate(labels):
        x = left + cell * col + cell / 2
        body.append(_t(x, base, name, 11, "end", f' transform="rotate(-90 {x:.1f} {base:.1f})"'))
    return _svg(width, height, body)
