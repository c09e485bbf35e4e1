"""Benchmarks of the desk's hot paths, run as `python -m nextcars_tui.bench` (see `__main__`).

A consumer of the desk like the CLI and the TUI: it may import services, store, domain and
tui, and nothing in the desk imports it. Importing this package loads nothing else, so the
core section runs without Textual.
"""
