"""``python -m houfu_check``."""

from houfu_check.cli import main

if __name__ == "__main__":  # a guard, so that worker processes (spawned) do not run the CLI
    main()
