"""Argon2 at its lowest cost, for the tests only.

The tests open hundreds of accounts and log in hundreds of times; at the production cost (two
passes over 100 MiB, ``quanyi.settings``) hashing was most of the suite's time. The hashes are
still argon2 — the algorithm the account services insist on — with cheaper parameters.
``tests/access/test_services.py`` checks that the product itself keeps Django's own costs."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64  # KiB
    parallelism = 1


PASSWORD_HASHERS = [
    "tests.hashers.CheapArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
