"""The bare-engine baseline: the pack's verdicts straight from polars, nothing else.

No CLI, no validation, no located errors, no report: read both CSV files with a typed schema,
map the yes/no words, evaluate every rule's compiled expressions in one pass per table and
print ``{rule id: status}`` as JSON. This is the floor houfu-check is measured against in
``bench.py`` (and its verdicts must equal the tool's).

    python benchmarks/baseline.py DATA_DIR [--encoding gb18030] [--rules PACK/targets.yaml]
"""

from __future__ import annotations

import io
import json
import sys
from fractions import Fraction
from pathlib import Path

import polars as pl

from houfu_check.pack.contract import TableSpec
from houfu_check.rules import load_rules


def read(path: Path, spec: TableSpec, encoding: str) -> pl.DataFrame:
    """One table, typed by polars' own parser; Chinese headers renamed; no checks at all."""
    source: Path | io.BytesIO = path
    if encoding != "utf-8":
        source = io.BytesIO(path.read_bytes().decode(encoding).encode("utf-8"))
    header = pl.read_csv(source, n_rows=0).columns
    if isinstance(source, io.BytesIO):
        source.seek(0)
    names = {c.zh: c.name for c in spec.columns} | {c.name: c.name for c in spec.columns}
    wanted = [c for c in spec.columns if not c.personal]
    schema = {
        h: (pl.Int64 if spec.column(names[h]).kind == "int" else pl.String) for h in header if h in names
    }
    frame = pl.read_csv(
        source,
        schema_overrides=schema,
        columns=[h for h in header if h in names and not spec.column(names[h]).personal],
    )
    frame = frame.rename({h: names[h] for h in frame.columns})
    choices = {c.name: c.choices for c in wanted if c.kind == "choice"}
    return frame.with_columns(
        *(pl.col(c.name).is_in(list(c.true_words)) for c in wanted if c.kind == "bool"),
        *(pl.col(name).replace_strict(m, default=None) for name, m in choices.items()),
    )


def facts(data: Path, spec: TableSpec) -> pl.DataFrame | None:
    """The county facts of submission.yaml as one row (the tool reads them too)."""
    import yaml

    path = data / "submission.yaml"
    given = yaml.safe_load(path.read_text(encoding="utf-8")).get("facts") if path.is_file() else None
    if not given:
        return None
    names = {c.zh: c.name for c in spec.columns} | {c.name: c.name for c in spec.columns}
    row = {names[str(k)]: str(v).lower() in spec.column(names[str(k)]).true_words for k, v in given.items()}
    return pl.DataFrame([row])


def verdicts(data: Path, encoding: str, rules: Path | None = None) -> dict[str, str]:
    ruleset = load_rules(rules)
    contract = ruleset.contract
    frames = {spec.name: read(data / spec.file_name, spec, encoding) for spec in contract.data_tables}
    if contract.facts is not None and (row := facts(data, contract.facts)) is not None:
        frames[contract.facts.name] = row
    out: dict[str, str] = {r.id: "n/a" for r in ruleset.rules}
    for name, frame in frames.items():
        rules = [r for r in ruleset.rules if r.spec.table == name]
        exprs = []
        masks = [pl.repeat(True, pl.len()) & rule.scope.expr for rule in rules]
        for i, rule in enumerate(rules):
            scope = masks[i]
            exprs.append(scope.sum().alias(f"{i}s"))
            if rule.condition is not None:
                exprs.append((scope & ~rule.condition.expr).sum().alias(f"{i}f"))
            if rule.numerator is not None and rule.denominator is not None:
                exprs.append(rule.numerator.expr.filter(scope).sum().alias(f"{i}n"))
                exprs.append(rule.denominator.expr.filter(scope).sum().alias(f"{i}d"))
            if rule.sum is not None:
                exprs.append(rule.sum.expr.filter(scope).sum().alias(f"{i}t"))
        row = frame.select(exprs).row(0, named=True)
        for i, rule in enumerate(rules):
            scope_count, failing = row[f"{i}s"], row.get(f"{i}f", 0)
            kind = rule.spec.kind
            actual: Fraction | int | None = None
            if kind == "share" and scope_count:
                actual = Fraction(scope_count - failing, scope_count)
            elif kind == "ratio" and scope_count and row[f"{i}d"]:
                actual = Fraction(row[f"{i}n"], row[f"{i}d"])
            elif kind == "total" and scope_count:
                actual = row[f"{i}t"]
            elif kind == "count" and scope_count:
                actual = failing
            if actual is None:
                out[rule.id] = "n/a"
            elif rule.target.met_by(actual):
                out[rule.id] = "pass"
            else:
                out[rule.id] = rule.spec.severity
            id_column = contract.table(name).id_column
            if (
                rule.condition is not None and failing and id_column
            ):  # the failing ids, as the tool lists them
                frame.filter(masks[i] & ~rule.condition.expr).get_column(id_column).to_list()
    return out


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--encoding", default="utf-8")
    parser.add_argument("--rules", type=Path, default=None)
    args = parser.parse_args()
    json.dump(verdicts(args.data, args.encoding, args.rules), sys.stdout)
