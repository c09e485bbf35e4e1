"""Modal dialogs of the desk, one module per family."""
