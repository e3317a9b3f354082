"""The exit codes, named once. The README's "Exit codes" table documents them."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0  #: every rule passed (warnings allowed unless --fail-on warn)
    TARGETS_MISSED = 1  #: at least one rule failed
    INVALID = 2  #: invalid data, rule file or usage
    INTERNAL = 3  #: an unexpected internal error (run again with --debug)
