"""A careful, line-by-line CSV structure check, run only when the fast reader objects.

The columnar reader is fast but cannot say on which line a record is broken. This scanner
walks the UTF-8 text once, tracking quotes, and reports unbalanced quotes (at the line where
the quoted field starts), stray quotes and records with the wrong number of fields.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from houfu_check.errors import BadQuote, DataError, FieldCount, NoteRow, UnbalancedQuote

_START, _PLAIN, _QUOTED, _AFTER_QUOTE = range(4)

#: what a note, signature or totals row under a town's table starts with: looked for here in a
#: row of fewer fields than the header (typed by hand, without the separators a spreadsheet
#: writes) and by validation in rows of the header's width
NOTE_MARKERS = (
    "合计", "总计", "小计", "填表人", "填报人", "制表人", "审核人", "审核", "负责人", "联系人",
    "联系电话", "填表日期", "备注", "说明", "注:", "注：",
)  # fmt: skip
NOTE_START = re.compile("|".join(re.escape(m) for m in NOTE_MARKERS))


def note_marker(line: str) -> str | None:
    """The word that marks a row as a note, signature or totals row (its first cell that is not
    empty starts with it, quoted or not), or None."""
    text = line.lstrip("\ufeff").lstrip(' \t",')
    return next((marker for marker in NOTE_MARKERS if text.startswith(marker)), None)


def scan_structure(
    path: Path,
    expected: int,
    display: str,
    encoding: str = "utf-8",
    cap: int = 50,
    names: Sequence[str] = (),
) -> tuple[list[DataError], int]:
    """Problems in the CSV structure of ``path`` and how many there are in all.

    ``expected`` is the number of fields of the header, ``names`` its cells as written (a stray
    quote is named by its column). Blank lines are left to the validation of rows (which
    reports them, except at the end of the file).
    """
    problems: list[DataError] = []
    total = 0

    def report(problem: DataError) -> None:
        nonlocal total
        total += 1
        if len(problems) < cap:
            problems.append(problem)

    def end_record(first_line: int, fields: int, blank: bool, text: str = "") -> None:
        if blank:
            return
        if fields < expected and first_line > 1 and (marker := note_marker(text)):
            # "填表人：张三" typed under the table: a note, not a record missing its separators
            report(NoteRow(file=display, line=first_line, note=marker, note_zh=marker))
            return
        if fields != expected and first_line > 1:
            what = "more" if fields > expected else "fewer"
            report(
                FieldCount(
                    file=display,
                    line=first_line,
                    note=f"{fields} fields, {what} than the header's {expected}; "
                    "check for a missing or extra separator (,)",
                    note_zh=f"这一行有 {fields} 个字段,{'多于' if fields > expected else '少于'}表头的 "
                    f"{expected} 个;请检查是否漏了或多了分隔符(,)",
                )
            )

    state = _START
    fields = 1
    record_line, record_text = 0, ""  # where the current record starts, and its first line
    seen = False  # anything other than a line end in the current record
    line_no = 0
    # Lines end at "\n" only (a lone "\r" is text), as for the parser and the line numbers.
    codec = "utf-8-sig" if encoding.startswith("utf-8") else encoding
    with path.open("r", encoding=codec, newline="\n") as fh:
        for raw in fh:
            line_no += 1
            content = raw[:-1] if raw.endswith("\n") else raw
            if state != _QUOTED:
                content = content.removesuffix("\r")
                record_line, record_text = line_no, content
                fields, seen, state = 1, False, _START
                if '"' not in content:  # the common case: no quotes, count separators
                    end_record(line_no, content.count(",") + 1, not content, content)
                    continue
            for col, ch in enumerate(content):
                if state == _QUOTED:
                    if ch == '"':
                        state = _AFTER_QUOTE
                    continue
                if ch == "\r" and col == len(content) - 1:
                    break  # the CR of a CRLF line end
                seen = True
                if ch == ",":
                    fields += 1
                    state = _START
                elif ch == '"':
                    if state == _START:
                        state = _QUOTED
                    elif state == _AFTER_QUOTE:
                        state = _QUOTED  # an escaped quote ("") inside a quoted field
                    else:
                        report(
                            BadQuote(
                                file=display,
                                line=line_no,
                                column=names[fields - 1] if fields <= len(names) else None,
                                note=f'a " at character {col + 1} stands inside an unquoted '
                                'field; quote the whole field and double the inner quote ("")',
                            )
                        )
                        state = _PLAIN
                elif state == _AFTER_QUOTE:
                    report(
                        BadQuote(
                            file=display,
                            line=line_no,
                            column=names[fields - 1] if fields <= len(names) else None,
                            note=f"text follows a closing quote at character {col + 1}; "
                            "expected a separator (,) after it",
                        )
                    )
                    state = _PLAIN
                else:
                    state = _PLAIN
            if state != _QUOTED:
                end_record(record_line, fields, not seen, record_text)
    if state == _QUOTED:
        report(UnbalancedQuote(file=display, line=record_line))
    return problems, total
