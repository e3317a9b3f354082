"""``python -m houfu_check``."""

from houfu_check.cli import main

main()
