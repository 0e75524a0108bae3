"""Pure domain: models and rules, no I/O and no framework imports."""
