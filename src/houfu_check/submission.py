"""``submission.yaml``: what a data folder says about itself (period, county, who, when).

Optional. ``--period`` on the command line takes precedence over the file's period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from houfu_check.errors import ErrorLog, ProblemsFound, SubmissionProblem
from houfu_check.period import Period
from houfu_check.yaml_doc import key_lines, read_yaml

#: the keys submission.yaml may have
KEYS = "period, county, prepared_by, date, facts"

FILE_NAME = "submission.yaml"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)

    period: str | int | None = None  # 2022-Q3; a bare number is read as text, then refused clearly
    county: str | None = None
    prepared_by: str | None = None
    date: dt.date | None = None
    facts: dict[str, Any] | None = None  # the county facts: a row of the contract's facts table


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


def read_submission(folder: Path) -> Submission:
    """``folder/submission.yaml`` read and checked, or an empty :class:`Submission`."""
    path = folder / FILE_NAME
    if not path.is_file():
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
            note = f"'{field}' is not a known field; expected {KEYS}"
            if err["type"] != "extra_forbidden":
                note = f"{field}: {err['msg']}"
            log.add(SubmissionProblem(file=FILE_NAME, line=lines.get(field, lines.get("")), note=note))
        raise ProblemsFound(log) from None
    period = None
    if spec.period is not None:
        try:
            period = Period.parse(str(spec.period))
        except ValueError as exc:
            log.add(SubmissionProblem(file=FILE_NAME, line=lines.get("period"), note=f"period: {exc}"))
            raise ProblemsFound(log) from None
    facts = None
    facts_lines: dict[str, int] = {}
    if spec.facts is not None:
        facts = {str(k): _cell(v) for k, v in spec.facts.items()}
        facts_node = next((v for k, v in getattr(node, "value", []) if k.value == "facts"), None)
        facts_lines = {k: line for k, line in key_lines(facts_node).items() if k}
    return Submission(FILE_NAME, period, spec.county, spec.prepared_by, spec.date, facts, facts_lines)


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
