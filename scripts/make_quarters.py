"""Make the quarterly samples: ``samples/2022q3/`` and ``samples/2022q4/``, one folder per town.

    .venv/bin/python scripts/make_quarters.py

Q4 is ``samples/hanyin-2022q4`` split by town. Q3 is the same county a quarter earlier: a
few households left or arrived between the rounds, some were not yet stably employed, fewer
new young party members had been recruited (the count is year to date). 涧池镇 sends its
ledger as one workbook with a title row (sheets 社区 and 住户), as town offices often do.
Deterministic: the same files on every run.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import polars as pl
import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "samples" / "hanyin-2022q4"
EXCEL_TOWN = "涧池镇"
#: Approved exceptions beyond what the plan's own words allow for. (有条件的 — where the
#: conditions permit — is a column of the data, not a waiver; a community without a clinic
#: gets a dispatched doctor by the rule itself.)
WAIVERS = """\
# 经批准的例外
waivers:
  - rule: facilities.six_small
    unit: {six_small_unit}
    reason: 小菜园所在地块纳入道路改造,年内另行选址建设
    approved_by: 县发改局
    until: {six_small_until}
  - rule: police.office_staffing
    unit: {police_unit}
    reason: 派出所民警调整,2023年3月底前配齐警务工作室民警
    approved_by: 县公安局
    until: 2023-03-31
"""
#: County facts (submission.yaml's facts): the 9+X system was replaced during Q4.
FACTS = """\
facts:
  property_guidance_issued: 是
  maintenance_guidance_issued: 否
  system_9x_replaced: {replaced}
  property_rights_review_done: 是
  completion_review_done: 否
"""


def main() -> None:
    communities = pl.read_csv(SOURCE / "communities.csv", infer_schema=False)
    households = pl.read_csv(SOURCE / "households.csv", infer_schema=False)
    q4 = ROOT / "samples" / "2022q4"
    write_quarter(q4, communities, households)
    q3_communities, q3_households = earlier_quarter(communities, households, random.Random(2022_3))
    q3 = ROOT / "samples" / "2022q3"
    write_quarter(q3, q3_communities, q3_households)
    for folder, period, date, replaced in (
        (q3, "2022-Q3", "2022-10-10", "否"),
        (q4, "2022-Q4", "2023-01-10", "是"),
    ):
        (folder / "submission.yaml").write_text(
            f"# 汉阴县易地搬迁后续扶持 季度数据报送\nperiod: {period}\ncounty: 汉阴县\n"
            f"prepared_by: 县易地搬迁后续扶持发展工作领导小组办公室\ndate: {date}\n"
            + FACTS.format(replaced=replaced),
            encoding="utf-8",
        )
    units = _first_failing(SOURCE, ("facilities.six_small", "police.office_staffing"))
    waived = {"six_small_unit": units[0], "police_unit": units[1]}
    (q3 / "waivers.yaml").write_text(WAIVERS.format(six_small_until="2022-12-31", **waived), encoding="utf-8")
    # By Q4 the 六小 waiver has run out (it is reported, and no longer applied).
    (q4 / "waivers.yaml").write_text(WAIVERS.format(six_small_until="2022-11-30", **waived), encoding="utf-8")


def _first_failing(folder: Path, rule_ids: tuple[str, ...]) -> list[str]:
    """The first failing unit of each rule in the county sample: the units the waivers name."""
    import tempfile

    from houfu_check.engine import evaluate
    from houfu_check.rules import load_rules
    from houfu_check.validate import load_dataset

    with tempfile.TemporaryDirectory() as work:
        report = evaluate(load_rules(), load_dataset(folder, Path(work)), str(folder))
    failing = {r.id: r.failing for r in report.rules}
    return [failing[rule_id][0] for rule_id in rule_ids]


def earlier_quarter(
    communities: pl.DataFrame, households: pl.DataFrame, rng: random.Random
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The county a quarter before ``communities``/``households`` (Q4)."""
    ids = households["household_id"].to_list()
    arrived = set(rng.sample(ids, 40))  # in Q4, not yet in Q3
    q3 = households.filter(~pl.col("household_id").is_in(list(arrived)))
    # 25 households that have since left (in Q3, gone by Q4), copied from a real one with new ids.
    left = q3.sample(25, seed=7).with_columns(
        (pl.lit("HY-H9") + pl.int_range(pl.len()).cast(pl.String).str.zfill(5)).alias("household_id")
    )
    q3 = pl.concat([q3, left])
    # Stable jobs found during Q4: in Q3, 60 households with labour had none yet.
    with_jobs = q3.filter(pl.col("stably_employed_count").cast(pl.Int64) > 0)["household_id"].to_list()
    later = set(rng.sample(with_jobs, 60))
    q3 = q3.with_columns(
        pl.when(pl.col("household_id").is_in(list(later)))
        .then(pl.lit("0"))
        .otherwise(pl.col("stably_employed_count"))
        .alias("stably_employed_count")
    )
    # Three households whose member count changed implausibly between the rounds (a typo,
    # or a split household): Q3 had 5 more members than Q4 reports.
    jumped = set(q3["household_id"].to_list()[100:103])
    q3 = q3.with_columns(
        pl.when(pl.col("household_id").is_in(list(jumped)))
        .then((pl.col("members").cast(pl.Int64) + 5).cast(pl.String))
        .otherwise(pl.col("members"))
        .alias("members")
    )
    # Young party members are counted year to date: fewer by the end of Q3.
    comms = communities.with_columns(
        (pl.col("new_young_party_members").cast(pl.Int64) - pl.int_range(pl.len()) % 2)
        .clip(0)
        .cast(pl.String)
        .alias("new_young_party_members")
    )
    return comms, q3


def write_quarter(folder: Path, communities: pl.DataFrame, households: pl.DataFrame) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    towns = communities["town"].unique(maintain_order=True).sort().to_list()
    for town in towns:
        comms = communities.filter(pl.col("town") == town)
        hhs = households.filter(pl.col("community_id").is_in(comms["community_id"].implode()))
        sub = folder / town
        sub.mkdir(parents=True)
        if town == EXCEL_TOWN:
            write_ledger(sub / f"{town}易地搬迁后续扶持台账.xlsx", town, folder.name, comms, hhs)
        else:
            comms.write_csv(sub / "communities.csv")
            hhs.write_csv(sub / "households.csv")


def write_ledger(path: Path, town: str, quarter: str, comms: pl.DataFrame, hhs: pl.DataFrame) -> None:
    """A town's ledger as its office keeps it: a title row above each sheet's header."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": dt.datetime(2022, 10, 10), "author": town})  # the same bytes each run
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = book.add_format({"bold": True, "border": 1})
    for sheet, frame in (("社区", comms), ("住户", hhs)):
        ws = book.add_worksheet(sheet)
        ws.merge_range(0, 0, 0, frame.width - 1, f"{town}易地搬迁后续扶持{sheet}台账({quarter})", title)
        for c, name in enumerate(frame.columns):
            ws.write_string(1, c, name, head)
        for r, row in enumerate(frame.iter_rows(), start=2):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if value.isdigit():
                    ws.write_number(r, c, int(value))
                elif value in ("true", "false"):
                    ws.write_boolean(r, c, value == "true")
                else:
                    ws.write_string(r, c, value)
    book.close()


if __name__ == "__main__":
    main()
