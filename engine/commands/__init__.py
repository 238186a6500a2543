"""The `pf` command groups. Each module parses its options, calls the engine and prints; `cli.py` registers them.
Modules import only typer and engine.core at the top, so that `pf evaluate` loads nothing it does not use."""
