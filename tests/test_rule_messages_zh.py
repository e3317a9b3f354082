"""Chinese first (issue #14): every problem of a plan pack is said in Chinese under --lang zh.

One case a message: each reason an expression is refused (``raise ExprError`` in
rules/expr.py, made by compiling the expression), each problem of a rule file (rules/load.py,
made by changing one thing in a copy of the shipped rules/targets.yaml) and each problem of a
contract (pack/contract_file.py and pack/shape.py, from a copy of rules/contract.yaml without
its sample hints). Every
case's problems must have a Chinese sentence with no English prose left in it; and every
``raise ExprError(`` of rules/expr.py must be reached by a case, so a new message without
Chinese fails here.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import json
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml

from houfu_check.errors import Problem, ProblemsFound
from houfu_check.pack.contract import ColumnSpec
from houfu_check.pack.contract_file import load_contract
from houfu_check.rules import expr as expr_module
from houfu_check.rules import load as load_module
from houfu_check.rules.expr import ExprError, compile_expr
from houfu_check.rules.load import default_contract, default_contract_path, default_rules_path, load_rules

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SHIPPED_RULES: dict[str, Any] = yaml.load(default_rules_path().read_text(encoding="utf-8"), Loader=_Loader)
SHIPPED_CONTRACT: dict[str, Any] = yaml.load(
    default_contract_path().read_text(encoding="utf-8"), Loader=_Loader
)


def _without_samples(node: Any) -> Any:
    """The contract without its ``sample`` hints (only `houfu-check sample` reads them): less to read."""
    if isinstance(node, dict):
        return {k: _without_samples(v) for k, v in node.items() if k != "sample"}
    if isinstance(node, list):
        return [_without_samples(v) for v in node]
    return node


CONTRACT = _without_samples(SHIPPED_CONTRACT)
#: JSON is YAML, and quick to write
CONTRACT_TEXT = json.dumps(CONTRACT, ensure_ascii=False, indent=1)

#: English prose: two words in a row (stricter than tests/test_messages_zh.py's three: "它是a folder")
_ENGLISH = re.compile(r"(?<![A-Za-z])[A-Za-z]+(?:[ \t]+[A-Za-z]+)+(?![A-Za-z])")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _english_left(text: str) -> list[str]:
    """English runs in a Chinese sentence, leaving out what is quoted (names, values, the
    expression), what is in parentheses (Python's or YAML's own words, a hint) and names and
    numbers (``per_year(N)``, ``plan.NAME``, ``UTF-8``: tokens with ``. _ / - `` or digits)."""
    bare = re.sub(r"'[^']*'|“[^”]*”|\([^)]*\)|（[^）]*）", " ", text)
    bare = re.sub(r"\S*[._/0-9-]\S*", " ", bare)
    return _ENGLISH.findall(bare)


def _assert_chinese(said: str | None, english: str) -> None:
    assert said is not None, f"no Chinese for {english!r}"
    assert _HAN.search(said), said
    assert _english_left(said) == [], said


# --- expressions (rules/expr.py) -------------------------------------------------------------

_CONTRACT = default_contract()
COMMUNITY = {c.name: c for c in _CONTRACT.table("communities").columns}
HOUSEHOLD = {c.name: c for c in _CONTRACT.table("households").columns}
COUNTY = {c.name: c for c in _CONTRACT.table("county").columns}
#: the communities' columns, and a date, a text and a decimal column the shipped pack does not have
COLUMNS = {
    **COMMUNITY,
    "visited": ColumnSpec(name="visited", zh="走访日期", kind="date"),
    "remark": ColumnSpec(name="remark", zh="备注", kind="text", optional=True),
    "income": ColumnSpec(name="income", zh="人均收入", kind="number", places=6),
}
ELSEWHERE = {**{c: "households" for c in HOUSEHOLD}, **{c: "county" for c in COUNTY}}


def _compile(text: str, **options: Any) -> ExprError:
    """The error compiling ``text`` as a community rule's condition raises (``options``:
    ``columns``, ``want``, ``per_year``, ``recursion`` to make the parser give up)."""
    columns = options.get("columns", COLUMNS)
    want = options.get("want", "bool")
    parser_gives_up = mock.patch.object(expr_module.ast, "parse", side_effect=RecursionError)
    with parser_gives_up if options.get("recursion") else contextlib.nullcontext():
        try:
            compile_expr(
                text,
                columns,
                want,
                per_year=options.get("per_year"),
                elsewhere=ELSEWHERE,
                below={"households": HOUSEHOLD},
                constants={"province_income": Fraction(15704)},
            )
        except ExprError as exc:
            return exc
    raise AssertionError(f"{text!r} was accepted")


#: (case, expression, words of the English message, options of _compile)
EXPR_CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("empty", "  ", "found nothing", {}),
    ("too long", "shop or " * 70 + "shop", "longer than 500", {}),
    ("full-width comma", "shop，hall", "cannot parse", {}),
    ("never closed", "(shop and hall", "cannot parse", {}),
    ("invalid syntax", "shop and", "cannot parse", {}),
    ("unknown syntax message", "[shop)", "cannot parse", {}),
    ("parser gives up", "shop", "nested too deeply", {"recursion": True}),
    ("a number for a condition", "households + 1", "is a number; expected a condition", {}),
    ("not a date", "visited >= '2022-13-01'", "is not a date", {}),
    ("date against text", "visited == remark", "a date can be compared", {}),
    ("nested too deeply", "not " * 30 + "shop", "nested too deeply", {}),
    ("indexing", "shop[0]", "indexing is not allowed", {}),
    ("a list", "[shop, hall] == 1", "a list is not allowed", {}),
    ("Chinese header", "星级 >= 4", "write the column's name: star_rating", {}),
    ("full-width letters", "ｓｈｏｐｐｅ", "write names in plain letters", {}),
    ("misspelt column", "star_ratng >= 4", "did you mean 'star_rating'", {}),
    ("unknown column", "zzz", "unknown column 'zzz'", {}),
    ("column of a table below", "members >= 1", "add its rows up with an aggregate", {}),
    ("column of another table", "property_guidance_issued", "set the rule's table", {}),
    ("personal data", "head_name == 'x'", "personal data", {"columns": HOUSEHOLD}),
    ("huge number", "households >= 10000000000000", "too large", {}),
    ("exponent", "households >= 1e5", "write decimals as 12.5", {}),
    ("None", "households >= None", "literal None is not allowed", {}),
    ("function call", "len(shop)", "a function call is not allowed", {}),
    ("per_year of text", "households >= per_year('x')", "per_year takes one whole number", {}),
    ("per_year, not annual", "households >= per_year(2)", "add 'annual: true'", {}),
    ("aggregate without table", "sum() >= 1", "write sum(table, expression)", {}),
    ("aggregate of no table below", "sum(villages, members) >= 1", "is not a table whose rows", {}),
    ("aggregate of the wrong type", "any(households, members)", "any needs a condition", {}),
    ("sum without expression", "sum(households) >= 1", "write sum(table, expression)", {}),
    ("attribute", "shop.real", "attribute access is not allowed", {}),
    ("unknown constant", "households >= plan.nope", "is not a constant of the plan", {}),
    ("unary plus", "+households >= 1", "operator UAdd is not allowed", {}),
    ("tilde", "~shop", "operator '~' (write 'not') is not allowed", {}),
    ("division outside a comparison", "households / population + 1 >= 2", "'/' is for a share", {}),
    ("floor division", "households // 2 >= 1", "use + - *", {}),
    ("power", "households ** 2 >= 1", "use + - *", {}),
    ("too many decimal places", "income * income * income >= 1", "too many digits", {}),
    ("text in arithmetic", "police_post + 1 >= 2", "is text; expected a number", {}),
    ("two kinds of values", "(1 if shop else true) == 1", "both values must be", {}),
    ("two divisions", "households / population / 2 >= 1", "one '/' per side", {}),
    ("negative divisor", "households / -population >= 1", "divides by a number above 0", {}),
    ("divided by 0", "households / 0 >= 1", "divides by 0", {}),
    ("fixed divisor", "households / (2 - 1) >= 1", "write a fixed divisor", {}),
    ("share compared twice", "0 < households / population < 1", "compare a share once", {}),
    ("in", "shop in police_post", "comparison 'in' is not allowed", {}),
    ("is", "shop is true", "comparison 'is' is not allowed", {}),
    ("condition against number", "shop == households", "cannot compare", {}),
    ("order of text", "police_post > 'office'", "takes only == and !=", {}),
    ("misspelt choice", "police_post == 'offic'", "is not a value of police_post", {}),
    ("two text columns", "police_post == community_name", "text can only be compared", {}),
    ("text column and literal", "remark == 'x'", "text can only be compared", {}),
    ("not a number", "not households", "is a number; expected a condition", {}),
    ("product overflow", "households * population * star_rating >= 1", "64-bit", {}),
    ("share overflow", "households * population / star_rating >= households / population", "64-bit", {}),
    (
        "aggregate overflow",
        "sum(households, members) * sum(households, members) >= 1",
        "128-bit",
        {},
    ),
]


@pytest.mark.parametrize(("text", "english", "options"), [pytest.param(*c[1:], id=c[0]) for c in EXPR_CASES])
def test_every_expression_error_is_said_in_chinese(text: str, english: str, options: dict[str, Any]) -> None:
    error = _compile(text, **options)
    assert english in str(error)
    _assert_chinese(error.zh, str(error))


def _raised_at(error: BaseException) -> int:
    """The line of rules/expr.py that raised ``error``."""
    tb, line = error.__traceback__, 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == expr_module.__file__:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def test_every_raise_of_expr_error_has_chinese_and_a_case() -> None:
    """A new ``raise ExprError(`` in rules/expr.py needs a ``zh=`` and a case above."""
    source = Path(expr_module.__file__).read_text(encoding="utf-8")
    raises = {
        node.lineno: node.exc
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Call)
        and isinstance(node.exc.func, ast.Name)
        and node.exc.func.id == "ExprError"
    }
    assert len(raises) == source.count("raise ExprError(") >= 40
    assert [line for line, call in raises.items() if not any(k.arg == "zh" for k in call.keywords)] == []
    covered = {_raised_at(_compile(text, **options)) for _, text, _, options in EXPR_CASES}
    assert sorted(set(raises) - covered) == [], "raise ExprError( lines without a case"


# --- rule files (rules/load.py) --------------------------------------------------------------


def _write_rules(folder: Path, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "contract.yaml").write_text(CONTRACT_TEXT, encoding="utf-8")
    path = folder / "targets.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _problems(load: Callable[[], object]) -> list[Problem]:
    with pytest.raises(ProblemsFound) as found:
        load()
    return list(found.value.log.shown())


SHARE, TOTAL, COUNT, RATIO = (
    "stars.five_share",
    "factories.operating",
    "employment.zero_employment_households",
    "pension.coverage",
)
#: the shipped rule file with only the rules the cases change (a few load faster than 33)
RULES = {
    **SHIPPED_RULES,
    "rules": [
        r
        for r in SHIPPED_RULES["rules"]
        if r["id"] in (SHARE, TOTAL, COUNT, RATIO, "stars.four_plus", "education.no_dropouts")
    ],
}


def _rules(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], list[Problem]]:
    """The problems of the shipped rule file (its rules the cases change) after ``change``."""

    def make(folder: Path) -> list[Problem]:
        data = copy.deepcopy(RULES)
        change(data)
        text = json.dumps(data, ensure_ascii=False, indent=1)  # JSON is YAML
        return _problems(lambda: load_rules(_write_rules(folder, text)))

    return make


def _rules_text(text: str | bytes, loader: Any = None) -> Callable[[Path], list[Problem]]:
    """The problems of a rule file of ``text`` (``loader``: another YAML loader to read it with)."""

    def make(folder: Path) -> list[Problem]:
        path = _write_rules(folder, text)
        with mock.patch.object(load_module, "_Loader", loader) if loader else contextlib.nullcontext():
            return _problems(lambda: load_rules(path))

    return make


_DELETE = object()


def _rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in data["rules"] if r["id"] == rule_id)


def _set(rule_id: str, **fields: Any) -> Callable[[dict[str, Any]], None]:
    """Set (or, with _DELETE, remove) fields of one rule."""

    def change(data: dict[str, Any]) -> None:
        rule = _rule(data, rule_id)
        for name, value in fields.items():
            if value is _DELETE:
                del rule[name]
            else:
                rule[name] = value

    return change


def _top(**fields: Any) -> Callable[[dict[str, Any]], None]:
    """Set (or remove) keys of the rule file itself."""

    def change(data: dict[str, Any]) -> None:
        for name, value in fields.items():
            if value is _DELETE:
                del data[name]
            else:
                data[name] = value

    return change


def _both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for each in changes:
            each(data)

    return change


def _constant(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """One plan constant, ``constants: {name: {value: …}}``."""
    return _top(constants={name: {"value": value, "title": {"zh": "全省农村居民人均收入", "en": "income"}}})


#: (case, the problems a broken rule file has, words of the English note of one of them)
RULE_CASES: list[tuple[str, Callable[[Path], list[Problem]], str]] = [
    ("contract not there", _rules(_top(contract="missing.yaml")), "which is not there"),
    ("constant's name", _rules(_constant("Province-Income", 1)), "cannot be a constant's name"),
    ("constant yes/no", _rules(_constant("income", True)), "a yes/no"),
    ("constant empty", _rules(_constant("income", "")), "the value is empty"),
    ("constant not a number", _rules(_constant("income", "many")), "is not a number; write a constant"),
    ("constant too large", _rules(_constant("income", 10**12 + 1)), "constants go up to"),
    ("not UTF-8", _rules_text("version: 1\nplan: 汉阴\n".encode("gb18030")), "not UTF-8"),
    ("no such month", _rules_text("version: 1\nplan: 2022-13-01\n"), "month must be in 1..12"),
    ("no such day", _rules_text("version: 1\nplan: 2022-02-30\n"), "day is out of range"),
    ("huge number", _rules_text("version: " + "9" * 5000 + "\n"), "Exceeds the limit"),
    ("complex key", _rules_text("? [a, b]\n: 1\n"), "a key must be plain text"),
    (
        "too deep (pure-Python YAML)",
        _rules_text("[" * 800 + "]" * 800, yaml.SafeLoader),
        "nested too deeply",
    ),
    ("too deep", _rules_text("[" * 3000 + "]" * 3000), "nest"),
    ("value to quote", _rules_text("version: 1\nplan:\n  year: >= 2022\n"), "write it in quotes"),
    ("not YAML", _rules_text("version: 1\nplan: a: b\n"), "not valid YAML"),
    ("tab", _rules_text("version: 1\nplan:\n\t- x\n"), "not valid YAML"),
    ("open quote", _rules_text("version: 1\nplan: 'x\n"), "not valid YAML"),
    ("not a mapping", _rules_text("- 1\n"), "expected a mapping with version"),
    ("key twice", _rules_text("version: 1\nversion: 1\n"), "this key is written twice"),
    ("alias", _rules_text("version: 1\nplan: &p {title: x}\nother: *p\n"), "anchors and aliases"),
    ("too large", _rules_text("#" * ((1 << 20) + 1)), "larger than 1 MiB"),
    ("unknown key", _rules(_set(SHARE, treshold=40)), "the keys allowed here are"),
    ("missing key", _rules(_set(SHARE, target=_DELETE)), "is missing; it is required here"),
    ("not one of", _rules(_set(SHARE, severity="error")), "is not allowed here; expected one of"),
    ("id pattern", _rules(_set(SHARE, id="Stars Five")), "lower-case words joined by dots"),
    ("id too long", _rules(_set(SHARE, id="stars." + "x" * 70)), "longer than 64 characters"),
    ("rate_per below 1", _rules(_set(RATIO, rate_per=0)), "a number of at least 1"),
    ("rate_per too high", _rules(_set(RATIO, rate_per=2_000_000)), "a number of at most"),
    ("yes as text", _rules(_set(SHARE, text=True)), "unless they are quoted"),
    ("unknown kind", _rules(_set(SHARE, kind="average")), "is not a kind of measure"),
    ("lead not a list", _rules(_set(SHARE, lead="县发改局")), "expected a list"),
    ("title not a mapping", _rules(_set(SHARE, title="星级")), "expected a mapping of keys and values"),
    ("lead empty", _rules(_set(SHARE, lead=[])), "must not be empty"),
    ("text empty", _rules(_set(SHARE, text="")), "must not be empty"),
    ("rate_per text", _rules(_set(RATIO, rate_per="1000")), "expected a whole number"),
    ("annual maybe", _rules(_set(SHARE, annual="maybe")), "expected true or false"),
    ("due not a date", _rules(_set(SHARE, due="soon")), "expected a date written YYYY-MM-DD"),
    ("scope a list", _rules(_set(SHARE, scope=["households"])), "expected text, found a list"),
    ("version 2", _rules(_top(version=2)), "expected one of"),
    ("version huge", _rules_text("version: " + "9" * 50 + "\n"), "this value is not valid here"),
    (
        "continuity without table",
        _rules(_top(continuity={"max_change": {"members": 3}})),
        "continuity: name the table",
    ),
    (
        "continuity of a text column",
        _rules(_top(continuity={"table": "households", "max_change": {"head_name": 3}})),
        "is not a number column",
    ),
    (
        "continuity negative",
        _rules(_top(continuity={"table": "households", "max_change": {"members": -1}})),
        "cannot be negative",
    ),
    ("id twice", _rules(_set(SHARE, id="stars.four_plus")), "ids must be unique"),
    ("unknown part", _rules(_set(SHARE, part="anjv")), "is not one of the parts"),
    ("unknown table", _rules(_set(SHARE, table="villages")), "is not a table of the contract"),
    (
        "interpretation without note",
        _rules(_set(SHARE, basis="interpretation")),
        "an interpretation needs a note",
    ),
    (
        "due outside the year",
        _rules(_both(lambda d: d["plan"].update(year=2022), _set(SHARE, due="2030-01-31"))),
        "outside the plan's year",
    ),
    ("not a target", _rules(_set(SHARE, target="at least 40")), "is not a target"),
    (
        "target of an unknown constant",
        _rules(_set(TOTAL, target=">= plan.nope")),
        "is not a constant of the plan",
    ),
    ("rate_per on a share", _rules(_set(SHARE, rate_per=1000)), "rate_per is for a ratio"),
    (
        "constant for a share",
        _rules(_both(_constant("province_income", 15704), _set(SHARE, target=">= plan.province_income"))),
        "a plan constant is a number",
    ),
    ("share without %", _rules(_set(SHARE, target=">= 40")), "needs a percentage"),
    ("total with %", _rules(_set(TOTAL, target=">= 20%")), "needs a whole number"),
    ("rate with %", _rules(_set(RATIO, rate_per=1000, target=">= 90%")), "needs a number such as"),
    ("count never fails", _rules(_set(COUNT, target=">= 0")), "can never fail"),
    ("count asks for failures", _rules(_set(COUNT, target=">= 5")), "asks for failures"),
    ("passing never fails", _rules(_set(SHARE, kind="passing", target=">= 0")), "can never fail"),
    ("share above 100%", _rules(_set(SHARE, target="== 110%")), "a share lies between 0% and 100%, found"),
    ("share never fails", _rules(_set(SHARE, target=">= 0%")), "can never fail"),
    (
        "annual growth",
        _rules(_set(TOTAL, kind="growth", target=">= 8%", annual=True)),
        "it cannot be annual",
    ),
    (
        "growth of neither",
        _rules(_set(TOTAL, kind="growth", target=">= 8%", sum=_DELETE)),
        "give one of the two",
    ),
    ("target too large", _rules(_set(TOTAL, target=">= 10000000000000")), "targets go up to"),
    ("total of a fraction", _rules(_set(TOTAL, target=">= 20.5")), "compares whole numbers"),
    ("share without condition", _rules(_set(SHARE, condition=_DELETE)), "needs 'condition'"),
    ("total with numerator", _rules(_set(TOTAL, numerator="households")), "takes no 'numerator'"),
    ("condition of code", _rules(_set(SHARE, condition="__import__('os')")), "function call"),
    ("scope of another table", _rules(_set(RATIO, scope="households >= 100")), "not of the rule's table"),
    ("annual share without per_year", _rules(_set(SHARE, annual=True)), "needs per_year(N)"),
    ("annual total of == 0", _rules(_set("education.no_dropouts", annual=True)), "needs a target such as"),
    ("warn not a target", _rules(_set(SHARE, warn="more")), "is not a target"),
    ("warn of another kind", _rules(_set(SHARE, warn=">= 50")), "a band needs two targets"),
    ("warn not stricter", _rules(_set(SHARE, warn=">= 30%")), "must be stricter"),
    ("no such file", lambda folder: _problems(lambda: load_rules(folder / "none.yaml")), "No such file"),
    ("a folder", lambda folder: _problems(lambda: load_rules(folder)), "it is a folder"),
]


@pytest.mark.parametrize(("make", "english"), [pytest.param(*c[1:], id=c[0]) for c in RULE_CASES])
def test_every_rule_file_problem_is_said_in_chinese(
    tmp_path: Path, make: Callable[[Path], list[Problem]], english: str
) -> None:
    problems = make(tmp_path)
    assert any(english in p.note for p in problems), [p.note for p in problems]
    for problem in problems:
        _assert_chinese(problem.message_zh, problem.note)


# --- contracts (pack/contract_file.py, pack/shape.py) ----------------------------------------


def _contract(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], list[Problem]]:
    """The problems of the shipped contract after ``change``."""

    def make(folder: Path) -> list[Problem]:
        data = copy.deepcopy(CONTRACT)
        change(data)
        text = json.dumps(data, ensure_ascii=False, indent=1)  # JSON is YAML
        return _contract_text(text)(folder)

    return make


def _contract_text(text: str | bytes) -> Callable[[Path], list[Problem]]:
    def make(folder: Path) -> list[Problem]:
        path = folder / "contract.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return _problems(lambda: load_contract(path, "contract.yaml"))

    return make


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in data["tables"] if t["name"] == name)


def _field(data: dict[str, Any], table: str, name: str) -> dict[str, Any]:
    return next(f for f in _table(data, table)["fields"] if f["name"] == name)


def _set_table(table: str, /, **keys: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for key, value in keys.items():
            if value is _DELETE:
                del _table(data, table)[key]
            else:
                _table(data, table)[key] = value

    return change


def _set_field(table: str, name: str, /, **keys: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for key, value in keys.items():
            if value is _DELETE:
                del _field(data, table, name)[key]
            else:
                _field(data, table, name)[key] = value

    return change


def _add_table(table: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["tables"].append(table)


def _add_field(table: str, field: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda data: _table(data, table)["fields"].append(field)


def _foreign_key(
    column: str = "community_id", table: str = "communities", key: str = "community_id"
) -> Callable[[dict[str, Any]], None]:
    """The households' foreign key (``column`` → ``table``.``key``)."""
    reference = {"fields": column, "reference": {"resource": table, "fields": key}}
    return _set_table("households", foreignKeys=[reference])


def _tally(**tally: Any) -> Callable[[dict[str, Any]], None]:
    return _set_field("communities", "households", tally=tally)


COUNTY_TWO = {
    "name": "county_two",
    "title": {"zh": "全县二", "en": "county again"},
    "facts": True,
    "fields": [{"name": "guidance_done", "title": "指导意见", "type": "boolean"}],
}

#: (case, the problems of a broken contract, words of the English note of one of them)
CONTRACT_CASES: list[tuple[str, Callable[[Path], list[Problem]], str]] = [
    ("not a mapping", _contract_text("- 1\n"), "expected a mapping with version and tables"),
    ("complex key", _contract_text("? [a, b]\n: 1\n"), "a key must be plain text"),
    ("not UTF-8", _contract_text("version: 1\ntables: [住户]\n".encode("gb18030")), "not UTF-8"),
    ("not YAML", _contract_text("version: 1\ntables: [\n"), "not valid YAML"),
    ("alias", _contract_text("version: 1\nx: &a 1\ny: *a\n"), "anchors and aliases"),
    ("key twice", _contract_text("version: 1\nversion: 1\n"), "is written twice"),
    ("too large", _contract_text("#" * ((1 << 20) + 1)), "larger than 1 MiB"),
    (
        "no such file",
        lambda folder: _problems(lambda: load_contract(folder / "no.yaml", "no.yaml")),
        "No such file",
    ),
    (
        "word both true and false",
        _contract(lambda d: d.update(trueValues=["yes", "no"])),
        "both true and false",
    ),
    (
        "table twice",
        _contract(lambda d: d["tables"].append(copy.deepcopy(_table(d, "county")))),
        "declared twice",
    ),
    ("two facts tables", _contract(_add_table(COUNTY_TWO)), "only one table can hold the county facts"),
    ("no primaryKey", _contract(_set_table("households", primaryKey=_DELETE)), "'primaryKey' is missing"),
    ("primaryKey misspelt", _contract(_set_table("communities", primaryKey="community_idd")), "did you mean"),
    ("label personal", _contract(_set_table("households", label="head_name")), "cannot name a row"),
    (
        "primaryKey a number",
        _contract(_set_table("communities", primaryKey="households")),
        "must be a string field",
    ),
    (
        "parent unknown",
        _contract(_set_table("households", parent="villages")),
        "is not a table of this contract; tables",
    ),
    ("parent without key", _contract(_set_table("households", foreignKeys=[])), "add a foreignKeys entry"),
    (
        "facts with parent",
        _contract(_set_table("county", parent="communities")),
        "has no parent or foreign keys",
    ),
    (
        "foreign key of no field",
        _contract(_foreign_key(column="community_idx")),
        "is not a field of households",
    ),
    ("foreign key to no table", _contract(_foreign_key(table="villages")), "declare it under tables"),
    (
        "foreign key to no field",
        _contract(_foreign_key(key="community_idd")),
        "is not a field of communities",
    ),
    (
        "foreign key not to the key",
        _contract(_foreign_key(key="community_name")),
        "names its table's primaryKey",
    ),
    ("header twice", _contract(_set_field("households", "members", title="劳动力人数")), "already names"),
    (
        "field twice",
        _contract(_add_field("households", {"name": "members", "title": "人口", "type": "integer"})),
        "the field 'members' is declared twice",
    ),
    (
        "optional number",
        _contract(_set_field("households", "members", constraints={"required": False})),
        "only text fields may be optional",
    ),
    (
        "personal key",
        _contract(_set_field("households", "household_id", personal=True)),
        "cannot be personal data",
    ),
    (
        "optional key",
        _contract(_set_field("households", "household_id", constraints={"required": False})),
        "cannot be optional",
    ),
    (
        "minimum of text",
        _contract(_set_field("communities", "community_name", constraints={"minimum": 0})),
        "is for integer and number fields",
    ),
    (
        "bound of no field",
        _contract(_set_field("households", "members", constraints={"minimum": "membrs"})),
        "neither a number nor a field",
    ),
    (
        "bound of a text field",
        _contract(_set_field("households", "members", constraints={"maximum": "head_name"})),
        "a bound must be a number field",
    ),
    (
        "bound by itself",
        _contract(_set_field("households", "members", constraints={"maximum": "members"})),
        "bounded by itself",
    ),
    (
        "bound not whole",
        _contract(_set_field("households", "members", constraints={"minimum": 1.5})),
        "is not a whole number",
    ),
    (
        "bound too long",
        _contract(_set_field("households", "members", constraints={"maximum": 10**10})),
        "at most 9 digits",
    ),
    (
        "minimum above maximum",
        _contract(_set_field("households", "members", constraints={"minimum": 5, "maximum": 3})),
        "is above maximum",
    ),
    (
        "negative minimum",
        _contract(_set_field("households", "members", constraints={"minimum": -1})),
        "never negative",
    ),
    (
        "enum of a number",
        _contract(_set_field("households", "members", constraints={"enum": ["1"]})),
        "'enum' is for string fields",
    ),
    (
        "alias of no value",
        _contract(_set_field("communities", "police_post", enumAliases={"officee": ["x"]})),
        "not one of the enum values",
    ),
    (
        "alias of two values",
        _contract(
            _set_field(
                "communities", "police_post", enumAliases={"office": ["工作室"], "station": ["工作室"]}
            )
        ),
        "already spells",
    ),
    (
        "aliases without enum",
        _contract(_set_field("communities", "community_name", enumAliases={"a": ["b"]})),
        "for fields with an enum",
    ),
    (
        "trueValues of a number",
        _contract(_set_field("households", "members", trueValues=["x"])),
        "are for boolean fields",
    ),
    (
        "field's word both",
        _contract(_set_field("communities", "shop", trueValues=["no"])),
        "both true and false",
    ),
    (
        "decimalPlaces of an integer",
        _contract(_set_field("households", "members", decimalPlaces=2)),
        "is for number fields",
    ),
    (
        "too many decimal places",
        _contract(_set_field("households", "public_welfare_posts", type="number", decimalPlaces=7)),
        "decimal places",
    ),
    (
        "multiline number",
        _contract(_set_field("households", "members", multiline=True)),
        "only text may hold line breaks",
    ),
    (
        "tally of a yes/no",
        _contract(_set_field("communities", "shop", tally={"table": "households", "count": "rows"})),
        "'tally' is for integer",
    ),
    ("tally of no child", _contract(_tally(table="county", count="rows")), "is not a table whose parent is"),
    ("tally of both", _contract(_tally(table="households", count="rows", sum="members")), "give either"),
    (
        "tally of text",
        _contract(_tally(table="households", sum="head_name")),
        "is not a number field of households",
    ),
    (
        "tolerance",
        _contract(_tally(table="households", count="rows", tolerance="5")),
        "expected a percentage",
    ),
    ("town not a column", _contract(lambda d: d.update(town="communities.townn")), "is not a table.column"),
    ("town a number", _contract(lambda d: d.update(town="communities.households")), "must be a string field"),
    (
        "town optional",
        _contract(_set_field("communities", "town", constraints={"required": False})),
        "cannot be empty",
    ),
    (
        "parents in a circle",
        _contract(_set_table("communities", parent="households")),
        "go round in a circle",
    ),
    (
        "unknown key of a field",
        _contract(_set_field("households", "members", colour="red")),
        "unknown key 'colour'",
    ),
    ("field without title", _contract(_set_field("households", "members", title=_DELETE)), "is missing"),
    ("type text", _contract(_set_field("households", "members", type="text")), "expected one of"),
    ("field name", _contract(_set_field("households", "members", name="Members")), "is not a valid name"),
    ("version 2", _contract(lambda d: d.update(version=2)), "expected one of"),
    ("no tables", _contract(lambda d: d.update(tables=[])), "must not be empty"),
    (
        "empty Chinese title",
        _contract(_set_table("households", title={"zh": "", "en": "household"})),
        "must not be empty",
    ),
    (
        "decimalPlaces text",
        _contract(_set_field("households", "members", decimalPlaces="two")),
        "expected a whole number",
    ),
    (
        "required maybe",
        _contract(_set_field("households", "members", constraints={"required": "maybe"})),
        "expected true or false",
    ),
    ("fields not a list", _contract(_set_table("households", fields="members")), "expected a list"),
    (
        "constraints not a mapping",
        _contract(_set_field("households", "members", constraints="none")),
        "expected a mapping",
    ),
]


@pytest.mark.parametrize(("make", "english"), [pytest.param(*c[1:], id=c[0]) for c in CONTRACT_CASES])
def test_every_contract_problem_is_said_in_chinese(
    tmp_path: Path, make: Callable[[Path], list[Problem]], english: str
) -> None:
    problems = make(tmp_path)
    assert any(english in p.note for p in problems), [p.note for p in problems]
    for problem in problems:
        _assert_chinese(problem.message_zh, problem.note)
