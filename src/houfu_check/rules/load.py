"""Load a rule file: safe YAML → pydantic models → checked expressions, or located problems."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from houfu_check.errors import ErrorLog, ProblemsFound, RuleFileProblem
from houfu_check.kinds import KINDS
from houfu_check.pack.contract import TOWNS, Contract
from houfu_check.pack.contract_file import load_contract
from houfu_check.pack.shape import explain, explain_zh, node_line
from houfu_check.period import Period
from houfu_check.rules.expr import Compiled, ExprError, compile_expr
from houfu_check.rules.model import (
    ContinuitySpec,
    ProRata,
    Rule,
    RuleFileSpec,
    RuleSet,
    RuleSpec,
    Target,
    constant_name_ok,
    constant_value,
)
from houfu_check.yaml_doc import read_bounded, refuse_aliases, yaml_line, yaml_note

MAX_RULE_FILE_BYTES = 1 << 20
_PER_YEAR = re.compile(r"per_year\(\s*([0-9]+)\s*\)")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


def default_rules_path() -> Path:
    """The shipped rule file (``rules/targets.yaml``): package data, or the source tree's copy."""
    packaged = resources.files("houfu_check").joinpath("_data/targets.yaml")
    if packaged.is_file():
        return Path(str(packaged))
    # An editable install or a source checkout: the file at the repository's top.
    return Path(__file__).resolve().parents[3] / "rules" / "targets.yaml"


BUILT_IN = "built-in rules/targets.yaml"
BUILT_IN_CONTRACT = "built-in rules/contract.yaml"


def default_contract_path() -> Path:
    """The shipped contract (``rules/contract.yaml``), beside the shipped rule file."""
    return default_rules_path().with_name("contract.yaml")


@functools.cache
def default_contract() -> Contract:
    """The shipped pack's contract (for scripts and tests that name no pack)."""
    return load_contract(default_contract_path(), BUILT_IN_CONTRACT)


def _contract(named: str | None, path: Path, display: str, builtin: bool, log: ErrorLog) -> Contract | None:
    """The contract the rule file names (a file beside it), else the shipped one."""
    if named is None:
        where, shown = default_contract_path(), BUILT_IN_CONTRACT
    else:
        where = path.parent / named
        shown = f"built-in rules/{named}" if builtin else str(Path(display).parent / named)
    if not where.is_file():
        note = (
            f"the rule file names the contract '{named}' (contract:), which is not there; "
            "put the pack's contract file beside the rule file, or fix the name"
        )
        zh = (
            f"规则文件指定的数据约定文件 '{named}'(contract:)不存在;"
            "请把方案包的数据约定文件放在规则文件旁边,或改正文件名"
        )
        log.add(RuleFileProblem(file=display, field_name="contract", note=note, note_zh=zh))
        return None
    try:
        return load_contract(where, shown)
    except ProblemsFound as found:
        log.add_many(found.log.items, found.log.total)
        return None


