"""Documentation generated from the data contract (the README's tables are checked against it).

``python -m houfu_check.docs`` prints the tables.
"""

from __future__ import annotations

from houfu_check.contract import TableSpec, tables


def contract_markdown(spec: TableSpec) -> str:
    """A Markdown table of one table's columns: name, Chinese header, type and rule."""
    lines = [
        f"`{spec.file_name}`",
        "",
        "| column | 中文 | type / rule | note |",
        "|---|---|---|---|",
    ]
    for col in spec.columns:
        lines.append(f"| `{col.name}` | {col.zh} | {col.type_text(short=True)} | {col.doc} |")
    return "\n".join(lines)


def all_tables_markdown() -> str:
    """The contract tables of every table, separated by blank lines."""
    return "\n\n".join(contract_markdown(spec) for spec in tables())


if __name__ == "__main__":
    print(all_tables_markdown())
