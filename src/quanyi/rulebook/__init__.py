"""The rulebook: effective-dated parameters (seeded from data files) and pure calculators."""