def load_rules(
    path: Path | None = None,
    period: Period | None = None,
    overrides: Mapping[str, Fraction] | None = None,
    overrides_from: str = "submission.yaml",
) -> RuleSet:
    """The checked rules of ``path``; raise :class:`ProblemsFound` naming rule, field and problem.

    ``period``: annual rules are compiled for it (before Q4, on the share of their yearly
    figure due by the quarter's end). ``overrides``: newer values of the plan's constants
    (from ``overrides_from``); names the pack does not have are left to the caller to refuse.
    """
    display = str(path) if path is not None else BUILT_IN
    builtin = path is None
    path = path if path is not None else default_rules_path()
    log = ErrorLog()
    try:
        data = read_bounded(path, display, RuleFileProblem, MAX_RULE_FILE_BYTES)
    except ProblemsFound as found:
        log.add_many(found.log.items, found.log.total)
        raise ProblemsFound(log) from None
    raw, lines, root = _parse_yaml(data, display, log)
    try:
        spec = RuleFileSpec.model_validate(raw)
    except ValidationError as exc:
        _log_validation(exc, (), raw, lines, display, log, RuleFileSpec, root)
        raise ProblemsFound(log) from None
    contract = _contract(spec.contract, path, display, builtin, log)
    constants, constants_from = _constants(spec, display, root, log, overrides or {}, overrides_from)
    valid: list[tuple[int, RuleSpec]] = []
    for index, item in enumerate(spec.rules):
        try:
            valid.append((index, RuleSpec.model_validate(item)))
        except ValidationError as exc:
            _log_validation(exc, ("rules", index), raw, lines, display, log, RuleSpec)
    if contract is None:
        raise ProblemsFound(log)
    rules = _check_rules(
        valid, {p.id for p in spec.parts}, contract, display, lines, log, period, constants, spec.plan.year
    )
    _check_continuity(spec.continuity, contract, display, log)
    if log:
        raise ProblemsFound(log)
    return RuleSet(
        plan=spec.plan,
        parts=tuple(spec.parts),
        rules=tuple(rules),
        source=display,
        sha256=hashlib.sha256(data).hexdigest(),
        contract=contract,
        period=period,
        continuity=spec.continuity,
        constants=constants,
        constants_from=constants_from,
    )


def _constants(
    spec: RuleFileSpec,
    display: str,
    root: yaml.Node | None,
    log: ErrorLog,
    overrides: Mapping[str, Fraction],
    overrides_from: str,
) -> tuple[dict[str, Fraction], dict[str, str]]:
    """The plan's constants, exact, with the newer values ``overrides`` gives."""
    values: dict[str, Fraction] = {}
    where: dict[str, str] = {}
    for name, constant in spec.constants.items():
        line = node_line(root, ("constants", name)) if root is not None else None
        if not constant_name_ok(name):
            note = (
                f"'{name}' cannot be a constant's name; "
                "use lower-case letters, digits and _ (e.g. province_income)"
            )
            zh = f"'{name}' 不能作为常量名;请用小写字母、数字和 _(例如 province_income)"
            log.add(RuleFileProblem(file=display, line=line, field_name="constants", note=note, note_zh=zh))
            continue
        try:
            values[name] = constant_value(constant.value)
            where[name] = display
        except ValueError as exc:
            log.add(
                RuleFileProblem(file=display, line=line, field_name=f"constants.{name}.value", note=str(exc))
            )
    for name, value in overrides.items():
        if name in values:
            values[name], where[name] = value, overrides_from
    return values, where


_KEY = re.compile(r"^\s*-?\s*([A-Za-z_][\w.]*)\s*:")
_ID = re.compile(r"^\s*-?\s*id\s*:\s*['\"]?([^'\"#\s]+)")


def _written_at(data: bytes, line: int | None) -> tuple[str | None, str | None]:
    """For a file YAML cannot read: the rule (its id, from the nearest ``id:`` above) and the
    field (the key) on ``line``, read from the text itself."""
    if line is None:
        return None, None
    lines = data.decode("utf-8-sig", errors="replace").splitlines()[:line]
    if not lines:
        return None, None
    key = _KEY.match(lines[-1])
    rule = next((m.group(1) for text in reversed(lines) if (m := _ID.match(text))), None)
    return rule, key.group(1) if key else None


