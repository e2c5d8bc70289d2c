"""Demo data: a realistic region with valid identifiers, built in bulk."""
