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
