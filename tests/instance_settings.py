"""The settings of an instance a test runs ``quanyi`` on as a child process: the product's own,
with argon2 at its lowest cost (``tests.hashers``)."""

from quanyi.settings import *  # noqa: F403
from tests.hashers import PASSWORD_HASHERS  # noqa: F401
