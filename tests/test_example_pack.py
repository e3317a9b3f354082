"""The example pack (rules/examples/county-2023): a second plan, in YAML alone, that uses every
feature of the rule language, run through the CLI on its sample rounds as a user would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from builders import run_tool

PACK = Path(__file__).resolve().parents[1] / "rules" / "examples" / "county-2023"
RULES = str(PACK / "targets.yaml")
Q1, Q2 = PACK / "sample" / "2023q1", PACK / "sample" / "2023q2"

#: rule id → (status, display) in 2023-Q2, with the Q1 round as its previous round
EXPECTED = {
    "income.growth": ("pass", "change"),  # a. +8.1% against Q1
    "income.above_province": ("pass", "rate"),  # b. against submission.yaml's newer constant
    "services.town_five_star": ("fail", "percent"),  # c. failing units are towns
    "jobs.community_stable": ("pass", "percent"),  # d. from each community's households
    "services.centres": ("pass", "number"),  # e. units that pass
    "services.four_of_six": ("fail", "percent"),  # f. booleans counted
    "services.people_five_star": ("fail", "percent"),  # g. conditional sums
    "income.monitored_assisted": ("fail", "percent"),  # h. people from household flags
    "services.doctors": ("pass", "rate"),  # i. across tables, per 1,000
    "services.rules_issued": ("pass", "percent"),  # j. a county fact
    "services.ledger_digital": ("not-due", "percent"),  # k. due 2023-09-30
    "jobs.stable_county": ("warn", "percent"),  # l. in the band
    "jobs.new_jobs": ("pass", "number"),  # m. pro rata: half the year's 60
}


def _json(*args: str) -> dict[str, object]:
    done = run_tool("report", *args, "-r", RULES, "-f", "json")
    assert done.returncode == 1, done.stderr  # targets missed: exit 1
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_the_example_pack_is_valid() -> None:
    done = run_tool("rules", "check", RULES)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "13 rules, valid" in done.stdout


def test_every_feature_in_the_example_round() -> None:
    report = _json(str(Q2))
    rules = {r["id"]: r for r in report["rules"]}  # type: ignore[attr-defined]
    assert {k: (r["status"], r["display"]) for k, r in rules.items()} == EXPECTED
    assert rules["services.town_five_star"]["failing"] == ["高山镇"]
    assert rules["income.growth"]["actual_exact"] == "49/606"  # 18,714.29 / 17,314.29 − 1
    assert rules["services.ledger_digital"]["when_due"] == "fail"
    assert rules["services.ledger_digital"]["due"] == "2023-09-30"
    assert rules["services.doctors"]["actual_exact"] == "500/21"  # 2 doctors for 84 people, × 1,000
    assert rules["jobs.new_jobs"]["pro_rata"]["judged_against"] == "≥ 30"
    assert report["constants"] == [
        {
            "name": "plan.province_rural_income",
            "value": 16500,
            "value_exact": "16500",
            "source": "submission.yaml",
        }
    ]
    assert report["summary"]["not_due"] == 1  # type: ignore[index]


def test_growth_is_na_without_a_previous_round_and_says_why(tmp_path: Path) -> None:
    alone = tmp_path / "2023q2"
    shutil.copytree(Q2, alone)
    text = (alone / "submission.yaml").read_text(encoding="utf-8").replace("previous: ../2023q1\n", "")
    (alone / "submission.yaml").write_text(text, encoding="utf-8")
    rules = {r["id"]: r for r in _json(str(alone))["rules"]}  # type: ignore[attr-defined]
    assert (rules["income.growth"]["status"], rules["income.growth"]["na_reason"]) == ("n/a", "no-previous")
    from typer.testing import CliRunner

    from houfu_check.cli import app

    for lang, words in (("zh", "未提供上一轮数据"), ("en", "no previous round was given")):
        for fmt in ("terminal", "markdown", "html", "junit"):
            done = CliRunner().invoke(app, ["report", str(alone), "-r", RULES, "-f", fmt, "--lang", lang])
            assert words in done.stdout, (lang, fmt)
    # --previous gives it on the command line
    done = run_tool("report", str(alone), "-r", RULES, "-f", "json", "--previous", str(Q1))
    growth = next(r for r in json.loads(done.stdout)["rules"] if r["id"] == "income.growth")
    assert growth["status"] == "pass"


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html", "junit"])
def test_not_yet_due_and_rates_are_shown_in_every_format(fmt: str) -> None:
    done = run_tool("report", str(Q2), "-r", RULES, "-f", fmt, "--lang", "zh")
    assert done.returncode == 1, done.stderr
    if fmt == "junit":
        assert "未到期(2023-09-30 到期;按当前数值为未达标)" in done.stdout
    else:
        assert "未到期" in done.stdout
        assert "2023-09-30" in done.stdout
        assert "23.8" in done.stdout
        assert "2/84 × 1,000" in done.stdout
        assert "+8.1%" in done.stdout  # growth as a change


def test_compare_shares_the_previous_round() -> None:
    done = run_tool("compare", str(Q1), str(Q2), "-r", RULES, "-f", "json")
    changes = {c["id"]: c for c in json.loads(done.stdout)["rules"]}
    assert changes["income.growth"]["new"]["status"] == "pass"
    assert changes["income.growth"]["old"]["status"] == "n/a"


def test_an_unknown_constant_in_submission_yaml_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "2023q2"
    shutil.copytree(Q2, folder)
    shutil.copytree(Q1, tmp_path / "2023q1")
    text = (folder / "submission.yaml").read_text(encoding="utf-8")
    (folder / "submission.yaml").write_text(
        text.replace("province_rural_income:", "province_income:"), "utf-8"
    )
    done = run_tool("report", str(folder), "-r", RULES)
    assert done.returncode == 2
    assert "submission.yaml, line 8" in done.stdout + done.stderr
    assert "'province_income' is not a constant of the plan pack" in done.stdout + done.stderr


def test_towns_and_communities_rules_by_town_and_in_rectification_lists(tmp_path: Path) -> None:
    out = tmp_path / "lists"
    done = run_tool(
        "report",
        str(Q2),
        "-r",
        RULES,
        "--by",
        "town",
        "-f",
        "json",
        "--export-failing",
        str(out),
        "--lang",
        "zh",
    )
    assert done.returncode == 1, done.stderr
    rules = {r["id"]: r for r in json.loads(done.stdout)["rules"]}
    towns = {t["town"]: t["status"] for t in rules["services.town_five_star"]["by_town"]}
    assert towns == {"城东镇": "pass", "河口镇": "pass", "高山镇": "fail"}  # each town judged as itself
    community = {t["town"]: t["status"] for t in rules["jobs.community_stable"]["by_town"]}
    assert community == {"城东镇": "pass", "河口镇": "pass", "高山镇": "pass"}
    lines = (out / "services.town_five_star.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["所属镇,任一(社区: 星级 == 5),牵头单位", "高山镇,否,县民政局"]  # headers in Chinese


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--previous", str(Q2)], "is this round's own folder"),
        ([], "is of 2023-Q2, not earlier than this round (2023-Q1)"),
    ],
    ids=["the same folder", "a later period"],
)
def test_a_previous_round_that_cannot_be_one_is_refused(tmp_path: Path, args: list[str], said: str) -> None:
    this = tmp_path / "this"
    if args:
        shutil.copytree(Q2, this)
        args = ["--previous", str(this)]
    else:  # 2023-Q1 with Q2 named as its previous round
        shutil.copytree(Q1, this)
        shutil.copytree(Q2, tmp_path / "later")
        (this / "submission.yaml").write_text(
            (this / "submission.yaml").read_text(encoding="utf-8") + "previous: ../later\n", encoding="utf-8"
        )
    done = run_tool("report", str(this), "-r", RULES, *args)
    assert done.returncode == 2
    assert said in done.stderr


def test_problems_of_the_previous_round_are_named_under_its_folder(tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(Q1, old)
    text = (
        (old / "households.csv").read_text(encoding="utf-8").replace("H003,C01,张某,4", "H003,C01,张某,x", 1)
    )
    (old / "households.csv").write_text(text, encoding="utf-8")
    done = run_tool("report", str(Q2), "-r", RULES, "--previous", str(old))
    assert done.returncode == 2
    assert f"{old / 'households.csv'}, line 4, column 家庭人口数 (members)" in done.stderr


def test_a_town_name_with_an_invisible_character_is_refused(tmp_path: Path) -> None:
    """An invisible character would make a phantom town (城东镇 and 城东镇\u200b) in per-town rules."""
    folder = tmp_path / "q"
    shutil.copytree(Q1, folder)
    text = (
        (folder / "communities.csv")
        .read_text(encoding="utf-8")
        .replace("云台社区,高山镇", "云台社区,城东镇\u200b")
    )
    (folder / "communities.csv").write_text(text, encoding="utf-8")
    done = run_tool("validate", str(folder), "-r", RULES)
    assert done.returncode == 2
    assert "communities.csv, line 7, column 所属镇 (town)" in done.stderr
    assert "U+200B" in done.stderr


@pytest.mark.parametrize(("value", "said"), [("true", "a yes/no"), ("", "the value is empty")])
def test_a_constant_that_is_no_number_is_refused(tmp_path: Path, value: str, said: str) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack, ignore=shutil.ignore_patterns("sample"))
    text = (pack / "targets.yaml").read_text(encoding="utf-8").replace("value: 15704", f"value: {value}")
    (pack / "targets.yaml").write_text(text, encoding="utf-8")
    done = run_tool("rules", "check", str(pack / "targets.yaml"))
    assert done.returncode == 2
    assert said in done.stdout + done.stderr
    assert "True" not in done.stdout + done.stderr
