"""The report: what every output format renders. Built by the engine, never by a renderer.

The JSON format is ``Report.model_dump(mode="json")``; its shape is a promise to CI jobs
(see docs/json-report.md): extend it, never rename a field.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Status = Literal["pass", "fail", "warn", "n/a", "not-due"]
#: a town's result: a verdict, or "part" for its contribution to a county figure that is not
#: judged per town (≥ 20 factories county-wide)
#: how a rule's value is shown: 98.4% · +8.5% (a change since the previous round) ·
#: 1.1 (a rate per ``rate_per``) · 23
Display = Literal["percent", "change", "rate", "number"]
TownStatus = Literal["pass", "fail", "warn", "n/a", "not-due", "part"]
SCHEMA_VERSION = 1
#: the compare document's own version: 2 since its continuity section is the pack's (v0.1: 1)
COMPARE_SCHEMA_VERSION = 2


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class TargetOut(_Model):
    """A rule's target: ``op`` and ``value`` (a fraction 0–1 for percentages), and as text."""

    op: str
    value: float | int
    percent: bool
    text: str


class TownResult(_Model):
    """One rule judged on one town's units only (``--by town``)."""

    town: str
    status: TownStatus
    actual: float | int | None
    actual_exact: str | None
    numerator: float | int | None
    denominator: float | int | None
    scope_count: int
    failing_count: int


class LeadTally(_Model):
    """The rules one lead unit (牵头单位) answers for, and how they ended (``--by lead``)."""

    lead: str
    rules: list[str]
    passed: int
    failed: int
    warned: int
    not_applicable: int
    not_due: int = 0  # rules whose due date is after the period's end: shown, never failed


class ProRataOut(_Model):
    """An annual rule judged before the year's last quarter, on the share due by then."""

    period: str  # "2022-Q3"
    share_of_year: str  # "3/4"
    judged_against: str  # what was required by the period's end
    year_end: str  # what the year requires
    progress: Literal["on track", "behind"] | None  # None: nothing in scope


class SubmissionOut(_Model):
    """What ``submission.yaml`` said."""

    file: str
    period: str | None
    county: str | None
    prepared_by: str | None
    date: str | None


class WaivedOut(_Model):
    """A unit left out of a rule by an approved waiver (waivers.yaml)."""

    unit: str
    reason: str
    approved_by: str
    until: str  # ISO date
    would_fail: bool  # whether the unit would fail the rule without its waiver


class UnitWords(_Model):
    """How a count of the rule's units reads: 3 个社区, 1 community, 3 communities."""

    zh: str
    en: str
    en_plural: str


class RuleResult(_Model):
    """One rule's verdict and the units that fail it."""

    id: str
    clause: str
    part: str
    title: dict[str, str]
    text: str
    lead: list[str]
    partners: list[str]
    table: str
    units: UnitWords  # the words for a count of its units (from the pack's contract)
    kind: str
    display: Display = "number"  # how its value is shown (every format reads this, not kind)
    rate_per: int | None = None  # a rate: the value is per this many (doctors per 1,000 people)
    severity: str
    basis: Literal["stated", "interpretation"] = "stated"  # whether the plan states the number
    basis_note: dict[str, str] | None = None  # how the plan's words are read: {"zh": …, "en": …}
    status: Status
    actual: float | int | None
    actual_exact: str | None  # "2/5" for shares and ratios, the integer for counts and totals
    numerator: float | int | None  # share: units passing; ratio: Σ numerator
    denominator: float | int | None  # share: units in scope; ratio: Σ denominator
    target: TargetOut
    warn_target: TargetOut | None = None  # a band: between target and this, the rule warns
    scope_count: int
    failing_count: int
    failing: list[str]
    columns: list[str]  # the columns the rule reads
    by_town: list[TownResult] | None = None  # with --by town: the same rule on each town's units
    pro_rata: ProRataOut | None = None  # an annual rule before Q4 (with a period)
    waived: list[WaivedOut] = []  # units left out of this rule by a waiver
    na_reason: str | None = None  # n/a for a reason other than an empty scope: no-previous, previous-zero
    due: str | None = None  # the rule's due date (YYYY-MM-DD), if it has one
    when_due: Status | None = None  # not yet due: the verdict its current value would get


class PartOut(_Model):
    id: str
    zh: str
    en: str


class InputOut(_Model):
    table: str
    file: str
    rows: int
    encoding: str  # "utf-8", "gb18030" … or the kind of workbook: "xlsx", "xlsb", "ods", "xls"
    sha256: str
    sheet: str | None = None  # the worksheet, for a workbook
    table_zh: str = ""  # the table's Chinese name (住户)


