"""The sample-data generator: drawn from any pack's contract, deterministic, valid, realistic, writable."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path
from typing import Literal

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from houfu_check import sample
from houfu_check.cli import app
from houfu_check.engine import evaluate
from houfu_check.pack.contract import Contract, TableSpec
from houfu_check.rules import default_contract, load_rules
from houfu_check.sample import SampleError, generate, write
from houfu_check.submission import read_submission
from houfu_check.validate import load_dataset
from houfu_check.validate.cells import dtype

CONTRACT = default_contract()
runner = CliRunner()


def _share(frame: pl.DataFrame, condition: pl.Expr) -> float:
    return float(frame.select(condition.cast(pl.Float64).mean()).item())


@pytest.fixture(scope="module")
def county() -> dict[str, pl.DataFrame]:
    """The default case: 20,000 households of one county (100 communities)."""
    return generate(CONTRACT, 20_000, 100)


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_same_frames_other_seed_other_frames() -> None:
    first, second = generate(CONTRACT, 3_000, seed=7), generate(CONTRACT, 3_000, seed=7)
    for name in first:
        assert_frame_equal(first[name], second[name])
    other = generate(CONTRACT, 3_000, seed=8)
    assert not other["households"].equals(first["households"])


# --- the contract holds ------------------------------------------------------------------------


def _check_table(frame: pl.DataFrame, spec: TableSpec) -> None:
    assert frame.columns == list(spec.names)
    for col in spec.columns:
        values = frame.get_column(col.name)
        assert values.dtype == dtype(col), col.name
        assert values.null_count() == 0, col.name
        if frame.is_empty():
            continue
        if col.numeric:
            if col.minimum is not None:
                assert values.min() >= col.minimum, col.name  # type: ignore[operator]
            if col.maximum is not None:
                assert values.max() <= col.maximum, col.name  # type: ignore[operator]
            if col.at_most:
                assert (values <= frame.get_column(col.at_most)).all(), f"{col.name} <= {col.at_most}"
            if col.at_least:
                assert (values >= frame.get_column(col.at_least)).all(), f"{col.name} >= {col.at_least}"
        if col.kind == "choice":
            assert set(values.unique()) <= set(col.values), col.name
        if col.unique:
            assert values.n_unique() == frame.height, col.name


@pytest.mark.parametrize(
    ("rows", "parents"), [(20_000, None), (4_321, 17), (5_000, 1), (60, 100), (0, None), (0, 3), (1, None)]
)
def test_every_contract_rule_holds(rows: int, parents: int | None) -> None:
    frames = generate(CONTRACT, rows, parents)
    sites, homes = frames["communities"], frames["households"]
    expected = parents if parents is not None else max(1, round(rows / 200))
    assert (sites.height, homes.height, frames["county"].height) == (expected, rows, 1)
    for spec in CONTRACT.tables:
        _check_table(frames[spec.name], spec)
    assert homes.get_column("community_id").is_in(sites.get_column("community_id").implode()).all()
    if rows >= expected:
        assert sites.get_column("households").min() >= 1  # type: ignore[operator]
    # the tallies are exact: 安置户数 and 安置人数 agree with the household rows
    counted = homes.group_by("community_id").agg(
        pl.len().cast(pl.Int64).alias("n"), pl.col("members").sum().alias("p")
    )
    joined = sites.join(counted, on="community_id", how="left").fill_null(0)
    assert joined.get_column("households").to_list() == joined.get_column("n").to_list()
    assert joined.get_column("population").to_list() == joined.get_column("p").to_list()


def test_ids_follow_the_hints() -> None:
    frames = generate(CONTRACT, 2_000, 12)
    assert frames["communities"].get_column("community_id").to_list()[:2] == ["HY-C001", "HY-C002"]
    assert frames["households"].get_column("household_id").to_list()[:2] == ["HY-H000001", "HY-H000002"]
    wide = generate(CONTRACT, 1_234, 1_500)["communities"].get_column("community_id")
    assert wide.str.contains(r"^HY-C\d{4}$").all()


def test_many_communities_spread_over_numbered_towns() -> None:
    towns = generate(CONTRACT, 60_000, 350)["communities"].get_column("town")
    hint = CONTRACT.table("communities").column("town").sample
    assert set(towns.str.replace(r"\d+$", "").unique()) <= set(hint["values"])
    assert towns.str.contains(r"\d$").any()
    assert towns.value_counts().get_column("count").max() <= hint["blocks"]  # type: ignore[operator]


# --- realistic ---------------------------------------------------------------------------------


def test_the_county_is_realistic(county: dict[str, pl.DataFrame]) -> None:
    sites, homes = county["communities"], county["households"]
    sizes = sites.get_column("households")
    assert 0.3 <= _share(sites, pl.col("households") < 100) <= 0.75  # mostly small sites
    assert (sites.get_column("population") >= 800).sum() >= 5  # and a few large ones
    assert 3.0 <= homes.get_column("members").mean() <= 4.0  # type: ignore[operator]
    assert int(sizes.sum()) == 20_000
    labour = homes.filter(pl.col("labor_count") >= 1)
    assert 0.97 <= _share(labour, pl.col("stably_employed_count") >= 1) < 1
    assert 0.99 <= _share(labour, pl.col("employed_count") >= 1) < 1
    monitored = homes.filter(pl.col("monitored"))
    assert 0.9 <= _share(monitored, pl.col("assisted")) < 1
    assert not homes.filter(pl.col("assisted") & ~pl.col("monitored")).height
    assert 15 <= int(sites.get_column("factories_operating").sum()) <= 45  # near the plan's 20
    assert sites.filter(pl.col("police_post") != "office").get_column("police_officers").sum() == 0
    assert sites.filter(~pl.col("has_clinic")).get_column("certified_doctors").sum() == 0


def test_the_sample_misses_some_targets_and_meets_others(
    county: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    write(tmp_path / "d", county, CONTRACT)
    dataset = load_dataset(tmp_path / "d", tmp_path, submission=read_submission(tmp_path / "d"))
    report = evaluate(load_rules(), dataset, "d")
    statuses = [r.status for r in report.rules]
    assert statuses.count("pass") >= 4
    assert statuses.count("fail") >= 10
    assert "n/a" not in statuses  # every rule has units in scope, the county facts included
    assert dataset.warnings == ()  # the sample agrees with itself


# --- writing -----------------------------------------------------------------------------------


def _read_back(path: Path, spec: TableSpec, encoding: str, headers: str) -> pl.DataFrame:
    """Read a written file with every cell as text, then turn it back into typed contract columns."""
    text = path.read_bytes().decode(encoding)
    names = [c.zh if headers == "zh" else c.name for c in spec.columns]
    raw = pl.read_csv(io.StringIO(text), schema=dict.fromkeys(names, pl.String))
    exprs = []
    for col, name in zip(spec.columns, names, strict=True):
        expr = pl.col(name)
        if col.kind == "bool":
            true, false = ("是", "否") if headers == "zh" else ("true", "false")
            expr = expr.replace_strict({true: True, false: False}, return_dtype=pl.Boolean)
        elif col.kind == "choice":
            expr = expr.str.to_lowercase().replace_strict(col.choices, return_dtype=pl.String)
        elif col.kind == "int":
            expr = expr.cast(pl.Int64)
        exprs.append(expr.alias(col.name))
    return raw.select(exprs)


@pytest.mark.parametrize(
    ("headers", "encoding"), [("en", "utf-8"), ("zh", "gb18030"), ("zh", "utf-8"), ("en", "gb18030")]
)
def test_write_round_trips(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    headers: Literal["en", "zh"],
    encoding: Literal["utf-8", "gb18030"],
) -> None:
    monkeypatch.setattr(sample, "BATCH_ROWS", 700)  # several blocks, one boundary mid-file
    frames = generate(CONTRACT, 3_000, 20, seed=11)
    write(tmp_path, frames, CONTRACT, headers=headers, encoding=encoding)
    for spec in CONTRACT.data_tables:
        path = tmp_path / spec.file_name
        assert_frame_equal(_read_back(path, spec, encoding, headers), frames[spec.name])
        if encoding == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                path.read_bytes().decode("utf-8")
    facts = (tmp_path / "submission.yaml").read_text(encoding="utf-8")
    assert ("已完成9+X系统新旧替换:" if headers == "zh" else "system_9x_replaced:") in facts


def test_en_files_hold_plain_words(tmp_path: Path) -> None:
    write(tmp_path, generate(CONTRACT, 300), CONTRACT)
    text = (tmp_path / "communities.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].split(",") == list(CONTRACT.table("communities").names)
    assert re.search(r",(true|false),", text)
    assert re.search(r",(office|station|none),", text)
    assert "是" not in text


@pytest.mark.parametrize(("headers", "encoding"), [("en", "utf-8"), ("zh", "gb18030")])
def test_generated_folders_pass_validation(tmp_path: Path, headers: str, encoding: str) -> None:
    write(tmp_path / "d", generate(CONTRACT, 3_000, 30, seed=7), CONTRACT, headers=headers, encoding=encoding)  # type: ignore[arg-type]
    dataset = load_dataset(tmp_path / "d", tmp_path, submission=read_submission(tmp_path / "d"))
    assert dataset["households"].height == 3_000
    assert dataset["county"].height == 1


# --- any pack ----------------------------------------------------------------------------------

OTHER_CONTRACT = """\
version: 1
town: villages.township
tables:
  - name: villages
    title: {zh: 村, en: village}
    primaryKey: village_code
    fields:
      - {name: village_code, title: 村代码, type: string}
      - {name: township, title: 乡镇, type: string}
      - {name: area_mu, title: 面积亩, type: number, decimalPlaces: 1, constraints: {minimum: 0, maximum: 5000}}
      - {name: founded, title: 建村日期, type: date}
      - name: kind
        title: 类型
        type: string
        constraints: {enum: [plain, hill]}
        enumAliases: {plain: [平原], hill: [山区]}
  - name: farms
    title: {zh: 农户, en: farm}
    primaryKey: farm_id
    parent: villages
    sample: {per_parent: 30}
    foreignKeys: [{fields: village_code, reference: {resource: villages, fields: village_code}}]
    fields:
      - {name: farm_id, title: 农户编号, type: string}
      - {name: village_code, title: 村代码, type: string}
      - {name: workers, title: 劳动力, type: integer, constraints: {minimum: 1, maximum: 9}}
      - {name: trained, title: 已培训, type: integer, constraints: {minimum: 0, maximum: workers}}
      - {name: insured, title: 参保, type: boolean}
  - name: members
    title: {zh: 成员, en: member}
    primaryKey: member_id
    parent: farms
    sample: {per_parent: workers}
    foreignKeys: [{fields: farm_id, reference: {resource: farms, fields: farm_id}}]
    fields:
      - {name: member_id, title: 成员编号, type: string}
      - {name: farm_id, title: 农户编号, type: string}
      - {name: age, title: 年龄, type: integer, constraints: {minimum: 16, maximum: 70}}
