"""SQLite, the embedded default: one file, one writer at a time (BEGIN IMMEDIATE)."""
