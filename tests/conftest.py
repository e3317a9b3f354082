"""Shared fixtures: the shipped rules, data-folder building, and running the CLI."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from houfu_check.rules import RuleSet, default_rules_path, load_rules

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shipped_rules() -> RuleSet:
    return load_rules(default_rules_path())


def _hypothesis_profiles() -> None:
    """``ci`` (the default): a bounded, repeatable run. ``long``: for a local soak, e.g.
    ``HYPOTHESIS_PROFILE=long pytest tests/test_properties.py`` (see the README)."""
    import os

    from hypothesis import HealthCheck, settings

    common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
    settings.register_profile("ci", max_examples=60, derandomize=True, print_blob=True, **common)
    settings.register_profile("long", max_examples=3000, **common)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


_hypothesis_profiles()
