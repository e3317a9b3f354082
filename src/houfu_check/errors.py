"""Problems found in a data folder or a rule file, as classes with a code and a template.

Every problem carries its position (file, physical line, column) and renders one line of text
through its class's ``template``. Callers collect them in an :class:`ErrorLog`, which keeps the
first ``cap`` and counts the rest, so a file with a million bad cells stays cheap.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

#: characters of a cell a problem keeps (and a JSON error carries)
MAX_VALUE = 200


@dataclass(frozen=True, kw_only=True)
class Problem:
    """Base class: a located problem with a message template.

    A kind of problem that only names its ``code`` and ``template`` is a plain subclass: the
    dataclass machinery runs for the classes that add fields, not for all fifty at start-up.
    """

    code: ClassVar[str] = "problem"
    template: ClassVar[str] = "{note}"

    file: str
    line: int | None = None  # a CSV file's physical line, or a sheet's row
    column: str | None = None
    value: str | None = None
    note: str = ""
    sheet: str | None = None  # set for a workbook: then ``line`` is the sheet's row
    hidden: bool = False  # the cell's text is not shown: it may be personal data out of place
    note_zh: str | None = None  # the note in Chinese, where the problem is made (see messages_zh)
    key: str | None = None  # the contract's name of ``column`` (stable, whatever the header says)

    def __post_init__(self) -> None:
        # A 50 MB cell is quoted, not carried: messages and JSON stay small.
        if self.value is not None and len(self.value) > MAX_VALUE:
            object.__setattr__(self, "value", self.value[:MAX_VALUE] + "…")

    @property
    def message(self) -> str:
        """The problem as one sentence (without its position)."""
        params = asdict(self)
        if self.hidden:
            params["value"] = HIDDEN_CELL
        elif self.value is not None:
            params["value"] = _show(self.value)
        return self.template.format(**params)

    @property
    def header(self) -> str | None:
        """The column's header as the file writes it (``column`` shows it with the contract's
        name when they differ: ``就业人数 (employed_count)``)."""
        suffix = f" ({self.key})"
        if self.column is not None and self.key is not None and self.column.endswith(suffix):
            return self.column[: -len(suffix)]
        return self.column

    @property
    def message_zh(self) -> str | None:
        """The problem as one sentence in Chinese, or None where the catalogue has none yet."""
        from houfu_check.messages_zh import TEMPLATES, note_zh

        template = TEMPLATES.get(self.code)
        note = self.note_zh if self.note_zh is not None else note_zh(self.note)
        if template is None or note is None:
            return None
        params = asdict(self)
        params["note"] = note
        if self.hidden:
            params["value"] = HIDDEN_CELL_ZH
        elif self.value is not None:
            params["value"] = _show(self.value)
        return template.format(**params)

    def message_in(self, lang: str) -> str:
        """The sentence in ``lang`` (Chinese falls back to English where it has none yet)."""
        return (self.message_zh or self.message) if lang == "zh" else self.message

    def position_in(self, lang: str) -> str:
        """:attr:`position` in ``lang``: ``households.csv 第 11 行, 列 就业人数``."""
        if lang != "zh":
            return self.position
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"工作表 {self.sheet}")
        if self.line is not None:
            parts.append(f"第 {self.line:,} 行")
        if self.column is not None:
            parts.append(f"列 {self.column}")
        return ", ".join(parts)

    @property
    def position(self) -> str:
        """``file, line N, column C`` (``file, sheet S, row N, column C`` in a workbook)."""
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if self.line is not None:
            parts.append(f"row {self.line:,}" if self.sheet is not None else f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.position}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: code, message and position."""
        return {
            "code": self.code,
            "file": self.file,
            "sheet": self.sheet,
            "line": self.line,
            "column": self.key or self.column,
            "header": self.header,
            "value": None if self.hidden else self.value,
            "message": self.message,
            "message_zh": self.message_zh,
        }


#: what a message says in place of a cell that may hold a name
HIDDEN_CELL = "the cell (its text is not shown: a name may have landed in this column)"
HIDDEN_CELL_ZH = "该单元格(内容不显示:这一列中可能错填了姓名)"

_ID_LIKE = re.compile(r"[A-Za-z0-9_./-]*[0-9][A-Za-z0-9_./-]*")


def may_be_name(value: str | None) -> bool:
    """Whether a cell's text could be a person's name: it holds letters of any script and is not
    an id made of ASCII letters, digits and ``_ . / -`` with at least one digit."""
    if value is None or _ID_LIKE.fullmatch(value):
        return False
    return any(unicodedata.category(ch).startswith("L") for ch in value)


