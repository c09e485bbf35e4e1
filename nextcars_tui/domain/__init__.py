"""Plain-Python rules of the rental desk: no database, no UI, no clock reads."""
