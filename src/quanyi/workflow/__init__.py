"""Business cases (业务件), their review stages, sealed periods and the maintenance log."""
