"""Accounts, role grants and API tokens. Users and passwords are Django's auth (argon2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from quanyi.audit.tracking import tracked


class AccountKind(models.TextChoices):
    STAFF = "staff", "经办机构工作人员"
    EMPLOYER = "employer", "用人单位"
    PERSON = "person", "参保人员"
    EXTERNAL = "external", "外部查询单位"


@tracked(
    "account", ("user_id", "kind", "region", "employer_id", "person_id", "organisation", "disabled")
)
class Account(models.Model):
    """What quanyi adds to a Django user: the agency region it acts in, and for outside users the
    employer, person or organisation the account is bound to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account"
    )
    kind = models.CharField(max_length=10, choices=AccountKind.choices, default=AccountKind.STAFF)
    region = models.CharField("经办统筹区", max_length=6)
    employer = models.ForeignKey(
        "registry.Employer", null=True, blank=True, on_delete=models.PROTECT
    )
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT)
    organisation = models.CharField(max_length=200, blank=True, default="")
    disabled = models.BooleanField(default=False)
    password_changed_at = models.DateTimeField()
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.kind}, {self.region})"


@tracked("grant", ("user_id", "role", "granted_by", "revoked_at"))
class RoleGrant(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grants"
    )
    role = models.CharField(max_length=20)
    granted_by = models.CharField(max_length=150)
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_grant_per_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.role}"


class ApiToken(models.Model):
    """A bearer token: only its SHA-256 is stored; ``prefix`` finds the row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s for s in self.scopes.split() if s)
