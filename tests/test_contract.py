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
