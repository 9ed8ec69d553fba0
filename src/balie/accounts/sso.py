"""An organisation's single sign-on through its own OpenID Connect provider (decision 0034).

Configuring it (:func:`do_configure_sso`, from ``balie sso set``: the provider's discovery
document is read and checked, the client secret sealed), and turning the claims of a
verified ID token into a Balie user and a membership (:func:`do_sso_sign_in`). The token
itself is checked by :class:`balie.accounts.oidc.StaffOIDCBackend` before anything here runs.

What is trusted from the provider, and what not:

- a person is the issuer + subject (``iss`` + ``sub``) of the organisation that logged them
  in, never an e-mail address or user name, and only in that organisation: another
  organisation's provider can never sign in the same user;
- the role is read from one claim (``roles_claim``, a dotted path such as ``roles`` or
  ``realm_access.roles``) through the organisation's ``role_map``: the first pair whose claim
  value the person has wins; no pair matching means no access, and a membership the provider
  gave earlier is removed;
- names and e-mail are copied for display only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.accounts.actions import do_remove_membership, do_set_membership
from balie.accounts.models import ExternalIdentity, Membership, Role, SingleSignOn, User
from balie.conf.http import session, transport_errors
from balie.errors import Invalid, NotAllowed, NotFound
from balie.tenants.models import Organisation
from balie.tenants.secrets import seal

__all__ = [
    "SsoRefused",
    "claim_values",
    "discover",
    "do_configure_sso",
    "do_disable_sso",
    "do_link_identity",
    "do_sso_sign_in",
    "password_login_allowed",
    "role_from_claims",
]

DISCOVERY_PATH = "/.well-known/openid-configuration"

# What a person sees for each refusal: one calm sentence; the code says the rest to IT.
_TOKEN_TROUBLE = _(
    "Your organisation's login could not be checked. Try again; if it happens again, "
    "tell your IT department the code below."
)
MESSAGES: Mapping[str, Any] = {
    "sso_no_role": _(
        "Your organisation's login does not give you a role in Balie. Ask your application "
        "administrator for access."
    ),
    "sso_account_inactive": _("Your Balie account has been stopped. Ask your administrator."),
    "sso_unavailable": _(
        "Your organisation's login cannot be reached now. Try again in a few minutes."
    ),
    "sso_cancelled": _("Logging in through your organisation was cancelled."),
    "sso_not_configured": _("This organisation has no login through its own system."),
}


class SsoRefused(NotAllowed):
    """A login through an organisation's provider was refused. ``code`` says why:
    ``sso_bad_signature``, ``sso_wrong_audience``, ``sso_wrong_issuer``, ``sso_expired``,
    ``sso_not_yet_valid``, ``sso_bad_nonce``, ``sso_bad_state``, ``sso_bad_token``,
    ``sso_subject_mismatch``, ``sso_no_role``, ``sso_account_inactive``,
    ``sso_unavailable``, ``sso_cancelled``, ``sso_not_configured``."""

    default_code = "sso_refused"
    default_message = _TOKEN_TROUBLE

    def __init__(self, code: str) -> None:
        super().__init__(code, MESSAGES.get(code, _TOKEN_TROUBLE))


class SsoConfigError(Invalid):
    default_code = "sso_config_invalid"
    default_message = _("This single sign-on configuration is not valid.")


class SsoUnknown(NotFound):
    default_code = "sso_not_configured"
    default_message = MESSAGES["sso_not_configured"]


def enabled_sso(organisation_slug: str) -> SingleSignOn:
    """The organisation's single sign-on, if it is switched on."""
    found = (
        SingleSignOn.objects.select_related("organisation")
        .filter(organisation__slug=organisation_slug, enabled=True)
        .first()
    )
    if found is None:
        raise SsoUnknown()
    return found


def login_choices() -> list[SingleSignOn]:
    """Every enabled single sign-on, for the login page's buttons (by organisation name)."""
    return list(
        SingleSignOn.objects.select_related("organisation")
        .filter(enabled=True)
        .order_by("organisation__name")
    )


def password_login_allowed(user: User) -> bool:
    """False when any organisation the user works for has switched passwords off (the safe
    rule for someone in several organisations)."""
    return not SingleSignOn.objects.filter(
        organisation__memberships__user=user, enabled=True, password_login=False
    ).exists()


# --- configuring ------------------------------------------------------------------------


