"""Password policy in three profiles (QUANYI_PASSWORD_POLICY):

- ``default``: at least 12 characters from at least 3 of 4 classes, not a common password
  (Django's list of 20,000), expiring after 90 days — level-3 protection (等级保护) and OWASP
  ASVS 5.0 V6.2 at once;
- ``national``: the level-3 minimum alone — at least 8 characters from at least 3 of 4 classes,
  expiring after 90 days;
- ``long``: at least 12 characters, not a common password, no forced expiry (NIST SP 800-63B).
"""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError

PROFILES: dict[str, dict[str, Any]] = {
    "default": {"min_length": 12, "classes": 3, "common": True, "expiry_days": 90},
    "national": {"min_length": 8, "classes": 3, "common": False, "expiry_days": 90},
    "long": {"min_length": 12, "classes": 0, "common": True, "expiry_days": None},
}


def profile(name: str | None = None) -> dict[str, Any]:
    if name is None:
        from django.conf import settings

        name = getattr(settings, "QUANYI_PASSWORD_POLICY", "default")
    return PROFILES.get(name, PROFILES["default"])


def validators(name: str) -> list[dict[str, Any]]:
    """AUTH_PASSWORD_VALIDATORS for the named profile (read by settings)."""
    chosen = profile(name)
    found: list[dict[str, Any]] = [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": chosen["min_length"]},
        },
    ]
    if chosen["classes"]:
        found.append(
            {
                "NAME": "quanyi.access.passwords.CharacterClassesValidator",
                "OPTIONS": {"classes": chosen["classes"]},
            }
        )
    if chosen["common"]:
        found.append({"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"})
    return found


def expired(changed_at: datetime, now: datetime) -> bool:
    days = profile()["expiry_days"]
    return days is not None and now - changed_at > timedelta(days=days)


class CharacterClassesValidator:
    """At least ``classes`` of: lower case, upper case, digits, other characters."""

    def __init__(self, classes: int = 3) -> None:
        self.classes = classes

    def validate(self, password: str, user: Any = None) -> None:
        present = sum(
            [
                any(c in string.ascii_lowercase for c in password),
                any(c in string.ascii_uppercase for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if present < self.classes:
            raise ValidationError(
                f"密码须包含小写字母、大写字母、数字、其他字符中的至少 {self.classes} 类"
                f" (at least {self.classes} of: lower case, upper case, digits, other)",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"至少包含 {self.classes} 类字符（小写、大写、数字、其他）"