def _key_lines(node: yaml.Node) -> dict[str, int]:
    """The line of a rule and of each of its keys (1-based)."""
    found = {"": node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        found.update({str(key.value): key.start_mark.line + 1 for key, _ in node.value})
    return found


def _parse_yaml(
    data: bytes, display: str, log: ErrorLog
) -> tuple[Any, list[dict[str, int]], yaml.Node | None]:
    """The YAML document (safe loader: plain data only) and the line of each rule."""
    try:
        text = data.decode("utf-8-sig")
        loader = _Loader(text)  # safe: plain data only, never Python objects
        try:
            node = loader.get_single_node()
            refuse_aliases(node, display, RuleFileProblem, keys=False)  # no alias bomb is expanded
            raw = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except UnicodeDecodeError:
        note, zh = "the rule file is not UTF-8 text", "规则文件不是 UTF-8 编码的文本;请另存为 UTF-8"
        log.add(RuleFileProblem(file=display, note=note, note_zh=zh))
        raise ProblemsFound(log) from None
    except ValueError as exc:  # YAML reads 2022-13-01 as a date that does not exist
        # the Chinese from the catalogue (messages_zh), as for the pack's other YAML files
        log.add(RuleFileProblem(file=display, note=f"a value cannot be read: {exc}"))
        raise ProblemsFound(log) from None
    except TypeError:  # a complex key (? [a, b]) cannot key a mapping
        note, zh = "not valid here: a key must be plain text", "此处无效:键必须是普通文本"
        log.add(RuleFileProblem(file=display, note=note, note_zh=zh))
        raise ProblemsFound(log) from None
    except RecursionError:  # the pure-Python parser on very deep nesting (libyaml has a limit)
        note, zh = "not valid YAML: nested too deeply", "不是有效的 YAML:嵌套层数过多"
        log.add(RuleFileProblem(file=display, note=note, note_zh=zh))
        raise ProblemsFound(log) from None
    except yaml.YAMLError as exc:
        line = yaml_line(exc, data)
        rule, field = _written_at(data, line)
        log.add(
            RuleFileProblem(file=display, line=line, rule=rule, field_name=field, note=yaml_note(exc, data))
        )
        raise ProblemsFound(log) from None
    _duplicate_keys(node, display, log, None)
    if log:
        raise ProblemsFound(log)
    lines: list[dict[str, int]] = []  # per rule: "" → its first line, each key → the key's line
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "rules" and isinstance(value, yaml.SequenceNode):
                lines = [_key_lines(item) for item in value.value]
    if not isinstance(raw, dict):
        note = "expected a mapping with version, plan, parts, rules"
        zh = "规则文件应为一个映射,含 version、plan、parts、rules 等键"
        log.add(RuleFileProblem(file=display, note=note, note_zh=zh))
        raise ProblemsFound(log)
    return raw, lines, node


def _duplicate_keys(node: yaml.Node | None, display: str, log: ErrorLog, rule: str | None) -> None:
    """A key written twice in one mapping: YAML keeps the last silently; we refuse it."""
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _duplicate_keys(item, display, log, rule)
    if not isinstance(node, yaml.MappingNode):
        return
    ids = [v.value for k, v in node.value if k.value == "id" and isinstance(v, yaml.ScalarNode)]
    rule = str(ids[0]) if ids else rule
    seen: set[str] = set()
    for key, value in node.value:
        if key.value in seen:
            log.add(
                RuleFileProblem(
                    file=display,
                    line=key.start_mark.line + 1,
                    rule=rule,
                    field_name=str(key.value),
                    note="this key is written twice; YAML would silently keep only the last",
                    note_zh="这个键写了两次;YAML 会悄悄只保留最后一个",
                )
            )
        seen.add(key.value)
        _duplicate_keys(value, display, log, rule)


def _log_validation(
    exc: ValidationError,
    prefix: tuple[Any, ...],
    raw: Any,
    lines: list[dict[str, int]],
    display: str,
    log: ErrorLog,
    model: type[RuleFileSpec] | type[RuleSpec],
    root: yaml.Node | None = None,
) -> None:
    for err in exc.errors():
        rule_id, field_name, line = _locate(raw, (*prefix, *err["loc"]), lines)
        if line is None and root is not None:  # outside the rules: the line of the key itself
            line = node_line(root, (*prefix, *err["loc"]))
        note, zh = explain(err, model, _HINTS), explain_zh(err, model, _HINTS_ZH)
        log.add(
            RuleFileProblem(
                file=display, line=line, rule=rule_id, field_name=field_name, note=note, note_zh=zh
            )
        )


_HINTS = {"id": "lower-case words joined by dots, e.g. stars.five_share"}
_HINTS_ZH = {"id": "以点连接的小写英文单词,例如 stars.five_share"}


def _check_continuity(spec: ContinuitySpec, contract: Contract, display: str, log: ErrorLog) -> None:
    """The continuity columns exist in their table and hold numbers."""

    def problem(note: str, zh: str) -> None:
        log.add(RuleFileProblem(file=display, field_name="continuity", note=note, note_zh=zh))

    if not spec.max_change:
        return
    keyed = [t.name for t in contract.data_tables if t.id_column]
    if spec.table is None or spec.table not in keyed:
        problem(
            f"continuity: name the table whose columns max_change lists (one with a key: {', '.join(keyed)})",
            f"continuity:请用 table 指明 max_change 所列各列所在的表(须是有编号列的表:{', '.join(keyed)})",
        )
        return
    table = contract.table(spec.table)
    for column, limit in spec.max_change.items():
        if not table.has(column) or not table.column(column).numeric or table.column(column).personal:
            problem(
                f"continuity: '{column}' is not a number column of {spec.table} (and not personal data)",
                f"continuity:'{column}' 不是表 {spec.table} 的数值列(max_change 只能列不是个人信息的数值列)",
            )
        elif limit < 0:
            problem(
                f"continuity: the change allowed for '{column}' cannot be negative",
                f"continuity:'{column}' 允许的变化量不能为负数",
            )


def _locate(
    raw: Any, loc: tuple[Any, ...], lines: list[dict[str, int]]
) -> tuple[str | None, str, int | None]:
    """Rule id, field name and line for a pydantic error location."""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        index = loc[1]
        rules = raw.get("rules") if isinstance(raw, dict) else None
        rule_id = None
        if isinstance(rules, list) and index < len(rules) and isinstance(rules[index], dict):
            rule_id = str(rules[index].get("id", f"#{index + 1}"))
        field = ".".join(str(p) for p in loc[2:]) or "(rule)"
        keys = lines[index] if index < len(lines) else {}
        line = keys.get(str(loc[2]) if len(loc) > 2 else "", keys.get(""))
        return rule_id or f"#{index + 1}", field, line
    return None, ".".join(str(p) for p in loc) or "(file)", None


def _check_rules(
    specs: list[tuple[int, RuleSpec]],
    parts: set[str],
    contract: Contract,
    display: str,
    lines: list[dict[str, int]],
    log: ErrorLog,
    period: Period | None = None,
    constants: Mapping[str, Fraction] | None = None,
    year: int | None = None,
) -> list[Rule]:
    """Compile every rule's expressions against the contract; report what does not fit."""
    seen: set[str] = set()
    rules: list[Rule] = []
    for index, rule in specs:
        keys = lines[index] if index < len(lines) else {}

        def problem(
            field: str,
            note: str,
            zh: str | None = None,
            rule: RuleSpec = rule,
            keys: dict[str, int] = keys,
        ) -> None:
            """A problem of the rule's ``field``; ``zh``: the note in Chinese (None: the catalogue's)."""
            line = keys.get(field, keys.get(""))  # the field's own line, to edit
            log.add(
                RuleFileProblem(
                    file=display, line=line, rule=rule.id, field_name=field, note=note, note_zh=zh
                )
            )

        if rule.id in seen:
            problem(
                "id",
                "this id is used by an earlier rule; ids must be unique",
                "这个编号已被前面的规则使用;编号不能重复",
            )
        seen.add(rule.id)
        if rule.part not in parts:
            listed = ", ".join(sorted(parts))
            problem(
                "part",
                f"'{rule.part}' is not one of the parts: {listed}",
                f"'{rule.part}' 不是 parts 中列出的部分;可用的有:{listed}",
            )
        if not contract.has_table(rule.table):
            tables = ", ".join([t.name for t in contract.tables] + ([TOWNS] if contract.towns else []))
            problem(
                "table",
                f"'{rule.table}' is not a table of the contract; tables: {tables}",
                f"'{rule.table}' 不是数据约定中的表;可用的表有:{tables}",
            )
            continue
        if rule.basis == "interpretation" and (rule.note is None or not rule.note.zh.strip()):
            problem(
                "note",
                "an interpretation needs a note ({zh: ..., en: ...}): how the plan's words are read",
                "解读类规则(basis: interpretation)须有 note({zh: ..., en: ...}):说明如何理解方案的文字",
            )
        if rule.due is not None and year is not None and rule.due.year != year:
            problem(
                "due",
                f"the due date {rule.due.isoformat()} is outside the plan's year ({year}, plan: year)",
                f"截止日期 {rule.due.isoformat()} 不在方案年度({year},见 plan: year)之内",
            )
        built = _build(rule, contract, problem, period, constants or {})
        if built is not None:
            rules.append(built)
    return rules


def _build(
    rule: RuleSpec,
    contract: Contract,
    problem: Any,
    period: Period | None = None,
    constants: Mapping[str, Fraction] | None = None,
) -> Rule | None:
    constants = dict(constants or {})
    columns = {c.name: c for c in contract.table(rule.table).columns}
    elsewhere = {c.name: t.name for t in contract.tables if t.name != rule.table for c in t.columns}
    below = {t.name: {c.name: c for c in t.columns} for t in contract.below(rule.table)}
    ok = True
    early = period if rule.annual and period is not None and not period.is_year_end else None
    per_year = None
    if rule.annual:
        per_year = early.pro_rata if early is not None else (lambda n: n)
    try:
        target = Target.parse(rule.target, constants)
    except ValueError as exc:
        problem("target", str(exc))  # Chinese from the catalogue (messages_zh)
        target, ok = Target(">=", Fraction(0), False), False
    kind = KINDS[rule.kind]
    form = kind.target(rule)  # a percentage, a whole number, or any number (a rate, a constant)
    if rule.rate_per is not None and rule.kind != "ratio":
        problem(
            "rate_per",
            f"rate_per is for a ratio (doctors per 1,000 people), not a {rule.kind} rule",
            f"rate_per 只用于 ratio 规则(如每千人医生数),不能用于 {rule.kind} 规则",
        )
        ok = False
    if ok and target.constant is not None and form != "number":
        problem(
            "target",
            f"a plan constant is a number to compare a ratio or total with, not a {rule.kind}",
            f"方案常量是与 ratio 或 total 规则的结果相比较的数值,不能用于 {rule.kind} 规则",
        )
        ok = False
    if ok and target.percent != (form == "percent"):
        want = "a percentage such as '>= 40%'" if form == "percent" else "a number such as '>= 20'"
        want_zh = "百分比,如 '>= 40%'" if form == "percent" else "数值,如 '>= 20'"
        if form == "whole":
            want, want_zh = "a whole number such as '>= 20'", "整数,如 '>= 20'"
        problem(
            "target",
            f"a {rule.kind} rule needs {want}, found '{rule.target}'",
            f"{rule.kind} 规则的要求应为{want_zh},而这里是 '{rule.target}'",
        )
        ok = False
    if ok and (contradiction := kind.check(rule, target)):
        # the kinds' own sentences: Chinese from the catalogue (messages_zh)
        problem("kind" if "give one of the two" in contradiction else "target", contradiction)
        ok = False
    if ok and target.value > 10**12:
        problem(
            "target",
            f"'{rule.target}' is too large; targets go up to 1,000,000,000,000",
            f"'{rule.target}' 太大;要求中的数字最大为 1,000,000,000,000",
        )
        ok = False
    if ok and form == "whole" and target.value.denominator != 1:
        problem(
            "target",
            f"a {rule.kind} rule compares whole numbers, found '{rule.target}'",
            f"{rule.kind} 规则比较的是整数,而这里是 '{rule.target}'",
        )
        ok = False

    warn_target = _band(rule, target, problem, constants) if ok else None
    ok = ok and (rule.warn is None or warn_target is not None)
    compiled: dict[str, Compiled | None] = {}
    needs = kind.fields
    for field in ("condition", "numerator", "denominator", "sum"):
        text = getattr(rule, field)
        if text is None:
            compiled[field] = None
            if needs.get(field):
                problem(field, f"a {rule.kind} rule needs '{field}'", f"{rule.kind} 规则须有 '{field}'")
                ok = False
            continue
        if field not in needs:
            problem(field, f"a {rule.kind} rule takes no '{field}'", f"{rule.kind} 规则不用 '{field}'")
            ok = False
            continue
        want = "bool" if field == "condition" else "int"
        try:
            compiled[field] = compile_expr(text, columns, want, per_year, elsewhere, below, constants)  # type: ignore[arg-type]
        except ExprError as exc:
            problem(field, str(exc), exc.zh)
            ok = False
    try:
        scope = compile_expr(
            rule.scope, columns, "bool", elsewhere=elsewhere, below=below, constants=constants
        )
    except ExprError as exc:
        problem("scope", str(exc), exc.zh)
        return None
    pro_rata = None
    if ok and rule.annual:
        texts = [t for t in (rule.condition, rule.numerator, rule.denominator, rule.sum) if t]
        uses = any(_PER_YEAR.search(t) for t in texts)
        if kind.annual_needs_per_year and not uses:
            problem(
                "annual",
                f"an annual {rule.kind} rule needs per_year(N) where the yearly figure is",
                f"全年目标的 {rule.kind} 规则(annual: true)须在全年数字的位置写 per_year(N)",
            )
            ok = False
        elif not uses and target.op not in (">=", ">"):
            problem(
                "annual",
                f"an annual {rule.kind} rule needs a target such as '>= 20' or per_year(N)",
                f"全年目标的 {rule.kind} 规则(annual: true)的要求须写成 '>= 20' 这样,或使用 per_year(N)",
            )
            ok = False
        elif early is not None:
            year_end = next((t for t in texts if _PER_YEAR.search(t)), "") if uses else str(target)
            judged = str(target)
            if uses:
                judged = _PER_YEAR.sub(lambda m: str(early.pro_rata(int(m.group(1)))), year_end)
                year_end = _PER_YEAR.sub(r"\1", year_end)
            else:
                due = -(-target.value * early.quarter // 4)  # the share due, rounded up (exactly)
                target = Target(target.op, Fraction(due), False, target.constant)
                judged = str(target)
            pro_rata = ProRata(period=early, judged=judged, year_end=year_end)
    if not ok:
        return None
    return Rule(
        spec=rule,
        target=target,
        scope=scope,
        condition=compiled["condition"],
        numerator=compiled["numerator"],
        denominator=compiled["denominator"],
        sum=compiled["sum"],
        pro_rata=pro_rata,
        warn_target=warn_target,
    )


def _band(
    rule: RuleSpec, target: Target, problem: Any, constants: Mapping[str, Fraction] | None = None
) -> Target | None:
    """The ``warn`` target of a band: the same comparison as ``target``, on the passing side of
    it (``>= 95%`` fails, ``>= 98%`` passes; in between, a warning). Contradictions are refused."""
    if rule.warn is None:
        return None
    try:
        warn = Target.parse(rule.warn, dict(constants or {}))
    except ValueError as exc:
        problem("warn", str(exc))  # Chinese from the catalogue (messages_zh)
        return None
    if warn.percent != target.percent or warn.op != target.op or target.op not in (">=", ">", "<=", "<"):
        problem(
            "warn",
            f"a band needs two targets of one kind and direction (such as '>= 95%' and '>= 98%'), "
            f"found '{rule.target}' and '{rule.warn}'",
            f"预警区间需要两个同类、同方向的要求(如 '>= 95%' 和 '>= 98%'),"
            f"而这里是 '{rule.target}' 和 '{rule.warn}'",
        )
        return None
    stricter = warn.value > target.value if target.op in (">=", ">") else warn.value < target.value
    if not stricter:
        problem(
            "warn",
            f"the warning threshold '{rule.warn}' must be stricter than the target '{rule.target}': "
            "below the target the rule fails, between the two it warns, beyond both it passes",
            f"预警线 '{rule.warn}' 必须比要求 '{rule.target}' 更严:未达到要求为未达标,"
            "介于两者之间为预警,两者都达到为达标",
        )
        return None
    return warn