class NoticeOut(_Model):
    """A located finding that does not stop the run (a warning), shaped like an error."""

    code: str
    file: str
    sheet: str | None
    line: int | None
    column: str | None  # the contract's name of the column (stable), else the header as written
    value: str | None
    message: str
    message_zh: str | None = None  # the same in Chinese (None where the catalogue has none yet)
    header: str | None = None  # the column's header as the file writes it

    @property
    def position(self) -> str:
        """``file, line N, column C``, as an error's position reads."""
        return self.position_in("en")

    def position_in(self, lang: str) -> str:
        from houfu_check.errors import Problem

        column = self.header or self.column
        return Problem(file=self.file, sheet=self.sheet, line=self.line, column=column).position_in(lang)

    def message_in(self, lang: str) -> str:
        return (self.message_zh or self.message) if lang == "zh" else self.message


class RulesOut(_Model):
    file: str
    sha256: str
    plan: str
    document: str


class Validation(_Model):
    """``houfu-check validate``: the data passed the contract's checks (no rule was judged)."""

    schema_version: int = SCHEMA_VERSION
    tool: str
    version: str
    status: Literal["valid"] = "valid"
    data: str
    inputs: list[InputOut]
    warnings: list[NoticeOut] = []


class Summary(_Model):
    rules: int
    passed: int
    failed: int
    warned: int
    not_applicable: int
    not_due: int = 0  # rules whose due date is after the period's end: shown, never failed


class PreviousOut(_Model):
    """The previous round a run's growth rules were compared with."""

    data: str  # its folder, as given
    period: str | None = None


class ConstantOut(_Model):
    """A plan constant (``plan.NAME``) and where its value came from."""

    name: str
    value: float | int
    value_exact: str
    source: str  # the rule file, or submission.yaml when it gives a newer value


class Report(_Model):
    """Everything a run found, in rule-file order."""

    schema_version: int = SCHEMA_VERSION
    tool: str
    version: str
    data: str
    rules_file: RulesOut
    inputs: list[InputOut]
    parts: list[PartOut]
    summary: Summary
    rules: list[RuleResult]
    by_lead: list[LeadTally] | None = None  # with --by lead
    warnings: list[NoticeOut] = []  # found in the data (or waivers) without stopping the run
    period: str | None = None  # "2022-Q3", from --period or submission.yaml
    submission: SubmissionOut | None = None
    constants: list[ConstantOut] = []  # the plan's constants the rules compared with
    previous: PreviousOut | None = None  # the previous round growth rules compared with

    def has(self, status: Status) -> bool:
        """Whether any rule ended with ``status``."""
        return any(r.status == status for r in self.rules)


# --- houfu-check compare OLD NEW -------------------------------------------------------------

Change = Literal["improved", "regressed", "unchanged"]


class RuleSide(_Model):
    """A rule's verdict in one of the two rounds."""

    status: Status
    actual: float | int | None
    actual_exact: str | None
    failing_count: int


class RuleChange(_Model):
    """One rule, then and now."""

    id: str
    clause: str
    part: str
    title: dict[str, str]
    table: str
    kind: str
    display: Display = "number"
    target: TargetOut
    old: RuleSide
    new: RuleSide
    change: Change  # by status first, then by the actual value's distance to the target
    by_value: bool = False  # judged on different bases (an annual rule's pro-rata, then in full):
    # the change compares the values only
    delta: float | int | None  # new actual − old actual (a fraction for shares and ratios)
    newly_failing: list[str]  # units failing now that did not fail then
    no_longer_failing: list[str]  # units that failed then and do not now (or are gone)


class TownChange(_Model):
    """The rules whose status on a town's units got better or worse."""

    town: str
    improved: list[str]
    regressed: list[str]


class Jump(_Model):
    """A unit (a household) whose figure changed more than is plausible in one quarter."""

    unit: str
    column: str
    old: float | int
    new: float | int


class Units(_Model):
    """One table's units that left or arrived between the rounds."""

    table: str
    disappeared: list[str]
    appeared: list[str]
    zh: str = ""  # the table's Chinese name (住户), for headings


class Continuity(_Model):
    """Units that left or arrived between the rounds (per table with a key), and implausible
    jumps of the columns the rule file's ``continuity`` lists."""

    table: str | None  # the table whose columns are watched for jumps
    max_change: dict[str, int]  # column → the largest plausible change
    units: list[Units]
    jumps: list[Jump]
    titles: dict[str, str] = {}  # each watched column's Chinese header, for headings


class Round(_Model):
    """One of the two rounds compared."""

    data: str
    period: str | None
    summary: Summary
    inputs: list[InputOut]


class Comparison(_Model):
    """``houfu-check compare``: two rounds of the same rules."""

    schema_version: int = COMPARE_SCHEMA_VERSION
    tool: str
    version: str
    rules_file: RulesOut
    old: Round
    new: Round
    regressions: int  # rules that passed then and fail now (exit code 1): the same as pass_to_fail
    pass_to_fail: int = 0  # rules that passed (or warned) then and fail now
    regressed: int = 0  # rules that got worse in any way, fail → fail further from the target too
    rules: list[RuleChange]
    towns: list[TownChange]
    continuity: Continuity
    warnings: list[NoticeOut] = []
