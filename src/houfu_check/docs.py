"""Documentation generated from a pack and from the code: the tables of docs/data-contract.md and
docs/targets.md, and the reference sections of docs/writing-a-pack.md (the tests check them).

``python -m houfu_check.docs [RULES]`` prints the tables of the shipped pack (or of RULES).
"""

from __future__ import annotations

import sys
from pathlib import Path

from houfu_check.pack.contract import Contract, TableSpec
from houfu_check.rules.model import RuleSet, RuleSpec


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
        measure = measure_text(spec)
        target = f"{spec.kind} {rule.target}" + (" (warn)" if spec.severity == "warn" else "")
        target += " per year" if spec.annual else ""
        basis = "※ " + spec.note.en if spec.note and spec.basis == "interpretation" else spec.basis
        scope = "all" if spec.scope == "true" else f"`{spec.scope}`"
        basis = basis.replace("|", "\\|")
        lines.append(
            f"| `{spec.id}` | {spec.clause} | {spec.table} | {scope} | {measure} | {target} | {basis} |"
        )
    return "\n".join(lines)


def measure_text(spec: RuleSpec) -> str:
    """What a rule measures, in one line of Markdown."""
    condition = f"`{' '.join((spec.condition or '').split())}`"
    figure = f"Σ {spec.sum}" if spec.sum else f"Σ {spec.numerator} ÷ Σ {spec.denominator}"
    return {
        "share": condition,
        "count": f"count of units failing {condition}",
        "passing": f"count of units meeting {condition}",
        "ratio": figure + (f" × {spec.rate_per:,}" if spec.rate_per else ""),
        "total": figure,
        "growth": f"growth of {figure} since the previous round",
    }.get(spec.kind, spec.kind)


def _block(doc: str | None, after: str) -> str:
    """The indented block of a docstring that follows the line ending in ``after``."""
    lines = (doc or "").split(after, 1)[-1].splitlines()[1:]
    block: list[str] = []
    for line in lines:
        if line.strip() and not line.startswith("    "):
            break
        block.append(line[4:])
    return "\n".join(block).strip("\n")


def kinds_markdown() -> str:
    """The measure kinds, from their registry: what each measures, its failing units, an example."""
    from houfu_check.kinds import KINDS

    lines = ["| kind | what is measured | failing units | example |", "|---|---|---|---|"]
    for kind in KINDS.values():
        example = "<br>".join(f"`{line}`" for line in kind.example.splitlines())
        lines.append(f"| `{kind.name}` | {kind.summary} | {kind.failing} | {example} |")
    return "\n".join(lines)


def expressions_markdown() -> str:
    """Every form an expression may take, from the expression module's own reference."""
    from houfu_check.rules import expr

    return "```text\n" + _block(expr.__doc__, "these forms are accepted::") + "\n```"


def rule_fields_markdown() -> str:
    """A rule's fields, from the rule model's own reference."""
    from houfu_check.rules import model

    return "```yaml\n" + _block(model.__doc__, "A rule file is YAML::") + "\n```"


#: the generated sections of the documentation pages: <!-- reference: NAME --> … <!-- /reference -->
REFERENCES = {
    "kinds": kinds_markdown,
    "expressions": expressions_markdown,
    "rule-fields": rule_fields_markdown,
}


def all_tables_markdown(contract: Contract) -> str:
    """The contract tables of every table, separated by blank lines."""
    return "\n\n".join(contract_markdown(spec) for spec in contract.tables)


if __name__ == "__main__":
    from houfu_check.rules import load_rules

    print(all_tables_markdown(load_rules(Path(sys.argv[1]) if len(sys.argv) > 1 else None).contract))
