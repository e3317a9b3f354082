"""``python -m houfu_check``."""

from houfu_check.launch import main

if __name__ == "__main__":  # a guard: importing the module never runs the CLI
    main()
