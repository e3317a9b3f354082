"""Property-based tests: valid data, randomly damaged, never crashes the tool or misleads it.

Invariants, for any damage to either file:
- the exit code is 0, 1 or 2 (never 3, never a traceback), and ``--format json`` is JSON;
- every problem names an input file and, when it names a line, a line that exists;
- the input files are byte-identical afterwards;
- damage confined to columns the tool does not read (``head_name``, an extra column) leaves
  the verdicts exactly those of the clean twin.

CI runs the ``ci`` profile (bounded, repeatable); ``HYPOTHESIS_PROFILE=long`` soaks locally.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from builders import community, csv_text, household, table

runner = CliRunner()
FILES = ("communities.csv", "households.csv")


@st.composite
def clean_data(draw: st.DrawFn) -> dict[str, bytes]:
    """A small valid folder: 1–4 communities, 1–8 households, some failing some targets."""
    n_comm = draw(st.integers(1, 4))
    comms = [
        community(f"C{i}", town=draw(st.sampled_from(["城关镇", "涧池镇"])), platform_321=draw(st.booleans()))
        for i in range(n_comm)
    ]
    hhs = []
    for i in range(draw(st.integers(1, 8))):
        labour = draw(st.integers(0, 3))
        hhs.append(
            household(
                f"H{i}",
                f"C{draw(st.integers(0, n_comm - 1))}",
                labor_count=labour,
                employed_count=labour,
                stably_employed_count=draw(st.integers(0, labour)) if labour else 0,
                skilled_labor_count=labour,
                head_name=draw(st.sampled_from(["张三", "李四", "王五"])),
            )
        )
    return {
        "communities.csv": csv_text("communities", comms).encode("utf-8"),
        "households.csv": csv_text("households", hhs).encode("utf-8"),
    }


def _damage(draw: st.DrawFn, data: bytes) -> bytes:
    """One random kind of damage at a random place."""
    kind = draw(
        st.sampled_from(
            [
                "truncate",
                "flip",
                "insert",
                "swap_columns",
                "delete_cell",
                "encoding",
                "bom",
                "long_field",
                "long_line",
            ]
        )
    )
    at = draw(st.integers(0, len(data)))
    if kind == "truncate":
        return data[:at]
    if kind == "flip" and data:
        at = min(at, len(data) - 1)
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if kind == "insert":
        piece = draw(st.sampled_from([b'"', b",", b"\n", b"\r", b"\r\n", b'""', b"\x00", b";"]))
        return data[:at] + piece + data[at:]
    if kind == "swap_columns":
        lines = data.split(b"\n")
        header = lines[0].split(b",")
        if len(header) > 1:
            i, j = draw(st.integers(0, len(header) - 1)), draw(st.integers(0, len(header) - 1))
            header[i], header[j] = header[j], header[i]
        return b"\n".join([b",".join(header), *lines[1:]])
    if kind == "delete_cell":
        lines = data.split(b"\n")
        row = draw(st.integers(0, len(lines) - 1))
        cells = lines[row].split(b",")
        del cells[draw(st.integers(0, len(cells) - 1))]
        lines[row] = b",".join(cells)
        return b"\n".join(lines)
    if kind == "encoding":
        codec = draw(st.sampled_from(["gb18030", "utf-16", "utf-8-sig", "latin-1", "big5"]))
        return data.decode("utf-8", errors="replace").encode(codec, errors="replace")
    if kind == "bom":
        return data[:at] + b"\xef\xbb\xbf" + data[at:]
    if kind == "long_field":
        return data[:at] + b"x" * draw(st.integers(1_000, 300_000)) + data[at:]
    # long_line: a record of many separators
    return data + b"," * draw(st.integers(1_000, 300_000)) + b"\n"


@st.composite
def damaged(draw: st.DrawFn) -> tuple[dict[str, bytes], str]:
    files = dict(draw(clean_data()))
    target = draw(st.sampled_from(FILES))
    for _ in range(draw(st.integers(1, 3))):
        files[target] = _damage(draw, files[target])
    return files, target


@contextmanager
def folder_of(files: dict[str, bytes]) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="houfu-prop-"))
    try:
        for name, content in files.items():
            (root / name).write_bytes(content)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _report(folder: Path) -> tuple[int, dict[str, object]]:
    from houfu_check.cli import app

    result = runner.invoke(app, ["report", str(folder), "-f", "json"])
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def _lines(content: bytes) -> int:
    return content.count(b"\n") + (0 if content.endswith(b"\n") or not content else 1)


@given(damaged())
def test_damaged_data_never_crashes_and_every_problem_is_located(case: tuple[dict[str, bytes], str]) -> None:
    files, _ = case
    with folder_of(files) as folder:
        code, doc = _report(folder)
        for name, content in files.items():
            assert (folder / name).read_bytes() == content, f"{name} was changed"
    if code == 2:
        errors = doc["errors"]
        assert isinstance(errors, list)
        assert errors
        for error in errors:
            assert error["file"] in files, error
            if error["line"] is not None:
                assert 1 <= error["line"] <= max(_lines(files[error["file"]]), 1), error


def _rewrite(content: bytes, change: dict[str, list[str]], extra: list[str] | None) -> bytes:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    header = rows[0]
    for column, values in change.items():
        i = header.index(column)
        for row, value in zip(rows[1:], values, strict=False):
            row[i] = value
    if extra is not None:
        header.append("备注")
        for row, value in zip(rows[1:], extra + [""] * len(rows), strict=False):
            row.append(value)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)


@given(clean_data(), st.lists(ANY_TEXT, max_size=8), st.one_of(st.none(), st.lists(ANY_TEXT, max_size=8)))
def test_damage_to_ignored_columns_changes_no_verdict(
    files: dict[str, bytes], names: list[str], extra: list[str] | None
) -> None:
    assert "head_name" in table("households").names
    damaged = dict(files)
    damaged["households.csv"] = _rewrite(files["households.csv"], {"head_name": names}, extra)
    with folder_of(files) as clean, folder_of(damaged) as dirty:
        code, twin = _report(clean)
        dirty_code, doc = _report(dirty)
    written = csv.reader(io.StringIO(damaged["households.csv"].decode("utf-8")))
    if any("\n" in cell for row in written for cell in row):
        # A quoted line break is refused in any column not marked multiline: it is
        # what a stray quote that swallowed the rows after it looks like.
        assert dirty_code == 2
        assert {e["code"] for e in doc["errors"]} == {"line-break-in-cell"}  # type: ignore[union-attr]
        return
    assert dirty_code == code
    assert doc["rules"] == twin["rules"]  # verdicts, figures and failing ids alike
