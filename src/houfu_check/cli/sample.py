"""``houfu-check sample OUT``: write a made-up but realistic data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from houfu_check.cli.common import guarded
from houfu_check.cli.exit_codes import ExitCode


def sample(
    out: Annotated[Path, typer.Argument(metavar="OUT", help="Folder to write the two CSV files to.")],
    households: Annotated[int, typer.Option("--households", "-n", min=1, help="Households.")] = 20_000,
    communities: Annotated[
        int | None, typer.Option("--communities", "-c", min=1, help="Communities (default: households/200).")
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives the same files.")
    ] = 2022,
    headers: Annotated[str, typer.Option("--headers", help="Header language: en or zh.")] = "en",
    encoding: Annotated[str, typer.Option("--encoding", help="utf-8 or gb18030.")] = "utf-8",
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace files already in OUT.")] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of internal errors.")
    ] = False,
) -> None:
    """Write a realistic, made-up data folder: most units meet most targets, a few of each kind do not."""
    if headers not in ("en", "zh"):
        raise typer.BadParameter(f"'{headers}' is not en or zh", param_hint="--headers")
    if encoding.lower() not in ("utf-8", "utf8", "gb18030"):
        raise typer.BadParameter(f"'{encoding}' is not utf-8 or gb18030", param_hint="--encoding")
    existing = [p for p in (out / "communities.csv", out / "households.csv") if p.exists()]
    if existing and not overwrite:
        raise typer.BadParameter(f"{existing[0]} exists; pass --overwrite to replace it", param_hint="OUT")

    def body() -> int:
        from houfu_check.sample import generate, write

        frames = generate(households, communities, seed)
        codec = "gb18030" if encoding.lower() == "gb18030" else "utf-8"
        write(out, *frames, headers=headers, encoding=codec)  # type: ignore[arg-type]
        counts = [f"{f.height:,} row{'s' if f.height != 1 else ''}" for f in frames]
        typer.echo(
            f"wrote {out}/communities.csv ({counts[0]}) and {out}/households.csv ({counts[1]})", err=True
        )
        return ExitCode.OK

    guarded(debug, body)
