"""Contributions: base declarations, monthly bills and their lines, payments, arrears."""