"""

OTHER_RULES = """\
version: 1
contract: contract.yaml
plan: {title: 某县2023年产业帮扶要点}
parts: [{id: p, zh: 产业, en: Industry}]
rules:
  - id: training.share
    clause: "1"
    part: p
    title: {zh: 劳动力培训, en: Workers trained}
    text: 培训
    lead: [县农业农村局]
    table: farms
    kind: ratio
    numerator: trained
    denominator: workers
    target: ">= 50%"
"""


def _other_pack(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "contract.yaml").write_text(OTHER_CONTRACT, encoding="utf-8")
    (folder / "rules.yaml").write_text(OTHER_RULES, encoding="utf-8")
    return folder / "rules.yaml"


def test_any_pack_gets_valid_data_without_hints(tmp_path: Path) -> None:
    """A pack with other tables, a number, a date, a choice and a third level, and no hints."""
    rules = load_rules(_other_pack(tmp_path / "pack"))
    contract: Contract = rules.contract
    frames = generate(contract, 900, seed=3)  # 900 farms (the first table with a parent)
    assert (frames["villages"].height, frames["farms"].height) == (30, 900)
    assert frames["members"].height == int(frames["farms"].get_column("workers").sum())
    for spec in contract.tables:
        _check_table(frames[spec.name], spec)
    for headers, encoding in (("en", "utf-8"), ("zh", "gb18030")):
        folder = tmp_path / f"data-{headers}"
        write(folder, frames, contract, headers=headers, encoding=encoding)  # type: ignore[arg-type]
        dataset = load_dataset(folder, tmp_path, contract=contract)
        assert {name: frame.height for name, frame in dataset.tables.items()} == {
            name: frame.height for name, frame in frames.items()
        }
        assert_frame_equal(dataset["villages"], frames["villages"])


def test_the_sample_command_for_another_pack(tmp_path: Path) -> None:
    rules = _other_pack(tmp_path / "pack")
    out = tmp_path / "s"
    result = runner.invoke(app, ["sample", str(out), "--rules", str(rules), "-n", "300", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["farms.csv", "members.csv", "villages.csv"]
    report = runner.invoke(app, ["report", str(out), "--rules", str(rules), "-f", "json"])
    assert report.exit_code in (0, 1), report.output


def test_hints_that_cannot_work_are_named(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    rules = _other_pack(pack)
    text = OTHER_CONTRACT.replace(
        "{name: insured, title: 参保, type: boolean}",
        "{name: insured, title: 参保, type: boolean, sample: {values: [true, false], weights: [1]}}",
    )
    (pack / "contract.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SampleError, match=r"farms\.insured: weights must match values"):
        generate(load_rules(rules).contract, 100)
    result = runner.invoke(app, ["sample", str(tmp_path / "s"), "--rules", str(rules)])
    assert result.exit_code == 2
    assert "weights must match values" in result.output


def test_sample_command_writes_a_folder_and_refuses_to_overwrite(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sample", str(tmp_path / "s"), "--rows", "500", "--seed", "3"])
    assert result.exit_code == 0, result.output
    first = (tmp_path / "s" / "households.csv").read_bytes()
    again = runner.invoke(app, ["sample", str(tmp_path / "s"), "--rows", "500", "--seed", "3"])
    assert again.exit_code == 2
    result = runner.invoke(app, ["sample", str(tmp_path / "s"), "-n", "500", "--seed", "3", "--overwrite"])
    assert result.exit_code == 0
    assert (tmp_path / "s" / "households.csv").read_bytes() == first
    assert "submission.yaml" in result.output


def test_a_sample_has_rows() -> None:
    result = runner.invoke(app, ["sample", "/tmp/never-written", "--rows", "0"])
    assert result.exit_code == 2  # a header-only file would not be valid data


def test_docstring_hints_are_the_ones_read() -> None:
    """Every hint word the module documents is one the generator reads (no drift)."""
    lines = textwrap.dedent(sample.__doc__ or "")
    documented = set(re.findall(r"^\s{4}(\w+):", lines, flags=re.M)) - {"sample"}
    documented |= set(re.findall(r"sample: \{(\w+):", lines))
    assert {"p", "values", "binomial", "when", "per_parent"} <= documented
    source = Path(sample.__file__).read_text(encoding="utf-8")
    for word in documented:
        assert f'"{word}"' in source, word
