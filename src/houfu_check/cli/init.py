"""``houfu-check init DIR``: empty submission templates, made from the data contract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from houfu_check.cli.exit_codes import ExitCode
from houfu_check.cli.options import DebugOpt, LangOpt, RulesOpt, pick_lang
from houfu_check.cli.run import guarded


def init(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to write the templates to.")],
    lang: LangOpt = None,
    xlsx: Annotated[
        bool,
        typer.Option(
            "--xlsx",
            help="One workbook (a sheet per table and a data dictionary) instead of a CSV per table.",
        ),
    ] = False,
    rules: RulesOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Write empty templates for a submission: the contract's headers, ready to fill in."""
    language = pick_lang(lang)
    if folder.exists() and not folder.is_dir():
        raise typer.BadParameter(f"'{folder}' is a file; name a folder")

    def body() -> int:
        from houfu_check.cli.run import load_pack
        from houfu_check.i18n import label
        from houfu_check.templates import template_files, write_csv_templates, write_workbook_template

        pack = load_pack(rules, language)
        contract = pack.contract
        taken = [name for name in template_files(xlsx, contract) if (folder / name).exists()]
        if taken:
            raise typer.BadParameter(f"'{folder / taken[0]}' already exists; init never writes over a file")
        folder.mkdir(parents=True, exist_ok=True)
        if xlsx:
            readers: dict[tuple[str, str], list[str]] = {}
            for rule in pack.rules:
                for table, column in rule.reads:
                    readers.setdefault((table, column), []).append(rule.id)
            written = [write_workbook_template(folder, language, readers, contract)]
        else:
            written = write_csv_templates(folder, language, contract)
        required = [spec for spec in contract.data_tables if spec.required]
        if language == "zh":
            names = " 和 ".join(p.name for p in written)
            units = "、".join(f"每{spec.words[0].removeprefix('个')}一行" for spec in required)
            typer.echo(f"已将 {names} 写入 {folder}:{units};填好后运行")
        else:
            names = " and ".join(p.name for p in written)
            units = " and per ".join(spec.unit for spec in required)
            typer.echo(f"wrote {names} to {folder}: one row per {units}, then run")
        typer.echo(f"  houfu-check validate {folder}" + (f" --rules {rules}" if rules else ""))
        if contract.facts is not None:  # county facts belong to the county folder, not a town's
            keys = ", ".join(c.zh if language == "zh" else c.name for c in contract.facts.columns)
            typer.echo(label("facts_hint", language, keys=keys))
        return ExitCode.OK

    guarded(debug, body)