def discover(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, checked: its ``issuer`` is exactly ``issuer``
    (OpenID Connect Discovery 1.0, section 4.3), it names the endpoints Balie uses, and it
    signs ID tokens with RS256."""
    url = issuer.rstrip("/") + DISCOVERY_PATH
    with (
        session(timeout=settings.OIDC_TIMEOUT) as http,
        transport_errors(lambda name: SsoConfigError("sso_discovery_unreachable")),
    ):
        answer = http.get(url, allow_redirects=False)
    if answer.status_code != 200:
        raise SsoConfigError("sso_discovery_refused")
    try:
        document = answer.json()
    except ValueError:
        raise SsoConfigError("sso_discovery_not_json") from None
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise SsoConfigError(
            "sso_discovery_issuer",
            _("The provider calls itself %(found)s, not %(issuer)s."),
            params={"found": str(document.get("issuer"))[:200], "issuer": issuer},
        )
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(key), str) or not document[key].startswith("http"):
            raise SsoConfigError("sso_discovery_incomplete")
    algorithms = document.get("id_token_signing_alg_values_supported") or []
    if "RS256" not in algorithms:
        raise SsoConfigError("sso_discovery_no_rs256")
    return document


def _checked_role_map(role_map: Iterable[tuple[str, str]]) -> list[list[str]]:
    pairs = [[str(value).strip(), str(role).strip()] for value, role in role_map]
    if not pairs:
        raise SsoConfigError("sso_no_role_map", _("Map at least one claim value to a role."))
    for value, role in pairs:
        if not value or role not in Role.values:
            raise SsoConfigError(
                "sso_bad_role_map",
                _("%(pair)s is not 'claim value=role' with a role from: %(roles)s."),
                params={"pair": f"{value}={role}", "roles": ", ".join(Role.values)},
            )
    return pairs


@transaction.atomic
def do_configure_sso(
    organisation: Organisation,
    *,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    display_name: str,
    roles_claim: str,
    role_map: Iterable[tuple[str, str]],
    password_login: bool = True,
    trust_idp_mfa: bool = False,
    mfa_acr_values: Iterable[str] = (),
    claims_from_userinfo: bool = False,
    scopes: Iterable[str] = ("openid", "profile", "email"),
    discovery: Mapping[str, Any] | None = None,
) -> SingleSignOn:
    """Set (or change) the organisation's provider. ``client_secret`` None keeps the stored
    one; it is sealed at rest (tenants.secrets) and never shown back. The provider's
    discovery document is fetched and checked unless given."""
    pairs = _checked_role_map(role_map)
    if not roles_claim.strip() or not client_id.strip() or not display_name.strip():
        raise SsoConfigError()
    document = dict(discovery) if discovery is not None else discover(issuer)
    if claims_from_userinfo and not document.get("userinfo_endpoint"):
        raise SsoConfigError("sso_discovery_no_userinfo")
    current = SingleSignOn.objects.filter(organisation=organisation).first()
    sealed = sealed_client_secret(client_secret, current, code="sso_no_client_secret")
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    sso, _created = SingleSignOn.objects.update_or_create(
        organisation=organisation,
        defaults={
            "display_name": display_name.strip(),
            "issuer": issuer,
            "authorization_endpoint": document["authorization_endpoint"],
            "token_endpoint": document["token_endpoint"],
            "userinfo_endpoint": document.get("userinfo_endpoint") or "",
            "jwks_uri": document["jwks_uri"],
            "end_session_endpoint": document.get("end_session_endpoint") or "",
            "client_id": client_id.strip(),
            "client_secret": sealed,
            "token_auth_basic": "client_secret_basic" in methods,
            "scopes": sorted(set(scopes) | {"openid"}),
            "claims_from_userinfo": claims_from_userinfo,
            "roles_claim": roles_claim.strip(),
            "role_map": pairs,
            "password_login": password_login,
            "trust_idp_mfa": trust_idp_mfa,
            "mfa_acr_values": sorted(set(mfa_acr_values)),
            "enabled": True,
        },
    )
    return sso


def do_disable_sso(organisation: Organisation) -> None:
    """Switch the organisation's provider off. Passwords work again for its members (an
    organisation without a working login would lock everyone out)."""
    sso = SingleSignOn.objects.filter(organisation=organisation).first()
    if sso is None:
        raise SsoUnknown()
    SingleSignOn.objects.filter(pk=sso.pk).update(enabled=False, password_login=True)


def do_link_identity(organisation: Organisation, user: User, subject: str) -> ExternalIdentity:
    """Let an existing account (with its history) log in through the organisation's
    provider as ``subject``, instead of a new account being made at the first login."""
    sso = SingleSignOn.objects.filter(organisation=organisation).first()
    if sso is None:
        raise SsoUnknown()
    if not subject.strip():
        raise SsoConfigError("sso_no_subject")
    identity, _created = ExternalIdentity.objects.update_or_create(
        organisation=organisation, user=user, defaults={"issuer": sso.issuer, "subject": subject}
    )
    return identity


# --- signing in ------------------------------------------------------------------------


def claim_values(claims: Mapping[str, Any], path: str) -> set[str]:
    """The strings at the dotted ``path`` of ``claims``: a string, or a list of them."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return set()
        value = value[part]
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def role_from_claims(sso: SingleSignOn, claims: Mapping[str, Any]) -> str | None:
    """The role of the first ``role_map`` pair whose value the claim holds, or None."""
    values = claim_values(claims, sso.roles_claim)
    for value, role in sso.role_map:
        if value in values:
            return role
    return None


