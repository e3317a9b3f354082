"""The data contract is data: a pack declares its tables and columns, mistakes in it are located,
a new column needs no code, and no Python file names a plan's columns."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from builders import community, csv_text, household, table, write_folder
from houfu_check.cli import app
from houfu_check.errors import ContractProblem, ProblemsFound
from houfu_check.pack.contract_file import load_contract
from houfu_check.rules import default_contract, load_rules
from houfu_check.rules.load import default_contract_path, default_rules_path

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
LIBRARY_WORDING = re.compile(r"Input should|Extra inputs|validation error|pydantic|Field required|Traceback")


def _pack(folder: Path, contract: str | None = None, rules: str | None = None) -> Path:
    """A copy of the shipped pack in ``folder``, with its contract or rule file replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "contract.yaml").write_text(
        contract if contract is not None else default_contract_path().read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    (folder / "rules.yaml").write_text(
        rules if rules is not None else default_rules_path().read_text(encoding="utf-8"), encoding="utf-8"
    )
    return folder / "rules.yaml"


# --- mistakes in the contract ------------------------------------------------------------------

SHIPPED = default_contract_path().read_text(encoding="utf-8")

MISTAKES = [
    (
        "unknown type",
        ("        title: 星级\n        type: integer", "        title: 星级\n        type: stars"),
        "communities",
        "star_rating",
        "'stars' is not allowed here; expected one of: 'string', 'integer', 'number', 'boolean' or 'date'",
    ),
    (
        "a bound naming a missing column",
        ("constraints: {minimum: 0, maximum: labor_count}", "constraints: {minimum: 0, maximum: labour}"),
        "households",
        "employed_count",
        "maximum: 'labour' is neither a number nor a field of households",
    ),
    (
        "a reference to an undeclared table",
        (
            "reference: {resource: communities, fields: community_id}",
            "reference: {resource: sites, fields: community_id}",
        ),
        "households",
        "community_id",
        "'sites' is not a table of this contract",
    ),
    (
        "a duplicate header alias",
        ("        title: 民警数\n", "        title: 民警数\n        aliases: [专职辅警数]\n"),
        "communities",
        "fulltime_auxiliary_police",
        "the header '专职辅警数' already names 'police_officers'",
    ),
    (
        "an unknown key",
        ("        title: 星级\n", "        title: 星级\n        unit: stars\n"),
        "communities",
        "star_rating",
        "unknown key 'unit'; the keys allowed here are: name, title, type",
    ),
    (
        "yes unquoted",
        ('trueValues: ["true", "1", "yes"', 'trueValues: ["true", "1", yes'),
        None,
        "trueValues",
        "write it in quotes",
    ),
    (
        "an optional number",
        (
            "        title: 第一书记\n        type: boolean\n",
            "        title: 第一书记\n        type: boolean\n        constraints: {required: false}\n",
        ),
        "communities",
        "first_secretary",
        "only text fields may be optional",
    ),
]


@pytest.mark.parametrize(
    ("change", "table", "field", "message"), [pytest.param(*m[1:], id=m[0]) for m in MISTAKES]
)
def test_a_contract_mistake_is_located(
    tmp_path: Path, change: tuple[str, str], table: str | None, field: str, message: str
) -> None:
    assert change[0] in SHIPPED
    rules = _pack(tmp_path, SHIPPED.replace(change[0], change[1], 1))
    with pytest.raises(ProblemsFound) as found:
        load_rules(rules)
    problems = found.value.log.shown()
    hit = [p for p in problems if message in p.message]
    assert hit, [str(p) for p in problems]
    problem = hit[0]
    assert isinstance(problem, ContractProblem)
    assert (problem.table, problem.field_name) == (table, field)
    assert problem.line is not None
    line = SHIPPED.replace(change[0], change[1], 1).splitlines()[problem.line - 1]
    assert field in line or problem.field_name in line or change[1].split("\n")[-1].strip()[:8] in line
    result = runner.invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert not LIBRARY_WORDING.search(result.stderr), result.stderr


def test_every_contract_mistake_at_once(tmp_path: Path) -> None:
    text = SHIPPED
    for _, change, *_ in MISTAKES[:4]:
        text = text.replace(change[0], change[1], 1)
    rules = _pack(tmp_path, text)
    result = runner.invoke(app, ["rules", "check", str(rules), "--lang", "en"])
    assert result.exit_code == 2
    for *_, message in MISTAKES[:4]:
        assert message in result.stderr
    for position in re.findall(
        r"^  (\S+contract\.yaml, line \d+, table \w+, field \w+):", result.stderr, re.M
    ):
        assert position
    assert result.stderr.count("contract.yaml, line ") >= 4


def test_a_json_document_for_a_broken_contract(tmp_path: Path) -> None:
    rules = _pack(tmp_path, SHIPPED.replace("type: integer", "type: int", 1))
    folder = write_folder(tmp_path / "data")
    result = runner.invoke(app, ["report", str(folder), "--rules", str(rules), "-f", "json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["status"] == "invalid-rules"
    (error,) = doc["errors"]
    assert (error["code"], error["table"], error["field"]) == ("contract-error", "communities", "households")


def test_a_contract_that_is_not_a_contract(tmp_path: Path) -> None:
    for text, message in (
        ("- a\n- b\n", "expected a mapping with version and tables"),
        ("version: 1\ntables: []\n", "must not be empty"),
        ("version: 2\ntables: [{}]\n", "'2' is not allowed here"),
    ):
        with pytest.raises(ProblemsFound) as found:
            load_contract(_pack(tmp_path, text).with_name("contract.yaml"), "contract.yaml")
        assert any(message in p.message for p in found.value.log.shown()), [
            str(p) for p in found.value.log.shown()
        ]


# --- a new column is data ----------------------------------------------------------------------


def test_a_new_column_needs_no_code(tmp_path: Path) -> None:
    """Add a column to the pack's contract and to the CSV, and a rule can judge it."""
    contract = SHIPPED.replace(
        "      - name: monitored\n",
        "      - name: training_sessions\n"
        "        title: 本年参加培训次数\n"
        "        type: integer\n"
        "        description: sessions of job training attended this year\n"
        "        constraints: {minimum: 0, maximum: 12}\n"
        "      - name: monitored\n",
    )
    rules = default_rules_path().read_text(encoding="utf-8") + (
        "\n  - id: skills.training\n"
        '    clause: "3"\n'
        "    part: leye\n"
        "    title: {zh: 有劳动力家庭参加培训, en: Households with labour attend training}\n"
        "    text: 强化教育就业培训。\n"
        "    lead: [县人社局]\n"
        "    table: households\n"
        "    scope: labor_count >= 1\n"
        "    kind: share\n"
        "    condition: training_sessions >= 1\n"
        '    target: ">= 50%"\n'
        "    basis: interpretation\n"
        "    note: {zh: 培训覆盖一半以上读作达标, en: at least half the households attend}\n"
    )
    path = _pack(tmp_path / "pack", contract, rules)
    homes = [
        household("H1", training_sessions=2),
        household("H2", training_sessions=0),
        household("H3", training_sessions=0),
    ]
    header = [*table("households").names, "training_sessions"]
    folder = write_folder(tmp_path / "data", [community()], homes)
    (folder / "households.csv").write_text(csv_text("households", homes, header), encoding="utf-8")
    result = runner.invoke(app, ["report", str(folder), "--rules", str(path), "-f", "json"])
    doc = json.loads(result.stdout)
    assert "rules" in doc, result.stdout
    rule = next(r for r in doc["rules"] if r["id"] == "skills.training")
    assert (rule["status"], rule["actual_exact"], rule["failing"]) == ("fail", "1/3", ["H2", "H3"])
    # the Chinese header works too, and the new column is validated like any other
    bad = write_folder(tmp_path / "bad", [community()], [household("H1", training_sessions=13)])
    (bad / "households.csv").write_text(
        csv_text("households", [household("H1", training_sessions=13)], header), encoding="utf-8"
    )
    result = runner.invoke(app, ["report", str(bad), "--rules", str(path), "--lang", "en"])
    assert result.exit_code == 2
    assert "column training_sessions: '13' is out of range; expected whole number 0–12" in result.stderr
    init = runner.invoke(app, ["init", str(tmp_path / "t"), "--rules", str(path), "--lang", "zh"])
    assert init.exit_code == 0
    assert "本年参加培训次数" in (tmp_path / "t" / "households.csv").read_text(encoding="utf-8-sig")


# --- no plan in the code -----------------------------------------------------------------------


def test_no_python_file_names_a_plan_column() -> None:
    """The Hanyin pack's column and table names appear in the pack, samples, tests and docs: not
    in src/ (town, a word of ordinary speech, and the key names of the generic code excepted)."""
    names = {c.name for spec in default_contract().tables for c in spec.columns if len(c.name) > 4}
    names |= {spec.name for spec in default_contract().tables}
    names -= {"town", "county"}  # ordinary words of the tool's own vocabulary
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src").rglob("*.py"))
    code = re.sub(r'"""[\s\S]*?"""|#[^\n]*', "", source)  # docstrings and comments may give examples
    found = sorted(name for name in names if re.search(rf"\b{re.escape(name)}\b", code))
    assert found == []


# --- a pack with other tables ------------------------------------------------------------------

TOWNS_PACK = """\
version: 1
town: sites.township
tables:
  - name: townships
    title: {zh: 乡镇, en: township}
    required: false
    primaryKey: township
    fields:
      - {name: township, title: 乡镇, type: string}
      - {name: ecommerce_station, title: 电商服务站, type: boolean}
  - name: sites
    title: {zh: 安置点, en: site}
    primaryKey: site_id
    label: site_name
    foreignKeys: [{fields: township, reference: {resource: townships, fields: township}}]
    fields:
      - {name: site_id, title: 安置点编号, type: string}
      - {name: site_name, title: 安置点名称, type: string}
      - {name: township, title: 乡镇, type: string}
      - name: homes
        title: 户数
        type: integer
        constraints: {minimum: 0}
        tally: {table: homes, count: rows, tolerance: "5%"}
  - name: homes
    title: {zh: 户, en: home}
    primaryKey: home_id
    parent: sites
    foreignKeys: [{fields: site_id, reference: {resource: sites, fields: site_id}}]
    fields:
      - {name: home_id, title: 户编号, type: string}
      - {name: site_id, title: 安置点编号, type: string}
      - {name: size, title: 人口, type: integer, constraints: {minimum: 1, maximum: 12}}
      - {name: income, title: 人均收入, type: number, decimalPlaces: 2, constraints: {minimum: 0}}
  - name: people
    title: {zh: 人, en: person}
    required: false
    primaryKey: person_id
    parent: homes
    foreignKeys: [{fields: home_id, reference: {resource: homes, fields: home_id}}]
    fields:
      - {name: person_id, title: 人员编号, type: string}
      - {name: home_id, title: 户编号, type: string}
      - {name: full_name, title: 姓名, type: string, personal: true, constraints: {required: false}}
      - {name: signed, title: 已签约, type: boolean}
      - {name: born, title: 出生日期, type: date}
  - name: county
    title: {zh: 县, en: county}
    facts: true
    fields:
      - {name: plan_issued, title: 已印发方案, type: boolean}
"""

TOWNS_RULES = """\
version: 1
contract: contract.yaml
plan: {title: 某县2023年后续扶持要点}
parts: [{id: p, zh: 要点, en: Points}]
rules:
  - {id: people.signed, clause: "1", part: p, title: {zh: 签约, en: Signed}, text: 签约, lead: [县卫健局],
     table: people, kind: share, condition: signed, target: "== 100%"}
  - {id: people.adults, clause: "1", part: p, title: {zh: 成年, en: Adults}, text: 成年, lead: [县卫健局],
     table: people, kind: count, condition: "born <= '2005-01-01'", target: "== 0", severity: warn}
  - {id: homes.income, clause: "2", part: p, title: {zh: 收入, en: Income}, text: 收入, lead: [县乡村振兴局],
     table: homes, kind: share, condition: "income >= 8000", target: ">= 50%"}
  - {id: towns.ecommerce, clause: "3", part: p, title: {zh: 电商, en: E-commerce}, text: 电商, lead: [县经贸局],
     table: townships, kind: share, condition: ecommerce_station, target: "== 100%"}
  - {id: county.plan, clause: "4", part: p, title: {zh: 方案, en: Plan}, text: 方案, lead: [县政府],
     table: county, kind: share, condition: plan_issued, target: "== 100%"}
"""


def _towns_pack(folder: Path) -> Path:
    return _pack(folder, TOWNS_PACK, TOWNS_RULES)


def _towns_data(folder: Path, people: str | None = None, facts: str = "facts:\n  已印发方案: 是\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "townships.csv").write_text("乡镇,电商服务站\n北镇,是\n南镇,否\n", encoding="utf-8")
    (folder / "sites.csv").write_text(
        "site_id,site_name,township,homes\nS1,一号点,北镇,2\nS2,二号点,南镇,20\n", encoding="utf-8"
    )
    (folder / "homes.csv").write_text(
        "home_id,site_id,size,income\nA,S1,2,9000.5\nB,S1,3,7999.99\nC,S2,1,8000\n", encoding="utf-8"
    )
    if people is None:
        people = "person_id,home_id,full_name,signed,born\nP1,A,王芳,true,1990-05-01\nP2,B,李强,false,2010-01-31\nP3,C,张三,true,1950-12-31\n"
    (folder / "people.csv").write_text(people, encoding="utf-8")
    (folder / "submission.yaml").write_text(facts, encoding="utf-8")
    return folder


def test_a_pack_with_towns_people_numbers_dates_and_facts(tmp_path: Path) -> None:
    rules = _towns_pack(tmp_path / "pack")
    data = _towns_data(tmp_path / "data")
    result = runner.invoke(app, ["report", str(data), "--rules", str(rules), "-f", "json", "--by", "town"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    rules_out = {r["id"]: r for r in doc["rules"]}
    assert (rules_out["people.signed"]["status"], rules_out["people.signed"]["failing"]) == ("fail", ["P2"])
    assert rules_out["people.adults"]["failing"] == ["P2"]  # born after 2005-01-01
    assert rules_out["homes.income"]["actual_exact"] == "2/3"  # 7999.99 < 8000 <= 8000, exactly
    assert rules_out["towns.ecommerce"]["failing"] == ["南镇"]
    assert rules_out["county.plan"]["status"] == "pass"
    # people reach their town through their home and its site
    towns = {t["town"]: t["failing_count"] for t in rules_out["people.signed"]["by_town"]}
    assert towns == {"北镇": 1, "南镇": 0}
    # S2 says 20 homes but has one row: a warning naming both numbers
    (warning,) = doc["warnings"]
    assert warning["code"] == "tally-mismatch"
    assert (warning["file"], warning["line"], warning["column"], warning["value"]) == (
        "sites.csv",
        3,
        "homes",
        "20",
    )
    assert "its rows in homes.csv (1)" in warning["message"]
    # no personal data in any output
    for fmt in ("json", "terminal", "markdown", "html", "junit"):
        out = runner.invoke(
            app, ["report", str(data), "--rules", str(rules), "-f", fmt, "--by", "town"]
        ).stdout
        assert "王芳" not in out, fmt
        assert "李强" not in out, fmt


def test_optional_tables_may_be_absent_and_references_hold(tmp_path: Path) -> None:
    rules = _towns_pack(tmp_path / "pack")
    data = _towns_data(tmp_path / "data")
    (data / "people.csv").unlink()
    (data / "townships.csv").unlink()
    result = runner.invoke(app, ["report", str(data), "--rules", str(rules), "-f", "json"])
    doc = json.loads(result.stdout)
    statuses = {r["id"]: r["status"] for r in doc["rules"]}
    assert statuses["people.signed"] == "n/a"
    assert statuses["towns.ecommerce"] == "n/a"
    # with the townships given, a site's township must be one of them
    data = _towns_data(tmp_path / "data2")
    (data / "townships.csv").write_text("乡镇,电商服务站\n北镇,是\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(data), "--rules", str(rules), "--lang", "en"])
    assert result.exit_code == 2
    assert "sites.csv, line 3, column township: '南镇' is not a township in townships.csv" in result.stderr


def test_county_facts_are_validated_where_they_are_written(tmp_path: Path) -> None:
    rules = _towns_pack(tmp_path / "pack")
    data = _towns_data(tmp_path / "data", facts="period: 2023-Q2\nfacts:\n  已印发方案: 也许\n")
    result = runner.invoke(app, ["validate", str(data), "--rules", str(rules), "--lang", "en"])
    assert result.exit_code == 2
    assert (
        "submission.yaml, line 3, column 已印发方案 (plan_issued): '也许' is not a yes/no value"
        in result.stderr
    )
    data = _towns_data(tmp_path / "data2", facts="period: 2023-Q2\n")
    result = runner.invoke(app, ["validate", str(data), "--rules", str(rules), "--lang", "en"])
    assert result.exit_code == 2
    assert "give the county facts (县) under 'facts:' in submission.yaml: plan_issued" in result.stderr


def test_numbers_and_dates_are_checked(tmp_path: Path) -> None:
    rules = _towns_pack(tmp_path / "pack")
    data = _towns_data(
        tmp_path / "data",
        people="person_id,home_id,full_name,signed,born\nP1,A,王芳,true,1990-02-30\nP2,B,李强,false,1990/01/31\n",
    )
    (data / "homes.csv").write_text(
        "home_id,site_id,size,income\nA,S1,2,9000.555\nB,S1,3,-1\nC,S2,1,1e3\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["validate", str(data), "--rules", str(rules), "--lang", "en"])
    assert result.exit_code == 2
    err = result.stderr
    assert "homes.csv, line 2, column income: '9000.555' is not a number" in err  # three places
    assert "homes.csv, line 3, column income: '-1' is out of range" in err
    assert "homes.csv, line 4, column income: '1e3' is not a number" in err
    assert "people.csv, line 2, column born: '1990-02-30' is not a date" in err
    assert "people.csv, line 3, column born: '1990/01/31' is not a date" in err
    assert "王芳" not in err


@pytest.mark.parametrize(
    ("rows", "stated", "warned"), [(100, 105, False), (100, 106, True), (100, 95, False), (100, 94, True)]
)
def test_a_tally_beyond_its_tolerance_is_a_warning(
    tmp_path: Path, rows: int, stated: int, warned: bool
) -> None:
    """安置户数 is checked against the household rows: 5% apart is within the shipped tolerance."""
    homes = [household(f"H{i:03d}") for i in range(rows)]
    folder = write_folder(tmp_path / "data", [community(households=stated)], homes)
    result = runner.invoke(app, ["validate", str(folder), "-f", "json"])
    assert result.exit_code == 0
    codes = [(w["code"], w["column"], w["value"]) for w in json.loads(result.stdout)["warnings"]]
    assert (("tally-mismatch", "households", str(stated)) in codes) == warned


def test_county_totals_show_each_towns_part(tmp_path: Path) -> None:
    sites = [
        community("C1", town="城关镇", factories_operating=12),
        community("C2", town="涧池镇", factories_operating=9),
    ]
    folder = write_folder(tmp_path / "data", sites, [household("H1", "C1"), household("H2", "C2")])
    result = runner.invoke(app, ["report", str(folder), "-f", "json", "--by", "town"])
    rule = next(r for r in json.loads(result.stdout)["rules"] if r["id"] == "factories.operating")
    assert rule["status"] == "pass"  # 21 ≥ 20 for the county
    assert [(t["town"], t["status"], t["actual"]) for t in rule["by_town"]] == [
        ("城关镇", "part", 12),
        ("涧池镇", "part", 9),
    ]
    dropouts = next(r for r in json.loads(result.stdout)["rules"] if r["id"] == "education.no_dropouts")
    assert {t["status"] for t in dropouts["by_town"]} == {"pass"}  # == 0 is judged per town
    text = runner.invoke(app, ["report", str(folder), "--by", "town", "--lang", "zh"]).stdout
    assert "· 计入全县" in text


def test_the_shipped_contract_round_trips_through_yaml() -> None:
    """The contract file is plain YAML a person edits: no anchors, every table keyed."""
    raw = yaml.safe_load(SHIPPED)
    assert [t["name"] for t in raw["tables"]] == ["communities", "households", "county"]
    assert "&" not in SHIPPED
    assert "*" not in re.sub(r"#.*", "", SHIPPED)


# --- regressions from the review of the plan packs ---------------------------------------------


def _optional_homes(folder: Path) -> tuple[Path, Path]:
    pack = TOWNS_PACK.replace(
        "  - name: homes\n    title: {zh: 户, en: home}\n",
        "  - name: homes\n    title: {zh: 户, en: home}\n    required: false\n",
    )
    rules = _pack(folder / "pack", pack, TOWNS_RULES)
    data = _towns_data(folder / "data")
    (data / "homes.csv").unlink()
    (data / "people.csv").unlink()
    return rules, data


@pytest.mark.parametrize("args", [["--by", "town"], ["--export-failing", "EXPORT"]])
def test_an_absent_optional_table_between_a_unit_and_its_town(tmp_path: Path, args: list[str]) -> None:
    rules, data = _optional_homes(tmp_path)
    args = [a.replace("EXPORT", str(tmp_path / "lists")) for a in args]
    result = runner.invoke(app, ["report", str(data), "--rules", str(rules), "-f", "json", *args])
    assert result.exit_code == 1, result.output
    statuses = {r["id"]: r["status"] for r in json.loads(result.stdout)["rules"]}
    assert statuses["homes.income"] == "n/a"


def test_rectification_lists_keep_a_parents_column_apart(tmp_path: Path) -> None:
    """A unit with a column of the same name as its parent's label or the town column."""
    pack = TOWNS_PACK.replace(
        "      - {name: size, title: 人口, type: integer, constraints: {minimum: 1, maximum: 12}}\n",
        "      - {name: size, title: 人口, type: integer, constraints: {minimum: 1, maximum: 12}}\n"
        "      - {name: site_name, title: 原村名, type: string}\n"
        "      - {name: township, title: 原乡镇, type: string}\n",
    )
    rules = _pack(tmp_path / "pack", pack, TOWNS_RULES.replace('target: ">= 50%"', 'target: ">= 90%"'))
    data = _towns_data(tmp_path / "data")
    (data / "homes.csv").write_text(
        "home_id,site_id,size,income,site_name,township\nA,S1,2,9000.5,老村甲,旧镇\nB,S1,3,7999.99,老村乙,旧镇\nC,S2,1,8000,老村丙,旧镇\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["report", str(data), "--rules", str(rules), "--export-failing", str(tmp_path / "l")]
    )
    assert result.exit_code == 1, result.output
    text = (tmp_path / "l" / "homes.income.csv").read_text(encoding="utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.split(",") == [
        "home_id",
        "site_id",
        "sites.site_name",
        "sites.township",
        "income",
        "Lead unit",
    ]
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    assert (cells["sites.site_name"], cells["sites.township"]) == (
        "一号点",
        "北镇",
    )  # the parent's, not the unit's


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (
                "      - {name: township, title: 乡镇, type: string}\n      - name: homes",
                "      - {name: township, title: 乡镇, type: string, personal: true}\n      - name: homes",
            ),
            "must be a string field naming the town (not personal data)",
        ),
        (
            (
                '        tally: {table: homes, count: rows, tolerance: "5%"}',
                '        tally: {table: homes, count: rows, tolerance: "0.001%"}',
            ),
            "at most two decimals",
        ),
        (
            (
                "      - {name: home_id, title: 户编号, type: string}\n      - {name: site_id, title: 安置点编号, type: string}",
                "      - {name: home_id, title: 户编号, type: string}\n      - {name: site_id, title: 安置点编号, type: string, constraints: {required: false}}",
            ),
            "a key or a reference cannot be optional",
        ),
        (
            (
                "    primaryKey: home_id\n    parent: sites\n",
                "    primaryKey: home_id\n    parent: townships\n",
            ),
            "add a foreignKeys entry to 'townships'",
        ),
        (
            ("    primaryKey: township\n", "    primaryKey: township\n    parent: townships\n"),
            "the parents go round in a circle: townships → townships",
        ),
    ],
)
def test_contracts_that_could_not_work_are_refused(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    assert change[0] in TOWNS_PACK
    rules = _pack(tmp_path, TOWNS_PACK.replace(change[0], change[1], 1), TOWNS_RULES)
    result = runner.invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("continuity", "message"),
    [
        ("continuity: {table: county, max_change: {plan_issued: 1}}", "one with a key"),
        ("continuity: {table: people, max_change: {full_name: 1}}", "is not a number column of people"),
    ],
)
def test_continuity_must_be_possible(tmp_path: Path, continuity: str, message: str) -> None:
    rules = _pack(tmp_path, TOWNS_PACK, TOWNS_RULES.replace("rules:\n", continuity + "\nrules:\n", 1))
    result = runner.invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_self_reference_is_checked(tmp_path: Path) -> None:
    pack = TOWNS_PACK.replace(
        "      - {name: site_name, title: 安置点名称, type: string}\n",
        "      - {name: site_name, title: 安置点名称, type: string}\n      - {name: twin, title: 对口点, type: string}\n",
    ).replace(
        "    foreignKeys: [{fields: township, reference: {resource: townships, fields: township}}]\n",
        "    foreignKeys: [{fields: township, reference: {resource: townships, fields: township}}, "
        "{fields: twin, reference: {resource: sites, fields: site_id}}]\n",
    )
    rules = _pack(tmp_path / "pack", pack, TOWNS_RULES)
    data = _towns_data(tmp_path / "data")
    (data / "sites.csv").write_text(
        "site_id,site_name,township,homes,twin\nS1,一号点,北镇,2,S2\nS2,二号点,南镇,1,S9\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["validate", str(data), "--rules", str(rules), "--lang", "en"])
    assert result.exit_code == 2
    assert "sites.csv, line 3, column twin: 'S9' is not a site_id in sites.csv" in result.stderr


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ("facts: [1, 2]\n", "facts: is not a mapping of keys and values"),
        ("facts:\n", "facts: is empty"),
        ("facts:\n  yes: 是\n", "facts: the key 'yes' is not read as text; write it in quotes"),
        (
            "facts:\n  已印发方案: 是\n  已印发方案书: 是\n",
            "facts: '已印发方案书' is no county fact; did you mean '已印发方案'?",
        ),
    ],
)
def test_facts_that_cannot_be_read_are_named(tmp_path: Path, facts: str, message: str) -> None:
    rules = _towns_pack(tmp_path / "pack")
    data = _towns_data(tmp_path / "data", facts=facts)
    result = runner.invoke(app, ["validate", str(data), "--rules", str(rules), "--lang", "en"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "submission.yaml, line " in result.stderr
    assert "Input should" not in result.stderr


def test_facts_for_a_pack_without_them_are_refused(tmp_path: Path) -> None:
    pack = _pack(
        tmp_path / "pack",
        TOWNS_PACK.split("  - name: county\n")[0],
        TOWNS_RULES.split("  - {id: county.plan")[0],
    )
    folder = _towns_data(tmp_path / "data", facts="facts:\n  x: 是\n")
    result = runner.invoke(app, ["validate", str(folder), "--rules", str(pack), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "the plan pack has no county facts; remove facts:" in result.stderr


def test_a_waiver_may_name_the_county_facts(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data")
    facts = {c.name: True for c in default_contract().table("county").columns} | {
        "maintenance_guidance_issued": False
    }
    (folder / "submission.yaml").write_text(yaml.safe_dump({"facts": facts}), encoding="utf-8")
    waiver = (
        "waivers:\n  - rule: maintenance.guidance\n    unit: county\n    reason: 指导意见已送审,待县政府常务会议通过\n"
        "    approved_by: 县住建局\n    until: 2099-12-31\n"
    )
    (folder / "waivers.yaml").write_text(waiver, encoding="utf-8")
    result = runner.invoke(app, ["report", str(folder), "-f", "json"])
    rule = next(r for r in json.loads(result.stdout)["rules"] if r["id"] == "maintenance.guidance")
    assert rule["status"] == "n/a"  # its one unit is waived: nothing left in scope
    assert [w["unit"] for w in rule["waived"]] == ["county"]
    assert rule["waived"][0]["would_fail"] is True


def test_quotas_and_totals_are_no_town_verdicts(tmp_path: Path) -> None:
    """≥ 40% of communities is the county's quota: a town below it is not 'failing' it."""
    sites = [
        community("C1", town="城关镇", households=100, star_rating=5),
        community("C2", town="涧池镇", households=100, star_rating=4),
        community("C3", town="涧池镇", households=100, star_rating=4),
    ]
    folder = write_folder(
        tmp_path / "data", sites, [household("H1", "C1"), household("H2", "C2"), household("H3", "C3")]
    )
    rules = {
        r["id"]: r
        for r in json.loads(runner.invoke(app, ["report", str(folder), "-f", "json", "--by", "town"]).stdout)[
            "rules"
        ]
    }
    share = rules["stars.five_share"]
    assert share["status"] == "fail"  # 1 of 3 < 40%
    assert {t["town"]: t["status"] for t in share["by_town"]} == {"城关镇": "part", "涧池镇": "part"}
    four = rules["stars.four_plus"]  # 100%: every unit, so every town
    assert {t["town"]: t["status"] for t in four["by_town"]} == {"城关镇": "pass", "涧池镇": "pass"}
    large = rules["stars.five_share_large"]  # nobody in scope in either town
    assert {t["status"] for t in large["by_town"]} <= {"n/a"}


def test_a_total_that_may_be_negative_is_not_split(tmp_path: Path) -> None:
    rules_text = TOWNS_RULES + (
        '  - {id: homes.balance, clause: "5", part: p, title: {zh: 收支, en: Balance}, text: 收支, lead: [县财政局],\n'
        '     table: homes, kind: total, sum: balance, target: "== 0"}\n'
    )
    pack = TOWNS_PACK.replace(
        "      - {name: income, title: 人均收入, type: number, decimalPlaces: 2, constraints: {minimum: 0}}\n",
        "      - {name: income, title: 人均收入, type: number, decimalPlaces: 2, constraints: {minimum: 0}}\n"
        "      - {name: balance, title: 收支, type: number, decimalPlaces: 1}\n",
    )
    rules = _pack(tmp_path / "pack", pack, rules_text)
    data = _towns_data(tmp_path / "data")
    (data / "homes.csv").write_text(
        "home_id,site_id,size,income,balance\nA,S1,2,9000.5,5\nB,S1,3,7999.99,0\nC,S2,1,8000,-5\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["report", str(data), "--rules", str(rules), "-f", "json", "--by", "town"])
    rule = next(r for r in json.loads(result.stdout)["rules"] if r["id"] == "homes.balance")
    assert rule["status"] == "pass"
    assert {t["status"] for t in rule["by_town"]} == {"part"}


def test_by_town_needs_a_town_column(tmp_path: Path) -> None:
    rules = _pack(tmp_path / "pack", TOWNS_PACK.replace("town: sites.township\n", ""), TOWNS_RULES)
    data = _towns_data(tmp_path / "data")
    result = runner.invoke(app, ["report", str(data), "--rules", str(rules), "--by", "town"])
    assert result.exit_code == 2
    assert "names no town column" in result.output
