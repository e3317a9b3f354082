"""The sample-data generator: deterministic, consistent with the contract, realistic, and writable."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path
from typing import Literal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from houfu_check import sample
from houfu_check.contract import TableSpec, table
from houfu_check.sample import generate, write

COMMUNITIES = table("communities")
HOUSEHOLDS = table("households")
DTYPES = {"text": pl.String, "choice": pl.String, "int": pl.Int64, "bool": pl.Boolean}


def _share(frame: pl.DataFrame, condition: pl.Expr) -> float:
    """Share of rows of ``frame`` where ``condition`` holds."""
    return float(frame.select(condition.cast(pl.Float64).mean()).item())


def _mean(values: pl.Series) -> float:
    return float(values.cast(pl.Float64).to_numpy().mean())


def _sum(values: pl.Series) -> int:
    return int(values.cast(pl.Int64).to_numpy().sum())


def _min(values: pl.Series) -> int:
    return int(values.to_numpy().min())


def _max(values: pl.Series) -> int:
    return int(values.to_numpy().max())


@pytest.fixture(scope="module")
def county() -> tuple[pl.DataFrame, pl.DataFrame]:
    """The default case: 20,000 households of one county (100 communities)."""
    return generate(20_000)


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_gives_identical_frames() -> None:
    first = generate(3_000, seed=7)
    second = generate(3_000, seed=7)
    assert_frame_equal(first[0], second[0])
    assert_frame_equal(first[1], second[1])


def test_different_seed_gives_different_frames() -> None:
    communities_a, households_a = generate(3_000, seed=7)
    communities_b, households_b = generate(3_000, seed=8)
    assert not communities_a.equals(communities_b)
    assert not households_a.equals(households_b)


def test_default_seed_is_used() -> None:
    assert generate(500)[1].equals(generate(500, seed=2022)[1])


# --- the contract ------------------------------------------------------------------------------


def _check_table(frame: pl.DataFrame, spec: TableSpec) -> None:
    assert frame.columns == list(spec.names)
    assert frame.null_count().row(0) == (0,) * frame.width
    for col in spec.columns:
        values = frame.get_column(col.name)
        assert values.dtype == DTYPES[col.kind], col.name
        if frame.is_empty():
            continue
        if col.kind == "int":
            assert _min(values) >= (col.minimum if col.minimum is not None else 0), col.name
            if col.maximum is not None:
                assert _max(values) <= col.maximum, col.name
        if col.kind == "text":
            assert (values.str.len_chars() > 0).all(), col.name
        if col.kind == "choice":
            assert set(values.unique()) <= set(col.choices.values()), col.name
        if col.unique:
            assert values.n_unique() == frame.height, col.name
        if col.at_most:
            assert (values <= frame.get_column(col.at_most)).all(), f"{col.name} <= {col.at_most}"


@pytest.mark.parametrize(
    ("households", "communities"),
    [(20_000, None), (4_321, 17), (5_000, 1), (60, 100), (0, None), (0, 3), (1, None)],
)
def test_every_contract_relation_holds(households: int, communities: int | None) -> None:
    sites, homes = generate(households, communities)
    expected = communities if communities is not None else max(1, round(households / 200))
    assert (sites.height, homes.height) == (expected, households)
    _check_table(sites, COMMUNITIES)
    _check_table(homes, HOUSEHOLDS)
    for col in HOUSEHOLDS.columns:
        if col.references:
            other, column = col.references
            assert other == "communities"
            assert homes.get_column(col.name).is_in(sites.get_column(column).implode()).all()
    if households >= expected:
        assert _min(sites.get_column("households")) >= 1
    counted = homes.group_by("community_id").agg(
        pl.len().cast(pl.Int64).alias("n"), pl.col("members").sum().alias("people")
    )
    joined = sites.join(counted, on="community_id", how="left").with_columns(
        pl.col("n").fill_null(0), pl.col("people").fill_null(0)
    )
    assert joined.get_column("households").to_list() == joined.get_column("n").to_list()
    assert joined.get_column("population").to_list() == joined.get_column("people").to_list()


def test_ids_are_zero_padded() -> None:
    sites, homes = generate(2_000, 12)
    assert sites.get_column("community_id").to_list()[:2] == ["HY-C001", "HY-C002"]
    assert homes.get_column("household_id").to_list()[:2] == ["HY-H000001", "HY-H000002"]
    sites, homes = generate(1_234, 1_500)
    assert sites.get_column("community_id").str.contains(r"^HY-C\d{4}$").all()


def test_many_communities_spread_over_numbered_towns() -> None:
    sites, _ = generate(60_000, 350)
    towns = sites.get_column("town")
    bases = towns.str.replace(r"\d+$", "")
    assert set(bases.unique()) <= set(sample.TOWNS)
    assert towns.str.contains(r"\d$").any()
    assert _max(towns.value_counts().get_column("count")) <= sample.COUNTY_SIZE


def test_head_names_look_chinese() -> None:
    _, homes = generate(5_000)
    names = homes.get_column("head_name")
    assert names.str.len_chars().is_between(2, 3).all()
    assert names.str.slice(0, 1).is_in(list(sample.SURNAMES)).all()
    assert names.n_unique() > 1_000


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="households"):
        generate(-1)
    with pytest.raises(ValueError, match="communities"):
        generate(10, 0)


# --- realism -----------------------------------------------------------------------------------


def test_site_sizes_are_skewed(county: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    sites, _ = county
    assert sites.height == 100
    households = sites.get_column("households")
    population = sites.get_column("population")
    assert 70 <= _sum(households < 100) <= 80
    assert 20 <= _sum(households >= 100) <= 30
    assert 5 <= _sum(population >= 800) <= 8
    assert set(sites.get_column("town").unique()) == set(sample.TOWNS)
    # ids run town by town
    towns = sites.get_column("town").to_list()
    assert sum(a != b for a, b in itertools.pairwise(towns)) == len(sample.TOWNS) - 1


def test_communities_mostly_meet_their_targets(county: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    sites, _ = county
    large = sites.filter(pl.col("population") >= 800)
    medium = sites.filter(pl.col("households") >= 100)
    small = sites.filter(pl.col("households") < 100)
    stars = sites.get_column("star_rating")
    assert _mean(stars.is_between(3, 5)) >= 0.8
    assert _mean(large.get_column("star_rating")) > _mean(small.get_column("star_rating"))
    assert _mean(large.get_column("first_secretary")) >= 0.8
    assert _mean(sites.get_column("new_young_party_members") >= 2) >= 0.75
    assert _max(sites.get_column("new_young_party_members")) <= 4
    assert _mean(sites.get_column("reserve_cadres") >= 1) >= 0.85
    posts = large.get_column("police_post").value_counts().sort("count").get_column("police_post")
    assert posts[-1] == "office"
    assert (
        small.get_column("police_post").value_counts().sort("count").get_column("police_post")[-1] == "none"
    )
    six = ["shop", "storeroom", "dining_table", "classroom", "hall", "vegetable_garden"]
    assert _share(medium, pl.all_horizontal(six)) >= 0.8
    factories = sites.get_column("factories_operating")
    assert 18 <= _sum(factories) <= 26
    assert _min(large.get_column("factories_operating")) >= 1
    assert _max(factories) <= 3
    assert _mean(factories == 0) >= 0.6
    assert _max(sites.get_column("certified_doctors")) <= 2
    no_doctor = sites.filter(pl.col("certified_doctors") == 0)
    assert _mean(no_doctor.get_column("dispatched_doctor")) >= 0.7
    four = ["party_organization", "employment_service", "industry_support", "service_center"]
    assert _share(sites, pl.all_horizontal(four)) >= 0.85


def test_households_have_a_small_share_of_each_failure(county: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    _, homes = county
    members = homes.get_column("members")
    assert (_min(members), _max(members)) == (1, 8)
    assert members.mode().to_list()[0] in (3, 4)
    assert 0.65 <= _share(homes, pl.col("poverty_alleviated")) <= 0.75
    labour = homes.filter(pl.col("labor_count") >= 1)
    assert 0.005 <= _share(labour, pl.col("stably_employed_count") == 0) <= 0.03
    assert 0.001 <= _share(labour, pl.col("employed_count") == 0) <= 0.01
    unskilled = 1 - _sum(labour.get_column("skilled_labor_count")) / _sum(labour.get_column("labor_count"))
    assert 0.02 <= unskilled <= 0.04
    poor = homes.filter("poverty_alleviated")
    uninsured = poor.filter(pl.col("pension_insured") < pl.col("pension_eligible")).height
    assert 1 <= uninsured <= 0.01 * poor.height
    hardship = homes.filter("employment_difficulty")
    assert 0.03 <= hardship.height / homes.height <= 0.07
    stranded = hardship.filter((pl.col("employed_count") == 0) & (pl.col("public_welfare_posts") == 0))
    assert 1 <= stranded.height <= 0.05 * hardship.height
    dropouts = homes.get_column("dropout_children")
    assert 1 <= _sum(dropouts) <= 20
    assert _max(dropouts) == 1
    assert 0.98 <= _share(homes, pl.col("family_doctor_signed")) < 1
    monitored = homes.filter("monitored")
    assert 0.03 <= monitored.height / homes.height <= 0.05
    assert 0.93 <= _share(monitored, pl.col("assisted")) < 1
    assert not homes.filter(pl.col("assisted") & ~pl.col("monitored")).height


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
            expr = expr.replace_strict(col.choices, return_dtype=pl.String)
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
    sites, homes = generate(3_000, 20, seed=11)
    write(tmp_path, sites, homes, headers=headers, encoding=encoding)
    for spec, frame in ((COMMUNITIES, sites), (HOUSEHOLDS, homes)):
        path = tmp_path / spec.file_name
        assert_frame_equal(_read_back(path, spec, encoding, headers), frame)
        if encoding == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                path.read_bytes().decode("utf-8")


def test_zh_headers_are_the_contracts(tmp_path: Path) -> None:
    sites, homes = generate(300)
    write(tmp_path, sites, homes, headers="zh", encoding="gb18030")
    for spec in (COMMUNITIES, HOUSEHOLDS):
        with (tmp_path / spec.file_name).open(encoding="gb18030") as fh:
            header = fh.readline().rstrip("\n").split(",")
        assert header == [c.zh for c in spec.columns]


def test_en_files_hold_plain_words(tmp_path: Path) -> None:
    sites, homes = generate(300)
    write(tmp_path, sites, homes)
    text = (tmp_path / "communities.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].split(",") == list(COMMUNITIES.names)
    assert re.search(r",(true|false),", text)
    assert re.search(r",(office|station|none),", text)
    assert "是" not in text


def test_write_reorders_columns_to_the_contract(tmp_path: Path) -> None:
    sites, homes = generate(100)
    write(tmp_path, sites.select(reversed(sites.columns)), homes.select(reversed(homes.columns)))
    header = (tmp_path / "households.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(HOUSEHOLDS.names)


@pytest.mark.parametrize(("headers", "encoding"), [("en", "utf-8"), ("zh", "gb18030")])
def test_generated_folders_pass_validation_and_give_the_same_verdicts(
    tmp_path: Path, headers: str, encoding: str
) -> None:
    """What `houfu-check sample` writes is valid under the contract, in both header languages."""
    from houfu_check.engine import evaluate
    from houfu_check.rules import load_rules
    from houfu_check.validate import load_dataset

    frames = generate(3_000, 30, seed=7)
    write(tmp_path / "d", *frames, headers=headers, encoding=encoding)  # type: ignore[arg-type]
    dataset = load_dataset(tmp_path / "d", tmp_path)
    assert dataset["households"].height == 3_000
    report = evaluate(load_rules(), dataset, "d")
    statuses = {r.status for r in report.rules}
    assert "pass" in statuses
    assert "fail" in statuses


def test_sample_command_writes_a_folder_and_refuses_to_overwrite(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from houfu_check.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["sample", str(tmp_path / "s"), "--households", "500", "--seed", "3"])
    assert result.exit_code == 0, result.output
    first = (tmp_path / "s" / "households.csv").read_bytes()
    again = runner.invoke(app, ["sample", str(tmp_path / "s"), "--households", "500", "--seed", "3"])
    assert again.exit_code == 2
    result = runner.invoke(app, ["sample", str(tmp_path / "s"), "-n", "500", "--seed", "3", "--overwrite"])
    assert result.exit_code == 0
    assert (tmp_path / "s" / "households.csv").read_bytes() == first
