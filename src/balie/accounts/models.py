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
# Roles that lead the work of teams: routing and collision rules, canned answers, the dashboard.
LEAD_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
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
# Roles that must confirm a second factor (TOTP) before they see any console page or open a
# staff socket (accounts.twofactor; optional for the other roles).
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.RECORDS_MANAGER, Role.AUDITOR, Role.WOO_OFFICER})


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


class SingleSignOn(models.Model):
    """An organisation's login through its own OpenID Connect provider (accounts.sso).

    The provider's endpoints come from its discovery document when IT sets it up
    (``balie sso set``); the client secret is sealed at rest (tenants.secrets) and never
    shown back. The rest is what Balie decides with it: which issuer it trusts, how claims
    become a role, whether passwords still work, and whether the provider's own MFA counts
    as the second factor."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="single_sign_on"
    )
    display_name = models.CharField(
        max_length=100, help_text="Shown on the login button: 'Log in with <name>'."
    )
    issuer = models.URLField(max_length=1000, help_text="The exact 'iss' of the ID tokens.")
    authorization_endpoint = models.URLField(max_length=1000)
    token_endpoint = models.URLField(max_length=1000)
    userinfo_endpoint = models.URLField(max_length=1000, blank=True)
    jwks_uri = models.URLField(max_length=1000)
    end_session_endpoint = models.URLField(max_length=1000, blank=True)
    client_id = models.CharField(max_length=255)
    client_secret = models.TextField(help_text="Sealed (tenants.secrets); never shown.")
    token_auth_basic = models.BooleanField(
        default=True, help_text="client_secret_basic; otherwise client_secret_post."
    )
    scopes = models.JSONField(default=list)
    claims_from_userinfo = models.BooleanField(
        default=False, help_text="Read the roles claim from userinfo instead of the ID token."
    )
    roles_claim = models.CharField(
        max_length=200, help_text="Dotted path of the claim holding roles or groups."
    )
    role_map = models.JSONField(
        default=list,
        help_text="[[claim value, role], ...]: the first pair whose value the claim holds wins.",
    )
    password_login = models.BooleanField(
        default=True, help_text="Members may still log in with a Balie password."
    )
    trust_idp_mfa = models.BooleanField(
        default=False,
        help_text="An ID token whose 'amr' or 'acr' shows MFA counts as the second factor.",
    )
    mfa_acr_values = models.JSONField(
        default=list, blank=True, help_text="'acr' values that mean MFA at this provider."
    )
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.organisation}: {self.display_name}"


class ExternalIdentity(models.Model):
    """A person as an organisation's identity provider knows them: issuer + subject.

    Never the e-mail address: that can change hands. Scoped to the organisation whose login
    made it, so one organisation's provider can never sign in a person of another."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="external_identities"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.URLField(max_length=1000)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "issuer", "subject"], name="one_user_per_identity"
            ),
            models.UniqueConstraint(
                fields=["organisation", "user"], name="one_identity_per_user_and_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject} → {self.user}"


class ResidentSignOn(models.Model):
    """An organisation's login for residents with DigiD, through its OpenID Connect broker
    (accounts.residents; docs/guides/resident-digid.md).

    Optional for the resident: it only lets them see their earlier conversations on any
    device. The broker's endpoints come from its discovery document; the client secret is
    sealed at rest (tenants.secrets) and never shown back. The BSN the broker gives is never
    shown to agents unless ``show_bsn_to_agents``, and then each showing is audit-logged."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="resident_sign_on"
    )
    enabled = models.BooleanField(default=True)
    issuer = models.URLField(max_length=1000, help_text="The broker's exact 'iss'.")
    authorization_endpoint = models.URLField(max_length=1000)
    token_endpoint = models.URLField(max_length=1000)
    jwks_uri = models.URLField(max_length=1000)
    client_id = models.CharField(max_length=255)
    client_secret = models.TextField(help_text="Sealed (tenants.secrets); never shown.")
    token_auth_basic = models.BooleanField(
        default=True, help_text="client_secret_basic; otherwise client_secret_post."
    )
    scopes = models.JSONField(default=list)
    acr_values = models.JSONField(
        default=list,
        blank=True,
        help_text="'acr' values accepted (asked for in this order); empty: any.",
    )
    bsn_claim = models.CharField(
        max_length=200, default="bsn", help_text="Dotted path of the claim holding the BSN."
    )
    bsn_prefix = models.CharField(
        max_length=50,
        blank=True,
        help_text="A prefix the claim's value must start with, removed (e.g. 's00000000:').",
    )
    show_bsn_to_agents = models.BooleanField(
        default=False, help_text="Agents may show the BSN in the contact panel (audit-logged)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.organisation}: DigiD through {self.issuer}"
