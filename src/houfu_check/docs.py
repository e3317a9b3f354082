"""Documentation generated from a pack's contract (the README's tables are checked against it).

``python -m houfu_check.docs [RULES]`` prints the tables of the shipped pack (or of RULES).
"""

from __future__ import annotations

import sys
from pathlib import Path

from houfu_check.pack.contract import Contract, TableSpec


def contract_markdown(spec: TableSpec) -> str:
    """A Markdown table of one table's columns: name, Chinese header, type and note."""
    where = f"`facts:` in `submission.yaml` ({spec.zh})" if spec.facts else f"`{spec.file_name}` ({spec.zh})"
    if not spec.required:
        where += ", optional"
    lines = [where, "", "| column | 中文 | type / rule | note |", "|---|---|---|---|"]
    for col in spec.columns:
        note = col.doc.replace("|", "\\|")
        lines.append(f"| `{col.name}` | {col.zh} | {col.type_text(short=True)} | {note} |")
    return "\n".join(lines)


def all_tables_markdown(contract: Contract) -> str:
    """The contract tables of every table, separated by blank lines."""
    return "\n\n".join(contract_markdown(spec) for spec in contract.tables)


if __name__ == "__main__":
    from houfu_check.rules import load_rules

    print(all_tables_markdown(load_rules(Path(sys.argv[1]) if len(sys.argv) > 1 else None).contract))
