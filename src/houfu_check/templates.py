"""Empty submission templates made from the data contract (``houfu-check init``).

CSV templates are a header line each, UTF-8 with a byte-order mark so Excel shows the Chinese.
The workbook has a sheet per table (its Chinese name) with the header frozen, drop-down lists
for yes/no and choice columns, whole-number checks with the contract's bounds, and a
data-dictionary sheet: every column, its Chinese name, type, meaning and the rules that read it.
The county facts (a contract's facts table) are not templated here: they go under ``facts:`` in
the county folder's ``submission.yaml``, which ``init`` names.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from houfu_check.atomic import atomic_path
from houfu_check.i18n import Lang
from houfu_check.pack.contract import ColumnSpec, Contract, TableSpec

WORKBOOK = "submission.xlsx"
#: rows of each sheet that carry the drop-downs and number checks: tables with a parent
#: (households) get many, top tables (communities) fewer
TEMPLATE_ROWS = (5_000, 200_000)


def template_files(xlsx: bool, contract: Contract) -> list[str]:
    """The files ``init`` writes."""
    return [WORKBOOK] if xlsx else [spec.file_name for spec in contract.data_tables]


def write_csv_templates(folder: Path, lang: Lang, contract: Contract) -> list[Path]:
    written = []
    for spec in contract.data_tables:
        path = folder / spec.file_name
        header = ",".join(_name(c, lang) for c in spec.columns)
        with atomic_path(path) as tmp:
            tmp.write_bytes(("\ufeff" + header + "\r\n").encode("utf-8"))
        written.append(path)
    return written


def write_workbook_template(
    folder: Path, lang: Lang, rules_by_column: dict[tuple[str, str], list[str]], contract: Contract
) -> Path:
    """The workbook template; ``rules_by_column`` maps (table, column) to the rule ids reading it."""
    import xlsxwriter

    path = folder / WORKBOOK
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp))
        head = book.add_format({"bold": True, "bg_color": "#E8F0FE", "border": 1, "text_wrap": True})
        for spec in contract.data_tables:
            _table_sheet(book, spec, lang, head)
        _dictionary(book, lang, head, rules_by_column, contract)
        book.close()
    return path


def _table_sheet(book: Any, spec: TableSpec, lang: Lang, head: Any) -> None:
    ws = book.add_worksheet(spec.zh if lang == "zh" else spec.name)
    last = TEMPLATE_ROWS[spec.parent is not None]
    for col, column in enumerate(spec.columns):
        ws.write_string(0, col, _name(column, lang), head)
        ws.set_column(col, col, max(10, min(24, len(_name(column, lang)) * (2 if lang == "zh" else 1) + 2)))
        check = _validation(column, lang)
        if check is not None:
            ws.data_validation(1, col, last, col, check)
    ws.freeze_panes(1, 1)


def _validation(column: ColumnSpec, lang: Lang) -> dict[str, object] | None:
    """An Excel data-validation rule for the column's cells, where Excel can express one."""
    tip = {"input_title": column.zh[:32], "input_message": column.type_text(short=True, lang=lang)[:255]}
    if column.kind == "bool":
        return {
            "validate": "list",
            "source": [_word(column.true_words, lang), _word(column.false_words, lang)],
            **tip,
        }
    if column.kind == "choice":
        words = [
            _word(tuple(w for w, v in column.choices.items() if v == value), lang) for value in column.values
        ]
        return {"validate": "list", "source": words, **tip}
    if column.kind == "int":
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": column.lowest,
            "maximum": column.highest,
            "error_message": column.type_text(lang=lang)[:255],
            **tip,
        }
    return None


def _dictionary(
    book: Any, lang: Lang, head: Any, rules_by_column: dict[tuple[str, str], list[str]], contract: Contract
) -> None:
    ws = book.add_worksheet("数据字典" if lang == "zh" else "data dictionary")
    titles = (
        ["表", "列(规范名)", "中文列名", "类型", "说明", "用到它的规则"]
        if lang == "zh"
        else ["table", "column", "Chinese header", "type", "meaning", "rules"]
    )
    for col, title in enumerate(titles):
        ws.write_string(0, col, title, head)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 2, 18)
    ws.set_column(3, 3, 40)
    ws.set_column(4, 4, 48)
    ws.set_column(5, 5, 48)
    row = 1
    for spec in contract.tables:
        for column in spec.columns:
            rules = ", ".join(rules_by_column.get((spec.name, column.name), []))
            kind = column.type_text(lang=lang)
            table = spec.zh if lang == "zh" else spec.name
            cells = [table or spec.name, column.name, column.zh, kind, _doc(column.doc, lang), rules]
            for col, value in enumerate(cells):
                ws.write_string(row, col, value)
            row += 1
    ws.freeze_panes(1, 0)


def _doc(doc: str, lang: Lang) -> str:
    """A column's description in one language: contracts write it ``中文 / English``; a clause
    reference ``(cl. 28)`` reads ``(第 28 条)`` in Chinese."""
    parts = re.split(r"\s*/\s+(?=[A-Za-z])", doc, maxsplit=1)
    if lang == "zh":
        return re.sub(r"\(cl\. ?([0-9]+)\)", r"(第 \1 条)", parts[0].strip())
    return parts[-1].strip()


def _word(words: tuple[str, ...], lang: Lang) -> str:
    """The word a drop-down offers: the first Chinese spelling under zh, the first other under en."""
    chinese = [w for w in words if not w.isascii()]
    latin = [w for w in words if w.isascii()]
    pick = (chinese or latin) if lang == "zh" else (latin or chinese)
    return pick[0] if pick else ""


def _name(column: ColumnSpec, lang: Lang) -> str:
    return column.zh if lang == "zh" else column.name
