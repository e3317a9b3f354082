"""``--format html``: one self-contained page, inert data, charts per town and a status grid."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from builders import community, household, write_folder
from houfu_check.cli import app
from houfu_check.render.charts import MAX_TOWNS

runner = CliRunner()
HOSTILE = ["<script>alert(1)</script>", '=HYPERLINK("http://x")', "$x^2$", "red\x1b[31m"]


def _html(folder: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["report", str(folder), "-f", "html", *args])
    return result.exit_code, result.stdout


def test_data_is_inert_and_nothing_is_fetched(tmp_path: Path) -> None:
    communities = [
        # a town's name is checked like an id (no control characters); the name may hold anything
        community(f"C{i}", town=name.replace("\x1b", ""), community_name=name, platform_321=i != 0)
        for i, name in enumerate(HOSTILE)
    ]
    households = [household(f"H{i}", f"C{i}") for i in range(len(HOSTILE))]
    households.append(household(HOSTILE[0], "C0", labor_count=2, stably_employed_count=0))
    code, page = _html(write_folder(tmp_path / "data", communities, households), "--lang", "en")
    assert code == 1
    assert "<script" not in page.lower()
    assert "\x1b" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the failing household id, as text
    assert '>=HYPERLINK("http://x")</text>' in page  # a town's name in a chart, as text
    assert ">$x^2$</text>" in page  # not mathtext
    assert "default-src 'none'" in page  # a Content-Security-Policy forbids any fetch or script
    assert not re.search(r"""(?:src|href)\s*=\s*(?!["']#)""", page), "only in-page links"
    assert not re.search(r"url\((?!#)", page)
    assert "@import" not in page


def test_a_chart_per_rule_and_a_status_grid(tmp_path: Path) -> None:
    communities = [community("C1", town="城关镇"), community("C2", town="涧池镇", platform_321=False)]
    households = [household("H1", "C1"), household("H2", "C2")]
    code, page = _html(write_folder(tmp_path / "data", communities, households), "--lang", "zh")
    assert code == 1
    charts = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    rules = page.count('<article class="rule')
    assert rules == 33
    county = 5  # the county facts are judged once: no chart of towns
    assert len(charts) == 1 + rules - county  # the grid, then one per rule judged per town
    grid = charts[0]
    assert grid.count(">城关镇</text>") == 1
    assert ">23 全面推广321治理平台</text>" in grid
    assert "fill: #c62828" in grid  # 涧池镇 fails the platform rule: a red cell
    assert grid.count(">✗</text>") >= 1  # with its symbol, for print and colour-blind readers
    platform = page[page.index('id="rule-governance.platform_321"') :]
    platform_chart = re.search(r"<svg .*?</svg>", platform, flags=re.S)
    assert platform_chart is not None
    chart = platform_chart.group(0)
    assert ">涧池镇</text>" in chart
    assert ">0%</text>" in chart
    assert ">100%</text>" in chart
    assert ">要求 = 100%</text>" in chart
    assert ">全县 50%</text>" in chart


def test_many_towns_show_those_furthest_from_the_target(tmp_path: Path) -> None:
    towns = [f"T{i:02d}镇" for i in range(MAX_TOWNS + 5)]
    communities = [community(f"C{i}", town=t, platform_321=i % 9 != 0) for i, t in enumerate(towns)]
    households = [household(f"H{i}", f"C{i}") for i in range(len(towns))]
    code, page = _html(write_folder(tmp_path / "data", communities, households), "--lang", "en")
    assert code == 1
    assert f"showing {MAX_TOWNS} of {len(towns)} towns" in page
    platform = page[page.index('id="rule-governance.platform_321"') :]
    chart = re.search(r"<svg .*?</svg>", platform, flags=re.S)
    assert chart is not None
    for i in range(0, len(towns), 9):  # every failing town is among those shown
        assert f">{towns[i]}</text>" in chart.group(0)


def test_invalid_data_is_a_page_too(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community(star_rating="<b>x</b>")], [household()])
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(folder), "-f", "html", "-o", str(out), "--lang", "en"])
    assert result.exit_code == 2
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    assert "communities.csv, line 2, column star_rating" in page
    assert "<b>" not in page
    assert "&lt;b&gt;" in page
