"""Use cases of the desk. Each function takes the Desk, the acting user and plain values,
checks the role, runs one unit of work, and returns plain dataclasses."""
