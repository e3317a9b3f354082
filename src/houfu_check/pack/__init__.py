"""The plan pack: its data contract (tables and columns) and the code that reads and exports it.

A pack is a rule file (``rules/targets.yaml``) and the contract it names (``contract:``, a file
beside it). Everything that knows a column — validation, header matching, templates, the sample
generator, exports, the README's tables — asks the :class:`~houfu_check.pack.contract.Contract`.
"""

from houfu_check.pack.contract import ColumnSpec, Contract, TableSpec

__all__ = ["ColumnSpec", "Contract", "TableSpec"]
