"""``waivers.yaml``: approved exceptions, for clauses the plan words as 有条件的 or 原则上.

Each waiver names a rule, a unit (household or community id), the reason, who approved it
and until when. A waived unit is left out of the rule's scope (its failing units and its
figures) and listed as waived in every format. Nothing is waived silently: a waiver for an
unknown rule or unit, a duplicate, or one without reason, approver or date stops the run
(exit 2); an expired one is not applied and is reported as a warning.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from houfu_check.dataset import Dataset
from houfu_check.errors import DataError, ErrorLog, ProblemsFound, WaiverExpired, WaiverProblem
from houfu_check.invisible import blank
from houfu_check.pack.contract import TOWNS
from houfu_check.rules.model import RuleSet, Waiver
from houfu_check.yaml_doc import item_lines, read_yaml

FILE_NAME = "waivers.yaml"
_FIELDS = "rule, unit, reason, approved_by, until"


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)  # a blank reason is none

    rule: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    approved_by: str = Field(min_length=1)
    until: dt.date

    @field_validator("until", mode="before")
    @classmethod
    def _date(cls, value: object) -> object:
        """``until`` as people write dates (2023-06-30, 2023/6/30, 2023年6月30日)."""
        from houfu_check.submission import read_date

        return (
            read_date(str(value)) if isinstance(value, str | int) and not isinstance(value, bool) else value
        )

    @field_validator("rule", "unit", "reason", "approved_by", mode="before")
    @classmethod
    def _visible(cls, value: object) -> object:
        """Invisible characters alone (U+200B) are no reason: they are dropped before the check."""
        if isinstance(value, str):
            if blank(value):  # U+200B, U+3164, U+2800 …: nothing a reader can see
                return ""
            return "".join(ch for ch in value if unicodedata.category(ch) not in ("Cf", "Cc")).strip()
        return value


def read_waivers(path: Path, display: str) -> list[Waiver]:
    """The waivers of ``path``; :class:`ProblemsFound` naming line and field otherwise."""
    raw, node = read_yaml(path, display, WaiverProblem)
    log = ErrorLog()
    if raw is None:
        return []
    if not isinstance(raw, dict) or set(raw) != {"waivers"} or not isinstance(raw["waivers"], list):
        log.add(
            WaiverProblem(
                file=display, line=1, note="expected a mapping with one key, 'waivers', holding a list"
            )
        )
        raise ProblemsFound(log)
    lines = item_lines(node, "waivers")
    out: list[Waiver] = []
    for index, item in enumerate(raw["waivers"]):
        keys = lines[index] if index < len(lines) else {}
        try:
            spec = _Item.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else ""
                if err["type"] == "extra_forbidden":
                    note = f"'{field}' is not a field of a waiver; expected {_FIELDS}"
                elif err["type"] == "missing":
                    note = f"waiver #{index + 1} has no '{field}'; every waiver needs {_FIELDS}"
                else:
                    said = str(err["msg"]).removeprefix("Value error, ")  # the library's prefix
                    note = f"waiver #{index + 1}, {field}: {said}"
                zh = _said_zh(index + 1, field, err["type"], str(err["msg"]))
                log.add(
                    WaiverProblem(file=display, line=keys.get(field, keys.get("")), note=note, note_zh=zh)
                )
            continue
        out.append(
            Waiver(
                spec.rule, spec.unit, spec.reason.strip(), spec.approved_by.strip(), spec.until, keys.get("")
            )
        )
    if log:
        raise ProblemsFound(log)
    return out


def _said_zh(number: int, field: str, kind: str, message: str) -> str:
    """A waiver's field problem in Chinese."""
    if kind == "extra_forbidden":
        return f"“{field}”不是豁免的字段;应为 {_FIELDS}"
    if kind == "missing":
        return f"第 {number} 条豁免缺少“{field}”;每条豁免都需要 {_FIELDS}"
    if field == "until":
        value = re.search(r"'(.*?)'", message)
        shown = f"“{value.group(1)}”" if value else "该值"
        return f"第 {number} 条豁免的 until(有效期至):{shown}不是有效日期;请写成 2023-01-10 这样的格式"
    if kind == "string_too_short":
        return f"第 {number} 条豁免的 {field} 为空;请填写"
    return f"第 {number} 条豁免的 {field}:应为一段文字"


def apply_waivers(
    waivers: list[Waiver], display: str, rules: RuleSet, data: Dataset, as_of: dt.date
) -> tuple[RuleSet, list[DataError]]:
    """The rules with their waivers attached, and the warnings (expired waivers).

    Raises :class:`ProblemsFound` for a waiver of an unknown rule or unit, or a duplicate.
    """
    log = ErrorLog()
    by_id = {r.id: r for r in rules.rules}
    ids: dict[str, set[str]] = {}
    seen: dict[tuple[str, str], int | None] = {}
    live: dict[str, list[Waiver]] = {}
    warnings: list[DataError] = []
    for w in waivers:
        rule = by_id.get(w.rule)
        if rule is None:
            log.add(
                WaiverProblem(
                    file=display,
                    line=w.line,
                    value=w.rule,
                    note=f"'{w.rule}' is not a rule id of {rules.source}",
                    note_zh=f"“{w.rule}”不是{rules.source.replace('built-in ', '内置 ')} 中的规则编号",
                )
            )
            continue
        name = rule.spec.table
        spec = rules.contract.table(name)
        if name not in ids and not spec.id_column:  # the one row of county facts: its unit is the table
            ids[name] = {spec.name} if name in data.tables else set()
        if name not in ids and name == TOWNS and rules.contract.town is not None:  # towns of a column
            town_table, town_column = rules.contract.town
            given = town_table in data.tables
            ids[name] = set(data[town_table].get_column(town_column).to_list()) if given else set()
        if name not in ids:
            given = name in data.tables
            ids[name] = set(data[name].get_column(spec.id_column).to_list()) if given else set()
        if w.unit not in ids[name]:
            unit = spec.id_column or spec.name
            log.add(
                WaiverProblem(
                    file=display, line=w.line, value=w.unit, note=f"'{w.unit}' is not a {unit} in the data"
                )
            )
            continue
        if (w.rule, w.unit) in seen:
            note = f"{w.unit} is waived for {w.rule} twice (first on line {seen[(w.rule, w.unit)]})"
            log.add(WaiverProblem(file=display, line=w.line, value=w.unit, note=note))
            continue
        seen[(w.rule, w.unit)] = w.line
        if w.until < as_of:
            note = (
                f"the waiver of {w.unit} for {w.rule} ended on {w.until.isoformat()} "
                f"(before {as_of.isoformat()}); it is not applied"
            )
            warnings.append(WaiverExpired(file=display, line=w.line, value=w.unit, note=note))
            continue
        live.setdefault(w.rule, []).append(w)
    if log:
        raise ProblemsFound(log)
    waived = tuple(dataclasses.replace(r, waivers=tuple(live.get(r.id, ()))) for r in rules.rules)
    return dataclasses.replace(rules, rules=waived), warnings
