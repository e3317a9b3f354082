"""``submission.yaml``: what a data folder says about itself (period, county, who, when).

Optional. ``--period`` on the command line takes precedence over the file's period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from houfu_check.errors import ErrorLog, ProblemsFound, SubmissionProblem
from houfu_check.pack.shape import explain, explain_zh
from houfu_check.period import Period
from houfu_check.yaml_doc import key_lines, read_yaml

#: the keys submission.yaml may have
KEYS = "period, county, prepared_by, date, facts, constants, previous"

FILE_NAME = "submission.yaml"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)

    period: str | int | None = None  # 2022-Q3; a bare number is read as text, then refused clearly
    county: str | None = None
    prepared_by: str | None = None
    date: str | int | None = None  # read by read_date: 2023-01-10, 2023/1/10, 2023年1月10日
    facts: Any = None  # the county facts: a row of the contract's facts table (checked below)
    constants: Any = None  # newer values of the plan's constants (checked below)
    previous: str | None = None  # the previous round's data folder, relative to this one


@dataclass(frozen=True)
class Submission:
    """The metadata of a submission (every field optional)."""

    file: str | None = None  # None: no submission.yaml
    period: Period | None = None
    county: str | None = None
    prepared_by: str | None = None
    date: dt.date | None = None
    facts: dict[str, str] | None = None  # header → cell text, as a data file would hold it
    facts_lines: dict[str, int] = field(default_factory=dict)  # header → its line
    constants: dict[str, Fraction] = field(default_factory=dict)  # plan.NAME → its value this round
    constants_lines: dict[str, int] = field(default_factory=dict)
    previous: Path | None = None  # the previous round's folder (resolved against this one's)
    previous_line: int | None = None
    previous_written: str | None = None  # as written in the file


def read_submission(folder: Path) -> Submission:
    """``folder/submission.yaml`` read and checked, or an empty :class:`Submission`."""
    path = folder / FILE_NAME
    if not path.exists() and not path.is_symlink():  # anything else by that name is refused
        return Submission()
    raw, node = read_yaml(path, FILE_NAME, SubmissionProblem)
    lines = key_lines(node)
    log = ErrorLog()
    if raw is None:
        return Submission(file=FILE_NAME)
    if not isinstance(raw, dict):
        log.add(SubmissionProblem(file=FILE_NAME, line=1, note=f"expected a mapping: {KEYS}"))
        raise ProblemsFound(log)
    try:
        spec = _Spec.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else ""
            note, note_zh = f"'{field}' is not a known field; expected {KEYS}", None
            if err["type"] != "extra_forbidden":
                note = f"{field}: {explain(err, _Spec)}"
                zh = explain_zh(err, _Spec)
                note_zh = f"{field}:{zh}" if zh else None
            line = lines.get(field, lines.get(""))
            log.add(SubmissionProblem(file=FILE_NAME, line=line, note=note, note_zh=note_zh))
        raise ProblemsFound(log) from None
    period = None
    if spec.period is not None:
        try:
            period = Period.parse(str(spec.period))
        except ValueError as exc:
            log.add(SubmissionProblem(file=FILE_NAME, line=lines.get("period"), note=f"period: {exc}"))
            raise ProblemsFound(log) from None
    day = None
    if spec.date is not None:
        try:
            day = read_date(str(spec.date))
        except ValueError as exc:
            log.add(SubmissionProblem(file=FILE_NAME, line=lines.get("date"), note=f"date: {exc}"))
    if day is not None and period is not None and not _near_period(day, period):
        note = (
            f"date: {day.isoformat()} is more than a quarter away from the period {period} "
            f"({period.start.isoformat()} to {period.end.isoformat()}); it decides which waivers are "
            "in force: give the date the submission was prepared, or the right period"
        )
        log.add(SubmissionProblem(file=FILE_NAME, line=lines.get("date"), note=note))
    facts, facts_lines = _facts(raw, node, lines, log)
    constants, constants_lines = _constants(raw, node, lines, log)
    previous = None if spec.previous is None else folder / spec.previous  # checked when used
    if log:
        raise ProblemsFound(log)
    return Submission(
        FILE_NAME,
        period,
        spec.county,
        spec.prepared_by,
        day,
        facts,
        facts_lines,
        constants,
        constants_lines,
        previous,
        lines.get("previous"),
        spec.previous,
    )


_DATE_FORMS = (
    re.compile(r"^\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\s*$"),
    re.compile(r"^\s*([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})\s*$"),
    re.compile(r"^\s*([0-9]{4})\.([0-9]{1,2})\.([0-9]{1,2})\s*$"),
    re.compile(r"^\s*([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日?\s*$"),
)


def read_date(text: str) -> dt.date:
    """A date as people write it: ``2023-01-10``, ``2023/1/10``, ``2023.1.10``, ``2023年1月10日``."""
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise ValueError(f"'{text}' is not a day of the calendar; write it as 2023-01-10") from None
    raise ValueError(f"'{text}' is not a date; write it as 2023-01-10 (or 2023/1/10, 2023年1月10日)")


def _near_period(day: dt.date, period: Period) -> bool:
    """Whether ``day`` lies within a quarter (92 days) of the period."""
    slack = dt.timedelta(days=92)
    return period.start - slack <= day <= period.end + slack


def _constants(
    raw: dict[str, Any], node: yaml.Node | None, lines: dict[str, int], log: ErrorLog
) -> tuple[dict[str, Fraction], dict[str, int]]:
    """The newer values of the plan's constants, exact, and each name's line."""
    from houfu_check.rules.model import constant_value

    given = raw.get("constants")
    if given is None:
        return {}, {}
    if not isinstance(given, dict):
        note = "constants: expected names and numbers, e.g. 'province_rural_income: 16000'"
        zh = "constants(常量):应为名称和数字,例如 'province_rural_income: 16000'"
        log.add(SubmissionProblem(file=FILE_NAME, line=lines.get("constants"), note=note, note_zh=zh))
        return {}, {}
    found = next((v for k, v in getattr(node, "value", []) if k.value == "constants"), None)
    at = {str(k.value): k.start_mark.line + 1 for k, _ in getattr(found, "value", [])}
    values: dict[str, Fraction] = {}
    for name, value in given.items():
        try:
            values[str(name)] = constant_value(value)
        except ValueError as exc:
            log.add(
                SubmissionProblem(file=FILE_NAME, line=at.get(str(name)), note=f"constants.{name}: {exc}")
            )
    return values, at


def _facts(
    raw: dict[str, Any], node: yaml.Node | None, lines: dict[str, int], log: ErrorLog
) -> tuple[dict[str, str] | None, dict[str, int]]:
    """The county facts as the text cells of one row, and each key's line; problems to ``log``."""
    if "facts" not in raw:
        return None, {}
    at = lines.get("facts")
    given = raw["facts"]
    if not isinstance(given, dict) or not given:
        empty = given is None or given == {}
        what = "is empty" if empty else "is not a mapping of keys and values"
        note = f"facts: {what}; give each county fact as 'key: yes' (or no) under it, or remove facts:"
        what_zh = "是空的" if empty else "不是“键: 值”的映射"
        zh = f"facts(县级事项):{what_zh};请在其下逐项写“键: 是”(或 否),或删去 facts:"
        log.add(SubmissionProblem(file=FILE_NAME, line=at, note=note, note_zh=zh))
        return None, {}
    facts_node = next((v for k, v in getattr(node, "value", []) if k.value == "facts"), None)
    facts_lines: dict[str, int] = {}
    for key_node, _ in getattr(facts_node, "value", []):
        line = key_node.start_mark.line + 1
        if key_node.tag != "tag:yaml.org,2002:str":  # yes:, 1:, ~: are not text to YAML
            note = f"facts: the key '{key_node.value}' is not read as text; write it in quotes"
            log.add(SubmissionProblem(file=FILE_NAME, line=line, note=note))
        facts_lines[str(key_node.value)] = line
    if at is not None:
        facts_lines[""] = at  # the line of facts: itself, for a fact that is missing
    return {str(k): _cell(v) for k, v in given.items()}, facts_lines


def _cell(value: Any) -> str:
    """A YAML value as the text a data file's cell would hold (yes/no words, digits, dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return "(a mapping or list)"
    return str(value)