def idp_mfa(sso: SingleSignOn, id_claims: Mapping[str, Any]) -> bool:
    """Whether the ID token shows that the provider did MFA, and the organisation trusts
    that as Balie's second factor: ``amr`` holds ``mfa`` (RFC 8176), or ``acr`` is one of
    the values the organisation named (``mfa_acr_values``)."""
    if not sso.trust_idp_mfa:
        return False
    amr = id_claims.get("amr")
    if isinstance(amr, list) and "mfa" in amr:
        return True
    return bool(sso.mfa_acr_values) and id_claims.get("acr") in sso.mfa_acr_values


USERNAME_SAFE = re.compile(r"[^\w.@+-]")


def _free_username(sso: SingleSignOn, claims: Mapping[str, Any], subject: str) -> str:
    base = str(claims.get("preferred_username") or claims.get("email") or subject)
    base = USERNAME_SAFE.sub("", base)[:100] or "sso"
    digest = hashlib.sha256(f"{sso.issuer} {subject}".encode()).hexdigest()[:8]
    for candidate in (base, f"{base}-{sso.organisation.slug}", f"{base}-{digest}"):
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate
    return f"sso-{digest}-{hashlib.sha256(subject.encode()).hexdigest()[:8]}"


def _copy_names(user: User, claims: Mapping[str, Any]) -> list[str]:
    changed = []
    for field, claim, limit in (
        ("first_name", "given_name", 150),
        ("last_name", "family_name", 150),
        ("email", "email", 254),
    ):
        value = claims.get(claim)
        if isinstance(value, str) and value[:limit] != getattr(user, field):
            setattr(user, field, value[:limit])
            changed.append(field)
    return changed


def do_sso_sign_in(
    sso: SingleSignOn, claims: Mapping[str, Any], *, subject: str
) -> tuple[User, str]:
    """The user ``subject`` of the organisation's provider is, with the role the claims
    give: made at the first login, their names and membership brought up to date at each.
    Claims without a mapped role refuse the login (:class:`SsoRefused` ``sso_no_role``) and
    remove the membership an earlier login through this provider gave."""
    organisation = sso.organisation
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(organisation=organisation, issuer=sso.issuer, subject=subject)
        .first()
    )
    role = role_from_claims(sso, claims)
    if role is None:
        if identity is not None:
            do_remove_membership(identity.user, organisation)
        raise SsoRefused("sso_no_role")
    with transaction.atomic():
        if identity is None:
            user = User(username=_free_username(sso, claims, subject))
            _copy_names(user, claims)
            user.set_unusable_password()
            user.save()
            identity = ExternalIdentity.objects.create(
                organisation=organisation, user=user, issuer=sso.issuer, subject=subject
            )
        else:
            user = identity.user
            if changed := _copy_names(user, claims):
                user.save(update_fields=changed)
        if not user.is_active:
            raise SsoRefused("sso_account_inactive")
        current = Membership.objects.filter(user=user, organisation=organisation).first()
        if current is None or current.role != role:
            do_set_membership(user, organisation, role)
        ExternalIdentity.objects.filter(pk=identity.pk).update(last_login_at=timezone.now())
    return user, role


def sealed_client_secret(given: str | None, current, *, code: str) -> str:
    """The client secret to store: ``given`` sealed, else the one ``current`` (a stored
    configuration, or None) keeps; without either a :class:`SsoConfigError` ``code``. Shared
    by staff single sign-on and residents' DigiD login."""
    if given:
        return seal(given)
    if current is not None and current.client_secret:
        return current.client_secret
    raise SsoConfigError(code, _("Give the client secret."))
