"""houfu-check: check relocation follow-up data against the numeric targets of a work plan."""

__version__ = "0.1.0"
