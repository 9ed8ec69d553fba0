"""Staff users, their role per organisation, and API keys."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from balie.tenants.models import Organisation, TenantQuerySet


class User(AbstractUser):
    """A member of staff. Residents never have a User."""

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    AGENT = "agent", _("Customer contact agent")
    SUPERVISOR = "supervisor", _("Team lead")
    WOO_OFFICER = "woo_officer", _("Woo coordinator")
    RECORDS_MANAGER = "records_manager", _("Records manager")
    ADMIN = "admin", _("Application administrator")
    AUDITOR = "auditor", _("Auditor")


# Roles that may write in conversations (send, assign, change status).
WRITING_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
# Roles that may read and export the audit log.
AUDIT_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})
# Roles that see the results of the archive's integrity checks.
INTEGRITY_ROLES = frozenset({Role.RECORDS_MANAGER, Role.AUDITOR, Role.ADMIN})
# Roles that manage records: record classes, destruction lists (proposing and approving).
RECORDS_ROLES = frozenset({Role.RECORDS_MANAGER, Role.ADMIN})
# Roles that see the records pages: retention, holds, destruction lists and records.
RECORDS_READ_ROLES = frozenset({Role.RECORDS_MANAGER, Role.ADMIN, Role.AUDITOR, Role.WOO_OFFICER})
# Roles that place and release holds (legal holds, open Woo requests).
HOLD_ROLES = frozenset({Role.RECORDS_MANAGER, Role.WOO_OFFICER, Role.ADMIN})
# Roles that see every conversation of the organisation, not only their teams'.
ORGANISATION_WIDE_ROLES = frozenset(
    {Role.SUPERVISOR, Role.ADMIN, Role.WOO_OFFICER, Role.RECORDS_MANAGER, Role.AUDITOR}
)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_role_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}: {self.role}"


class ApiScope(models.TextChoices):
    CONVERSATIONS_READ = "conversations:read", _("Read conversations and messages")
    CONVERSATIONS_WRITE = "conversations:write", _("Send messages, assign, change status")
    CONTACTS_READ = "contacts:read", _("Read contacts")
    AUDIT_READ = "audit:read", _("Read and export the audit log of reads")
    RECORDS_READ = (
        "records:read",
        _("Read record classes, holds, due records and destruction lists"),
    )


class ApiKey(models.Model):
    """A key for one organisation's systems. Only a SHA-256 of the secret is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True, help_text="Shown to identify the key.")
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
