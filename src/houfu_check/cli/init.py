"""``houfu-check init DIR``: empty submission templates, made from the data contract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from houfu_check.cli.common import DebugOpt, LangOpt, guarded, pick_lang
from houfu_check.cli.exit_codes import ExitCode


def init(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to write the templates to.")],
    lang: LangOpt = None,
    xlsx: Annotated[
        bool,
        typer.Option("--xlsx", help="One workbook (sheets 社区, 住户, data dictionary) instead of two CSVs."),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Write empty templates for a submission: the contract's headers, ready to fill in."""
    from houfu_check.templates import template_files

    language = pick_lang(lang)
    if folder.exists() and not folder.is_dir():
        raise typer.BadParameter(f"'{folder}' is a file; name a folder")
    taken = [name for name in template_files(xlsx) if (folder / name).exists()]
    if taken:
        raise typer.BadParameter(f"'{folder / taken[0]}' already exists; init never writes over a file")

    def body() -> int:
        from houfu_check.rules import load_rules
        from houfu_check.templates import write_csv_templates, write_workbook_template

        folder.mkdir(parents=True, exist_ok=True)
        if xlsx:
            readers: dict[tuple[str, str], list[str]] = {}
            for rule in load_rules().rules:
                for column in sorted(rule.columns):
                    readers.setdefault((rule.spec.table, column), []).append(rule.id)
            written = [write_workbook_template(folder, language, readers)]
        else:
            written = write_csv_templates(folder, language)
        names = " and ".join(p.name for p in written)
        typer.echo(f"wrote {names} to {folder}: one row per community and per household, then run")
        typer.echo(f"  houfu-check validate {folder}")
        return ExitCode.OK

    guarded(debug, body)
