"""Full screens of the desk, one module each."""
