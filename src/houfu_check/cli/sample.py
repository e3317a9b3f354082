"""``houfu-check sample OUT``: write a made-up but realistic data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from houfu_check.cli.exit_codes import ExitCode
from houfu_check.cli.options import DebugOpt, LangOpt, RulesOpt, pick_lang
from houfu_check.cli.run import guarded

#: the most rows a sample table may have: about a nation's households, in memory at once
MAX_SAMPLE_ROWS = 5_000_000


def sample(
    out: Annotated[Path, typer.Argument(metavar="OUT", help="Folder to write the data files to.")],
    rows: Annotated[
        int,
        typer.Option(
            "--rows",
            "-n",
            min=1,
            max=MAX_SAMPLE_ROWS,
            help="Rows of the pack's main table (its contract's sample: table).",
        ),
    ] = 20_000,
    parents: Annotated[
        int | None,
        typer.Option(
            "--parents",
            "-c",
            min=1,
            max=MAX_SAMPLE_ROWS,
            help="Rows of the table above it (default: rows / its per_parent hint).",
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives the same files.")
    ] = 2022,
    headers: Annotated[str, typer.Option("--headers", help="Header language: en or zh.")] = "en",
    encoding: Annotated[str, typer.Option("--encoding", help="utf-8 or gb18030.")] = "utf-8",
    rules: RulesOpt = None,
    lang: LangOpt = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace files already in OUT.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Write a realistic, made-up data folder for the pack: valid data, drawn from its contract."""
    if headers not in ("en", "zh"):
        raise typer.BadParameter(f"'{headers}' is not en or zh", param_hint="--headers")
    if encoding.lower() not in ("utf-8", "utf8", "gb18030"):
        raise typer.BadParameter(f"'{encoding}' is not utf-8 or gb18030", param_hint="--encoding")

    def body() -> int:
        from houfu_check.cli.run import load_pack
        from houfu_check.sample import SampleError, generate, write

        contract = load_pack(rules, pick_lang(lang)).contract
        names = [spec.file_name for spec in contract.data_tables]
        names += ["submission.yaml"] if contract.facts is not None else []
        existing = [out / name for name in names if (out / name).exists()]
        if existing and not overwrite:
            raise typer.BadParameter(
                f"{existing[0]} exists; pass --overwrite to replace it", param_hint="OUT"
            )
        try:
            frames = generate(contract, rows, parents, seed)
        except SampleError as exc:
            typer.echo(f"houfu-check: {exc.zh if pick_lang(lang) == 'zh' else exc}", err=True)
            return ExitCode.INVALID
        codec = "gb18030" if encoding.lower() == "gb18030" else "utf-8"
        written = write(out, frames, contract, headers=headers, encoding=codec)  # type: ignore[arg-type]
        zh = pick_lang(lang) == "zh"
        shown = []
        for path in written:
            table = path.stem
            if table in frames and not (contract.facts and contract.facts.name == table):
                height = frames[table].height
                rows_said = f"{height:,} 行" if zh else f"{height:,} row{'s' if height != 1 else ''}"
                shown.append(f"{path} ({rows_said})")
            else:
                shown.append(str(path))
        typer.echo(("已写入 " + "、".join(shown)) if zh else ("wrote " + ", ".join(shown)), err=True)
        return ExitCode.OK

    guarded(debug, body)
