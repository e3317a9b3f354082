"""The HTML report in a real headless Chromium: it renders, fetches nothing, shows its charts.

Needs Debian's ``chromium`` (``.ci/run`` installs it) and the ``playwright`` package, which
drives that browser (it never downloads one of its own). Without a browser the tests are
skipped locally, but fail in CI (``CI`` set), so a missing install step cannot hide.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from houfu_check.cli import app

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: as the machine's notes advise: no background traffic of Chromium's own
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("no chromium here (CI installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    sample = ROOT / "samples" / "hanyin-2022q4"
    result = CliRunner().invoke(app, ["report", str(sample), "-f", "html", "--lang", "zh", "-o", str(out)])
    assert result.exit_code == 1, result.output
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM is not None, "chromium is not installed: .ci/run installs Debian's chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


def test_renders_offline_with_every_chart(browser: Any, report_page: Path) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    url = report_page.as_uri()
    page.goto(url, wait_until="load")

    assert [r for r in requests if not r.startswith("data:")] == [url], "the page fetched something"
    assert problems == []  # a blocked fetch or script would be a CSP error here
    assert page.title().startswith("易地搬迁后续扶持目标核查")
    charts = page.locator("figure svg")
    per_town = 33 - 5  # the county facts are judged once, with no chart of towns
    assert charts.count() == 1 + per_town  # the status grid and one chart per rule judged per town
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None
        assert box["width"] > 300
        assert box["height"] > 80
    # The chart labels are text the browser lays out: every town name has a width.
    widths = page.eval_on_selector_all(
        "figure svg text",
        "els => els.filter(e => e.textContent === '城关镇').map(e => e.getComputedTextLength())",
    )
    assert len(widths) == 1 + per_town
    assert min(widths) > 10


def test_the_screenshot_shows_the_charts(browser: Any, report_page: Path) -> None:
    from PIL import Image

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(report_page.as_uri(), wait_until="load")
    grid = Image.open(io.BytesIO(page.locator("figure").first.screenshot())).convert("RGB")
    colours = grid.getcolors(maxcolors=1 << 20) or []
    share = {name: 0 for name in ("red", "green", "amber")}
    wanted = {"red": (0xC6, 0x28, 0x28), "green": (0x2E, 0x7D, 0x32), "amber": (0xF9, 0xA8, 0x25)}
    for count, rgb in colours:
        for name, ref in wanted.items():
            if all(abs(a - b) <= 6 for a, b in zip(rgb, ref, strict=True)):
                share[name] += count
    total = grid.width * grid.height
    # The sample has failing, passing and warning cells: each colour covers a visible area.
    assert all(n > total * 0.005 for n in share.values()), share


def test_prints_on_a4_without_overflow(browser: Any, report_page: Path) -> None:
    page = browser.new_page(viewport={"width": 690, "height": 900})  # A4's width less 14 mm margins
    page.goto(report_page.as_uri(), wait_until="load")
    page.emulate_media(media="print")
    assert page.evaluate("document.documentElement.scrollWidth") <= 690
    pdf = page.pdf(format="A4", print_background=True)
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert pdf.startswith(b"%PDF")
    assert len(pages) >= 3
    assert re.search(rb"/MediaBox\s*\[0 0 59[45]\.?\d* 84[12]\.?\d*\]", pdf), "A4 pages"