def _show(value: str, limit: int = 40) -> str:
    """A cell value made safe and short for one line of output."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in value[: limit + 1])
    return "'" + (text if len(text) <= limit else text[:limit] + "…") + "'"  # escapes shown once


# --- data folder ---------------------------------------------------------------------------


class DataError(Problem):
    """A problem in a data file."""

    code: ClassVar[str] = "data-error"


class MissingFile(DataError):
    code: ClassVar[str] = "missing-file"
    template: ClassVar[str] = "file not found in the data folder, which must hold {note}"


class NoDataFolder(DataError):
    code: ClassVar[str] = "no-data-in-folder"
    template: ClassVar[str] = (
        "a sub-folder of a county folder is a town's folder, but this one holds no data file; "
        "it must hold {note} (or move it out of the county folder)"
    )


class NestedDataFolder(DataError):
    code: ClassVar[str] = "nested-folder"
    template: ClassVar[str] = (
        "a folder inside a submission folder holds data files, which are never read; move its "
        "files into the submission folder (or out of the data folder) so that no row drops out"
    )


class HiddenFolder(DataError):
    code: ClassVar[str] = "hidden-folder"
    template: ClassVar[str] = (
        "a hidden folder (its name starts with '.') holds data files, which are never read; "
        "rename it so that its town is judged, or move it out of the data folder"
    )


class NotAFile(DataError):
    code: ClassVar[str] = "not-a-file"
    template: ClassVar[str] = "is a folder; expected the CSV file {note}"


class FolderNotFound(DataError):
    code: ClassVar[str] = "folder-not-found"
    template: ClassVar[str] = "folder not found; expected a folder holding {note}"


class NotAFolder(DataError):
    code: ClassVar[str] = "not-a-folder"
    template: ClassVar[str] = "is not a folder; expected a folder holding {note}"


class EmptyFile(DataError):
    code: ClassVar[str] = "empty-file"
    template: ClassVar[str] = "the file is empty; expected a header line{note}"


class NoRecords(DataError):
    code: ClassVar[str] = "no-records"
    template: ClassVar[str] = "the file has a header but no records; expected one row per {note}"


class EncodingProblem(DataError):
    code: ClassVar[str] = "encoding-error"
    # note: the encoding and what to do (io.encoding.encoding_note: a cell, the header, a line,
    # or the encoding --encoding forced)
    template: ClassVar[str] = "bytes {value} cannot be read as {note}"


class UnsupportedEncoding(DataError):
    code: ClassVar[str] = "unsupported-encoding"
    template: ClassVar[str] = "{note}; save the file as UTF-8 or GB18030"


class MissingColumn(DataError):
    code: ClassVar[str] = "missing-column"
    template: ClassVar[str] = "required column is missing{note}"


class DuplicateColumn(DataError):
    code: ClassVar[str] = "duplicate-column"
    template: ClassVar[str] = "the header names this column twice ({note})"


class UnbalancedQuote(DataError):
    code: ClassVar[str] = "unbalanced-quote"
    template: ClassVar[str] = 'a quoted field starts here and is never closed; expected a closing "'


class MultilineCell(DataError):
    code: ClassVar[str] = "line-break-in-cell"
    template: ClassVar[str] = (
        'a quoted cell runs over {note} lines from here; a stray quote (") may have opened it '
        "and swallowed the rows after it: remove the quote, or close it where the cell ends"
    )


class InvisibleCharacter(DataError):
    code: ClassVar[str] = "invisible-character"
    template: ClassVar[str] = (
        "{value} holds an invisible or control character ({note}); retype the id without it"
    )


class LookalikeCharacter(DataError):
    code: ClassVar[str] = "lookalike-character"
    template: ClassVar[str] = (
        "{value} holds {note}, which looks like a plain character but is not, so the id would "
        "not match the same id typed plainly; retype it with plain digits, letters and '-'"
    )


class ScientificId(DataError):
    code: ClassVar[str] = "scientific-id"
    template: ClassVar[str] = (
        "{value} is a long number that Excel wrote in scientific notation, and its last digits are "
        "lost (so different ids become one); format the column as Text in Excel and enter the ids "
        "again from their source"
    )


class BadQuote(DataError):
    code: ClassVar[str] = "bad-quote"
    template: ClassVar[str] = "stray quote character; {note}"


class FieldCount(DataError):
    code: ClassVar[str] = "field-count"
    template: ClassVar[str] = "{note}"


class NoteRow(DataError):
    code: ClassVar[str] = "note-row"
    template: ClassVar[str] = (
        "the row starts with '{note}': a note, signature or totals row under the table, not a record; "
        "delete it (every row under the header is read as a record)"
    )


class BlankRow(DataError):
    code: ClassVar[str] = "blank-row"
    template: ClassVar[str] = "the row is empty; expected a record (delete the row)"


class ParseFailure(DataError):
    code: ClassVar[str] = "parse-error"
    template: ClassVar[str] = "the file cannot be read as CSV: {note}"


class EmptyCell(DataError):
    code: ClassVar[str] = "empty-cell"
    template: ClassVar[str] = "the cell is empty; expected {note}"


class NotInteger(DataError):
    code: ClassVar[str] = "not-integer"
    template: ClassVar[str] = "{value} is not a whole number; expected {note}"


class NegativeInteger(DataError):
    code: ClassVar[str] = "negative-integer"
    template: ClassVar[str] = "{value} is negative; expected {note}"


class OutOfRange(DataError):
    code: ClassVar[str] = "out-of-range"
    template: ClassVar[str] = "{value} is out of range; expected {note}"


class NotNumber(DataError):
    code: ClassVar[str] = "not-number"
    template: ClassVar[str] = "{value} is not a number as the column takes it; expected {note}"


class NotDate(DataError):
    code: ClassVar[str] = "not-date"
    template: ClassVar[str] = "{value} is not a date; expected {note}"


class TallyMismatch(DataError):
    """A warning: a parent's own figure and its child rows disagree beyond the tolerance."""

    code: ClassVar[str] = "tally-mismatch"
    template: ClassVar[str] = "{value} disagrees with {note}"


