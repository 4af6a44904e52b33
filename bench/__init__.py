"""The cajkg benchmark suite: `python -P -m bench --quick|--full` (see bench/README.md)."""
