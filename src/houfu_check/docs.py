"""Documentation generated from a pack's contract (the README's tables are checked against it).

``python -m houfu_check.docs [RULES]`` prints the tables of the shipped pack (or of RULES).
"""

from __future__ import annotations

import sys
from pathlib import Path

from houfu_check.pack.contract import Contract, TableSpec
from houfu_check.rules.model import RuleSet


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


def targets_markdown(rules: RuleSet) -> str:
    """A Markdown table of the pack's rules: what each judges, its target and its basis."""
    readings = [r for r in rules.rules if r.spec.basis == "interpretation"]
    lines = [
        f"{len(rules.rules)} rules: {len(rules.rules) - len(readings)} state a number (or a deliverable) "
        f"the plan gives; {len(readings)} are interpretations (※), the plan's words read as a number.",
        "",
        "| id | clause | table | scope | passes when / measure | target | basis |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in rules.rules:
        spec = rule.spec
        measure = {
            "share": spec.condition,
            "count": f"count of units failing `{spec.condition}`",
            "ratio": f"Σ {spec.numerator} ÷ Σ {spec.denominator}",
            "total": f"Σ {spec.sum}",
        }[spec.kind]
        if spec.kind == "share":
            measure = f"`{' '.join((spec.condition or '').split())}`"
        target = f"{spec.kind} {rule.target}" + (" (warn)" if spec.severity == "warn" else "")
        target += " per year" if spec.annual else ""
        basis = "※ " + spec.note.en if spec.note and spec.basis == "interpretation" else spec.basis
        scope = "all" if spec.scope == "true" else f"`{spec.scope}`"
        basis = basis.replace("|", "\\|")
        lines.append(
            f"| `{spec.id}` | {spec.clause} | {spec.table} | {scope} | {measure} | {target} | {basis} |"
        )
    return "\n".join(lines)


def all_tables_markdown(contract: Contract) -> str:
    """The contract tables of every table, separated by blank lines."""
    return "\n\n".join(contract_markdown(spec) for spec in contract.tables)


if __name__ == "__main__":
    from houfu_check.rules import load_rules

    print(all_tables_markdown(load_rules(Path(sys.argv[1]) if len(sys.argv) > 1 else None).contract))
