"""PostgreSQL, for desks on several machines: row locks, sequences, EXCLUDE constraints."""
