"""``--format json``: the report's documented JSON shape (see README, "JSON report")."""

from __future__ import annotations

import json
from typing import Any, TextIO

from houfu_check import __version__
from houfu_check.render.base import Options, Renderer, Stopped
from houfu_check.report import SCHEMA_VERSION, Comparison, Report, Validation


class JsonRenderer(Renderer):
    name = "json"
    machine = True
    suffix = ".json"

    def report(self, report: Report, out: TextIO, opts: Options) -> None:
        # Breakdowns appear only when asked for (--by town, --by lead), so the default shape stays put.
        exclude: dict[str, Any] = {}
        if report.by_lead is None:
            exclude["by_lead"] = True
        if all(rule.by_town is None for rule in report.rules):
            exclude["rules"] = {"__all__": {"by_town"}}
        out.write(report.model_dump_json(indent=2, exclude=exclude))  # 5x json.dump's speed
        out.write("\n")

    def compared(self, comparison: Comparison, out: TextIO, opts: Options) -> None:
        out.write(comparison.model_dump_json(indent=2))
        out.write("\n")

    def validated(self, result: Validation, out: TextIO, opts: Options) -> None:
        out.write(result.model_dump_json(indent=2))
        out.write("\n")

    def stopped(self, stop: Stopped, out: TextIO, opts: Options) -> None:
        document = {
            "schema_version": SCHEMA_VERSION,
            "tool": "houfu-check",
            "version": __version__,
            "status": stop.reason,
            "error_count": stop.total,
            "errors": [p.to_dict() for p in stop.problems],
        }
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