class NotBoolean(DataError):
    code: ClassVar[str] = "not-boolean"
    template: ClassVar[str] = "{value} is not a yes/no value; expected {note}"


class UnknownChoice(DataError):
    code: ClassVar[str] = "unknown-choice"
    template: ClassVar[str] = "{value} is not a known value; expected {note}"


@dataclass(frozen=True, kw_only=True)
class DuplicateId(DataError):
    code: ClassVar[str] = "duplicate-id"
    template: ClassVar[str] = "{value} appears more than once (first {first}); ids must be unique"
    first_line: int | None = None
    first_file: str | None = None  # set when the first is in another file (another town's)
    first_sheet: str | None = None

    @property
    def message(self) -> str:
        if self.first_file is None or (self.first_file, self.first_sheet) == (self.file, self.sheet):
            line = self.first_line or 0
            first = f"on row {line:,}" if self.sheet is not None else f"on line {line}"
        else:
            first = (
                "in " + Problem(file=self.first_file, sheet=self.first_sheet, line=self.first_line).position
            )
        value = HIDDEN_CELL if self.hidden else _show(self.value or "")
        return self.template.format(value=value, first=first)

    @property
    def message_zh(self) -> str | None:
        if self.first_file is None or (self.first_file, self.first_sheet) == (self.file, self.sheet):
            first = f"第 {self.first_line or 0:,} 行"
        else:
            first = Problem(file=self.first_file, sheet=self.first_sheet, line=self.first_line).position_in(
                "zh"
            )
        value = HIDDEN_CELL_ZH if self.hidden else _show(self.value or "")
        return f"{value} 出现了不止一次(首次在{first});编号不能重复"


class UnknownReference(DataError):
    code: ClassVar[str] = "unknown-reference"
    template: ClassVar[str] = "{value} is not a {note}"


class RelationViolation(DataError):
    code: ClassVar[str] = "relation"
    template: ClassVar[str] = "{value} is more than {note}"


class TooLarge(DataError):
    code: ClassVar[str] = "too-large"
    template: ClassVar[str] = "{note}"


class TooLong(DataError):
    code: ClassVar[str] = "too-long"
    template: ClassVar[str] = "{value} is longer than {note} characters"


class UnreadableFile(DataError):
    code: ClassVar[str] = "unreadable-file"
    template: ClassVar[str] = (
        "cannot read the file ({note}); check its permissions, or whether another program holds it"
    )


class BadWorkbook(DataError):
    code: ClassVar[str] = "bad-workbook"
    template: ClassVar[str] = "cannot be read as a workbook: {note}"


class HeaderNotFound(DataError):
    code: ClassVar[str] = "header-not-found"
    template: ClassVar[str] = "{note}"


class FormulaCell(DataError):
    code: ClassVar[str] = "formula-cell"
    template: ClassVar[str] = (
        "holds the formula {value}; enter the value itself (copy, then Paste Special → Values)"
    )


class ErrorValueCell(DataError):
    code: ClassVar[str] = "error-value"
    template: ClassVar[str] = (
        "holds the Excel error value {value} (left by a formula whose result was pasted); "
        "enter the figure itself"
    )


class AmbiguousFile(DataError):
    code: ClassVar[str] = "ambiguous-file"
    template: ClassVar[str] = "{note}; keep one of them"


