"""#14: the county sample, as workbooks re-saved by LibreOffice Calc, validates like the original.

Calc writes every yes/no cell as the formula TRUE()/FALSE() (in .xlsx, .ods and .xls alike),
and a clerk who opens a ledger in Calc or WPS and saves it gets exactly that. The sample is
written as a workbook with real number and boolean cells, converted by headless Calc to
.xlsx, .ods and .xls, and each must give the same verdicts as the CSV files. The test runs
where LibreOffice is installed (``.ci/run`` installs it); elsewhere it is skipped, except in
CI, where a missing LibreOffice is a failure.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from builders import run_tool

SAMPLE = Path(__file__).parent.parent / "samples" / "hanyin-2022q4"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
KINDS = ("xlsx", "ods", "xls")

if SOFFICE is None and not os.environ.get("CI"):
    pytest.skip("LibreOffice is not installed (CI installs it)", allow_module_level=True)


def _typed(cell: str) -> Any:
    """A CSV cell as the typed value a clerk's workbook holds."""
    if cell in ("true", "false"):
        return cell == "true"
    if cell.isdigit() and not cell.startswith("0"):
        return int(cell)
    return cell


def _write_ledger(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    for sheet, name in (("社区", "communities.csv"), ("住户", "households.csv")):
        ws = book.add_worksheet(sheet)
        with (SAMPLE / name).open(encoding="utf-8", newline="") as fh:
            for r, row in enumerate(csv.reader(fh)):
                for c, cell in enumerate(row):
                    value = _typed(cell) if r else cell
                    if isinstance(value, bool):
                        ws.write_boolean(r, c, value)
                    elif isinstance(value, int):
                        ws.write_number(r, c, value)
                    elif value != "":
                        ws.write_string(r, c, value)
    book.close()


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The ledger re-saved by Calc as each kind, each in a folder beside submission.yaml."""
    assert SOFFICE is not None, "CI installs LibreOffice (.ci/run): soffice was not found"
    root = tmp_path_factory.mktemp("calc")
    original = root / "台账.xlsx"
    _write_ledger(original)
    formulas = root / "公式.xlsx"  # a formula filled down a column: Calc shares it between the cells
    book = xlsxwriter.Workbook(str(formulas))
    ws = book.add_worksheet("住户")
    for r in range(1, 6):
        ws.write_formula(r, 3, f"=A{r}+1", None, r + 1)
    book.close()
    profile = (root / "profile").as_uri()  # its own profile: no clash with another Calc
    folders = {}
    for kind in KINDS:
        folder = root / kind
        folder.mkdir()
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
             "--convert-to", kind, "--outdir", str(folder), str(original), str(formulas)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        assert (folder / f"台账.{kind}").is_file(), f"Calc wrote no .{kind}"
        (root / f"formulas-{kind}").mkdir()
        (folder / f"公式.{kind}").rename(root / f"formulas-{kind}" / f"公式.{kind}")
        shutil.copy(SAMPLE / "submission.yaml", folder / "submission.yaml")
        folders[kind] = folder
    return folders


def _judged(folder: Path) -> tuple[list[Any], list[Any]]:
    """The rules' verdicts and the warnings, without the file names they came from."""
    result = run_tool("report", str(folder), "-f", "json", "--lang", "en")
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    rules = [(r["id"], r["status"], r["actual"], r["failing"]) for r in report["rules"]]
    warnings = [(w["code"], w["line"], w["column"]) for w in report["warnings"]]
    return rules, warnings


@pytest.mark.parametrize("kind", KINDS)
def test_a_ledger_resaved_by_calc_judges_like_the_csv_files(resaved: dict[str, Path], kind: str) -> None:
    folder = resaved[kind]
    book = folder / f"台账.{kind}"
    if kind != "xls":  # .xls has no place for a formula's text: its tokens are checked instead
        assert _holds_true_formulas(book), "Calc no longer writes TRUE() for a yes/no cell"
    assert _judged(folder) == _judged(SAMPLE)
    result = run_tool("validate", str(folder), "-f", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    inputs = json.loads(result.stdout)["inputs"]
    assert [(i["sheet"], i["rows"], i["encoding"]) for i in inputs] == [
        ("社区", 100, kind),
        ("住户", 20000, kind),
    ]


def _holds_true_formulas(book: Path) -> bool:
    import zipfile

    with zipfile.ZipFile(book) as zf:
        text = b"".join(zf.read(n) for n in zf.namelist() if n.endswith(".xml"))
    return b"TRUE()" in text


@pytest.mark.parametrize("kind", KINDS)
def test_a_formula_filled_down_by_calc_is_refused_in_every_cell(resaved: dict[str, Path], kind: str) -> None:
    """Calc stores a filled-down formula once and points the other cells at it (a shared
    formula): each cell is still a formula, named at its own row."""
    from houfu_check.io.workbook_kind import inspect

    book = resaved[kind].parent / f"formulas-{kind}" / f"公式.{kind}"
    found = inspect(book, book.name, "住户")
    assert [(row, col) for row, col, _ in found.formulas] == [(r, 3) for r in range(2, 7)]
    assert not found.booleans
