"""Charts for the HTML report, drawn by matplotlib as inline SVG with text kept as text.

Text stays ``<text>`` (``svg.fonttype: none``), so the reader's browser draws the Chinese
town names with whatever CJK font it has; nothing depends on a font on this machine. Data
text is never parsed as mathtext, and matplotlib escapes it for XML. Margins are sized from
the labels' display width (CJK characters count double), so the layout is the same whether
or not this machine has a CJK font.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from houfu_check.inert import for_label

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

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
FONTS = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "WenQuanYi Micro Hei",
    "DejaVu Sans",
]
_STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text as <text>, drawn by the browser
    "svg.hashsalt": "houfu-check",  # the same ids on every run
    "text.parse_math": False,  # a town called "$x$" is text, not mathtext
    "font.family": ["sans-serif"],
    "font.sans-serif": FONTS,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_LABEL_CHARS = 24


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
    """Display width of ``text`` in inches at ``size`` points (wide characters count 1 em)."""
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)
    return ems * size / 72


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
    left = max([text_width(n, 9) for n in names] + [0.5]) + 0.2
    right = max([text_width(b.text, 8) for b in bars] + [0.3]) + 0.2
    width, height = 7.0, 0.9 + 0.24 * max(len(bars), 3)
    scale = 100.0 if percent else 1.0
    values = [(b.value or 0.0) * scale for b in bars]
    with _style():
        fig = Figure(figsize=(width, height))
        fig.subplots_adjust(
            left=left / width, right=1 - right / width, top=1 - 0.45 / height, bottom=0.35 / height
        )
        ax = fig.add_subplot()
        y = list(range(len(bars)))[::-1]
        ax.barh(y, values, color=[COLORS[b.status] for b in bars], height=0.7)
        ax.set_yticks(y, names)
        values_axis = ax.twinx()
        values_axis.set_ylim(ax.get_ylim())
        values_axis.set_yticks(y, [b.text for b in bars])
        values_axis.tick_params(length=0, labelsize=8)
        values_axis.spines[["top", "right"]].set_visible(False)
        top = max([*values, (target or 0.0) * scale, (county or 0.0) * scale, 1e-9])
        ax.set_xlim(0, 100 if percent and top <= 100 else top * 1.08)
        if target is not None:
            ax.axvline(target * scale, color="#212121", linestyle="--", linewidth=1.2, label=target_text)
        if county is not None:
            ax.axvline(county * scale, color="#1565c0", linestyle=":", linewidth=1.4, label=county_text)
        if target is not None or county is not None:
            ax.legend(
                loc="lower left",
                bbox_to_anchor=(0, 1.0),
                ncol=2,
                frameon=False,
                fontsize=8,
                borderaxespad=0.2,
            )
        if percent:
            ax.xaxis.set_major_formatter("{x:g}%")
        ax.tick_params(axis="x", labelsize=8)
        return _svg(fig)


def status_grid(towns: Sequence[str], rules: Sequence[str], statuses: Sequence[Sequence[str]]) -> str:
    """A town × rule grid, each cell coloured by the rule's status on that town's units."""
    names = [short(t) for t in towns]
    labels = [short(r, 20) for r in rules]
    left = max([text_width(n, 9) for n in names] + [0.5]) + 0.2
    bottom = max([text_width(r, 8) for r in labels] + [0.5]) + 0.2
    cell = 0.26
    width = left + cell * len(rules) + 0.3
    height = bottom + cell * len(towns) + 0.2
    codes = [[STATUS_ORDER.index(s) for s in row] for row in statuses]
    with _style():
        fig = Figure(figsize=(max(width, 4.0), height))
        fig_w = max(width, 4.0)
        fig.subplots_adjust(
            left=left / fig_w,
            right=(left + cell * len(rules)) / fig_w,
            bottom=bottom / height,
            top=1 - 0.2 / height,
        )
        ax = fig.add_subplot()
        cmap = ListedColormap([COLORS[s] for s in STATUS_ORDER])
        ax.pcolormesh(
            codes, cmap=cmap, vmin=-0.5, vmax=len(STATUS_ORDER) - 0.5, edgecolors="white", linewidth=1
        )
        for row, cells in enumerate(statuses):
            for col, status in enumerate(cells):
                ink = "#212121" if status in ("warn", "n/a", "not-due") else "white"
                ax.text(
                    col + 0.5, row + 0.5, SYMBOLS[status], ha="center", va="center", fontsize=7, color=ink
                )
        ax.set_xticks([i + 0.5 for i in range(len(rules))], labels, rotation=90, fontsize=8)
        ax.set_yticks([i + 0.5 for i in range(len(towns))], names)
        ax.invert_yaxis()
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        return _svg(fig)


@contextmanager
def _style() -> Iterator[None]:
    """Our style, and silence about fonts this machine lacks (the browser draws the text)."""
    font_log = logging.getLogger("matplotlib.font_manager")
    level = font_log.level
    font_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), mpl.rc_context(_STYLE):
            warnings.simplefilter("ignore")
            yield
    finally:
        font_log.setLevel(level)


_PROLOG = re.compile(r"\A.*?(?=<svg)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


def _svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element for inline use (no XML prolog, no metadata)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    text = _METADATA.sub("", _PROLOG.sub("", buf.getvalue(), count=1), count=1)
    return text.replace("<svg ", '<svg role="img" ', 1)