class SubmissionProblem(DataError):
    code: ClassVar[str] = "submission-file"
    template: ClassVar[str] = "{note}"


class WaiverProblem(DataError):
    code: ClassVar[str] = "waiver"
    template: ClassVar[str] = "{note}"


class WaiverExpired(DataError):
    """A warning: a waiver past its date is not applied."""

    code: ClassVar[str] = "waiver-expired"
    template: ClassVar[str] = "{note}"


class BlankRowsSkipped(DataError):
    """A warning: rows with every cell empty between the records were left out.

    Example: ``households.csv, line 7: empty rows were skipped: lines 7, 12; delete them``.
    """

    code: ClassVar[str] = "blank-rows-skipped"
    template: ClassVar[str] = "empty rows were skipped: {note}; delete them"


class UnreadFile(DataError):
    """A warning: a file the tool does not read where it lies."""

    code: ClassVar[str] = "not-read"
    template: ClassVar[str] = "is not read: {note}; move it there"


class StraySheetFile(DataError):
    """A warning: a spreadsheet file in a submission folder that no table is read from.

    Example: ``城关镇/communities副本.csv: is not read: its name is no table of the contract
    (communities.csv, households.csv); rename it if it holds the data, or move it out``.
    """

    code: ClassVar[str] = "stray-file"
    template: ClassVar[str] = "is not read: {note}; rename it if it holds the data, or move it out"


class MixedTowns(DataError):
    """A warning: one town's folder holds a row of another town."""

    code: ClassVar[str] = "mixed-towns"
    template: ClassVar[str] = "{value} in the folder of {note}; is the row in the right folder?"


class MixedTownsMore(DataError):
    """A warning: more rows of another town in one town's folder than are listed one by one.

    Example: ``双乳镇/households.csv, column community_id: 45 more rows in the folder of 双乳镇
    name another town``.
    """

    code: ClassVar[str] = "mixed-towns-more"
    template: ClassVar[str] = "{note}"


# --- rule file -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _PackProblem(Problem):
    """A problem in a file of the plan pack: names its place in the file (``scope``: a rule, or
    a table of the contract) and the field."""

    template: ClassVar[str] = "{note}"
    scope: ClassVar[str]  # the attribute naming the place: "rule" or "table"
    field_name: str | None = None

    @property
    def position(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if getattr(self, self.scope) is not None:
            parts.append(f"{self.scope} {getattr(self, self.scope)}")
        if self.field_name is not None:
            parts.append(f"field {self.field_name}")
        return ", ".join(parts)

    def position_in(self, lang: str) -> str:
        if lang != "zh":
            return self.position
        parts = [self.file]
        if self.line is not None:
            parts.append(f"第 {self.line} 行")
        if getattr(self, self.scope) is not None:
            parts.append(f"{'规则' if self.scope == 'rule' else '表'} {getattr(self, self.scope)}")
        if self.field_name is not None:
            parts.append(f"字段 {self.field_name}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update({self.scope: getattr(self, self.scope), "field": self.field_name})
        return data


@dataclass(frozen=True, kw_only=True)
class RuleFileProblem(_PackProblem):
    """A problem in a rule file: names the rule id and the field."""

    code: ClassVar[str] = "rule-error"
    scope: ClassVar[str] = "rule"
    rule: str | None = None


@dataclass(frozen=True, kw_only=True)
class ContractProblem(_PackProblem):
    """A problem in a pack's contract file: names the table and the field (column)."""

    code: ClassVar[str] = "contract-error"
    scope: ClassVar[str] = "table"
    table: str | None = None


# --- collecting ----------------------------------------------------------------------------


@dataclass
class ErrorLog:
    """Keeps up to ``cap`` problems per kind of check and the total count of all of them."""

    cap: int = 50
    items: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, problem: Problem) -> None:
        """Record one problem."""
        self.items.append(problem)
        self.total += 1

    def add_many(self, problems: Sequence[Problem], total: int) -> None:
        """Record a sample of problems standing for ``total`` occurrences."""
        self.items.extend(problems[: self.cap])
        self.total += total

    def __bool__(self) -> bool:
        return self.total > 0

    def shown(self) -> list[Problem]:
        """The first ``cap`` problems in file and line order."""
        ordered = sorted(self.items, key=lambda p: (p.file, p.sheet or "", p.line or 0, p.column or ""))
        return ordered[: self.cap]


class ProblemsFound(Exception):
    """Raised to stop a run: the log holds what was found."""

    def __init__(self, log: ErrorLog) -> None:
        super().__init__(f"{log.total} problem(s)")
        self.log = log
