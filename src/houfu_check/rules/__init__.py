"""The rule file: its model, its safe expressions and its loader."""

from houfu_check.rules.load import default_contract, default_rules_path, load_rules
from houfu_check.rules.model import Rule, RuleSet, Target

__all__ = ["Rule", "RuleSet", "Target", "default_contract", "default_rules_path", "load_rules"]
