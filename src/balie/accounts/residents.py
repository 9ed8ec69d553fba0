"""Residents' optional login with DigiD, through the organisation's OpenID Connect broker
(docs/guides/resident-digid.md).

Configuring it (:func:`do_configure_resident_sign_on`, from ``balie resident-login set``: the
broker's discovery document is read and checked as for staff SSO, the client secret sealed);
starting a login (:func:`begin`: the authorisation request with a fresh ``state``, ``nonce``
and PKCE S256 challenge, and the ``acr_values`` the organisation asks for); and finishing it
(:func:`finish`): the state is the one this browser started, used once and at most
:data:`STATE_MAX_AGE` old; the code is exchanged at the token endpoint; the ID token passes
the same checks as staff's (:func:`balie.accounts.oidc.check_id_token`: signature with a key
from the broker's JWKS, issuer, audience, expiry, nonce); its ``acr`` is one the organisation
accepts; and the BSN claim holds a BSN that passes the 11-test. What comes back is an
:class:`Identification`; linking it to a contact is conversations' work
(conversations.actions.identity), which the surface calls next.

Nothing here logs or raises with the BSN in it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from balie.accounts.bsn import bsn_problem
from balie.accounts.models import ResidentSignOn
from balie.accounts.oidc import check_id_token
from balie.accounts.sso import SsoConfigError, claim_values, discover, sealed_client_secret
from balie.conf.http import session, transport_errors
from balie.errors import NotAllowed, NotFound
from balie.tenants.models import Organisation
from balie.tenants.secrets import SecretUnreadable, unseal

__all__ = [
    "STATE_MAX_AGE",
    "Identification",
    "ResidentLoginRefused",
    "ResidentSignOnUnknown",
    "begin",
    "do_configure_resident_sign_on",
    "do_disable_resident_sign_on",
    "enabled_sign_on",
    "finish",
]

STATE_MAX_AGE = 10 * 60  # seconds between starting a login and coming back

_TRY_AGAIN = _(
    "Logging in with DigiD did not work. Try again. If it keeps happening, please contact "
    "the municipality and mention the code below."
)
_BAD_BSN = _(
    "The citizen service number (BSN) DigiD gave us is not valid. Please contact the "
    "municipality and mention the code below."
)
MESSAGES: Mapping[str, Any] = {
    "resident_login_cancelled": _("You stopped logging in with DigiD. You can still chat."),
    "resident_login_expired_state": _(
        "Logging in took too long or was already finished. Please log in again."
    ),
    "resident_login_bad_state": _(
        "Logging in took too long or was already finished. Please log in again."
    ),
    "resident_login_acr_too_low": _(
        "You logged in with DigiD at a level that is too low for this. Log in again with the "
        "DigiD app with ID check, or with your identity card."
    ),
    "resident_login_no_bsn": _(
        "DigiD did not give us your citizen service number (BSN). Please try again later."
    ),
    "resident_login_bsn_elfproef": _BAD_BSN,
    "resident_login_bsn_not_nine_digits": _BAD_BSN,
    "resident_login_unavailable": _(
        "Logging in with DigiD is not possible right now. Try again in a few minutes. You "
        "can still chat without logging in."
    ),
    "resident_login_not_configured": _("This municipality has no DigiD login here."),
    "resident_login_required": _("Log in with DigiD first."),
}


class ResidentLoginRefused(NotAllowed):
    """A resident's login was refused. ``code`` says why, for IT: ``resident_login_`` and
    one of ``cancelled``, ``bad_state``, ``expired_state``, ``bad_signature``,
    ``wrong_audience``, ``wrong_issuer``, ``expired``, ``not_yet_valid``, ``bad_nonce``,
    ``bad_token``, ``acr_too_low``, ``no_bsn``, ``bsn_not_nine_digits``, ``bsn_elfproef``
    (the number fails the 11-test), ``unavailable``."""

    default_code = "resident_login_refused"
    default_message = _TRY_AGAIN

    def __init__(self, code: str) -> None:
        super().__init__(code, MESSAGES.get(code, _TRY_AGAIN))


class ResidentSignOnUnknown(NotFound):
    default_code = "resident_login_not_configured"
    default_message = MESSAGES["resident_login_not_configured"]


def _refusal(reason: str) -> ResidentLoginRefused:
    return ResidentLoginRefused(f"resident_login_{reason}")


# --- configuring ------------------------------------------------------------------------


def do_configure_resident_sign_on(
    organisation: Organisation,
    *,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    scopes: Iterable[str] = ("openid",),
    acr_values: Iterable[str] = (),
    bsn_claim: str = "bsn",
    bsn_prefix: str = "",
    show_bsn_to_agents: bool = False,
    discovery: Mapping[str, Any] | None = None,
) -> ResidentSignOn:
    """Set (or change) the organisation's DigiD broker. ``client_secret`` None keeps the
    stored one; it is sealed at rest and never shown back. The broker's discovery document
    is fetched and checked unless given."""
    if not client_id.strip():
        raise SsoConfigError("resident_login_no_client_id", _("Give the client id."))
    claim = bsn_claim.strip()
    if not claim or any(not part for part in claim.split(".")):
        raise SsoConfigError(
            "resident_login_bad_bsn_claim",
            _("The BSN claim must be a claim name or a dotted path such as 'bsn'."),
        )
    accepted = [value.strip() for value in acr_values if value.strip()]
    document = dict(discovery) if discovery is not None else discover(issuer)
    current = ResidentSignOn.objects.filter(organisation=organisation).first()
    sealed = sealed_client_secret(client_secret, current, code="resident_login_no_client_secret")
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    sign_on, _created = ResidentSignOn.objects.update_or_create(
        organisation=organisation,
        defaults={
            "enabled": True,
            "issuer": issuer,
            "authorization_endpoint": document["authorization_endpoint"],
            "token_endpoint": document["token_endpoint"],
            "jwks_uri": document["jwks_uri"],
            "client_id": client_id.strip(),
            "client_secret": sealed,
            "token_auth_basic": "client_secret_basic" in methods,
            "scopes": sorted(set(scopes) | {"openid"}),
            "acr_values": list(dict.fromkeys(accepted)),
            "bsn_claim": claim,
            "bsn_prefix": bsn_prefix.strip(),
            "show_bsn_to_agents": show_bsn_to_agents,
        },
    )
    return sign_on


def do_disable_resident_sign_on(organisation: Organisation) -> None:
    """Switch the DigiD login off. Identified contacts and their history stay."""
    if not ResidentSignOn.objects.filter(organisation=organisation).update(enabled=False):
        raise ResidentSignOnUnknown()


def enabled_sign_on(organisation: Organisation) -> ResidentSignOn:
    """The organisation's DigiD login, if it is switched on."""
    found = ResidentSignOn.objects.for_organisation(organisation).filter(enabled=True).first()
    if found is None:
        raise ResidentSignOnUnknown()
    return found


# --- logging in --------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def begin(sign_on: ResidentSignOn, redirect_uri: str) -> tuple[str, dict[str, Any]]:
    """The broker's authorisation URL, and what the browser's session keeps until it comes
    back (``state``, ``nonce``, the PKCE ``verifier`` and when it started): nothing in it is
    personal."""
    verifier = secrets.token_urlsafe(64)
    pending: dict[str, Any] = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "verifier": verifier,
        "started": int(time.time()),
    }
    query = {
        "response_type": "code",
        "client_id": sign_on.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(sign_on.scopes),
        "state": pending["state"],
        "nonce": pending["nonce"],
        "code_challenge": _b64url(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    if sign_on.acr_values:
        query["acr_values"] = " ".join(sign_on.acr_values)
    separator = "&" if "?" in sign_on.authorization_endpoint else "?"
    return f"{sign_on.authorization_endpoint}{separator}{urlencode(query)}", pending


@dataclass(frozen=True)
class Identification:
    """Who logged in: the BSN (never logged or shown), the ``acr`` the broker vouched for."""

    organisation_id: int
    bsn: str
    acr: str

    def __repr__(self) -> str:  # the BSN stays out of tracebacks and logs
        return f"Identification(organisation_id={self.organisation_id}, acr={self.acr!r})"


def finish(
    sign_on: ResidentSignOn,
    pending: Mapping[str, Any] | None,
    params: Mapping[str, str],
    redirect_uri: str,
) -> Identification:
    """Check the broker's answer (the callback's query ``params``) against the login this
    browser started (``pending``, which the caller has already removed from the session,
    so that a state is used once) and return who logged in."""
    _check_state(pending, params)
    assert pending is not None
    if params.get("error"):
        raise _refusal("cancelled")
    code = params.get("code", "")
    if not code or len(code) > 2000:
        raise _refusal("bad_token")
    id_token = _exchange(sign_on, code, pending["verifier"], redirect_uri)
    key = _signing_key(sign_on, id_token)
    claims = check_id_token(
        id_token,
        key,
        issuer=sign_on.issuer,
        client_id=sign_on.client_id,
        nonce=pending["nonce"],
        refuse=_refusal,
    )
    acr = claims.get("acr") if isinstance(claims.get("acr"), str) else ""
    if sign_on.acr_values and acr not in sign_on.acr_values:
        raise _refusal("acr_too_low")
    return Identification(sign_on.organisation_id, _bsn_from(sign_on, claims), acr or "")


def _check_state(pending: Mapping[str, Any] | None, params: Mapping[str, str]) -> None:
    state = params.get("state", "")
    if not isinstance(pending, Mapping) or not state:
        raise _refusal("bad_state")
    if not constant_time_compare(str(pending.get("state", "")), state):
        raise _refusal("bad_state")
    started = pending.get("started")
    if not isinstance(started, int) or time.time() - started > STATE_MAX_AGE:
        raise _refusal("expired_state")


def _exchange(sign_on: ResidentSignOn, code: str, verifier: str, redirect_uri: str) -> str:
    """The ID token for ``code`` from the token endpoint (RFC 6749 4.1.3, RFC 7636 4.5)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    try:
        secret = unseal(sign_on.client_secret)
    except SecretUnreadable:  # the secret key changed: IT sets the secret again
        raise _refusal("unavailable") from None
    auth = None
    if sign_on.token_auth_basic:
        auth = (sign_on.client_id, secret)
    else:
        form.update(client_id=sign_on.client_id, client_secret=secret)
    with (
        session(timeout=settings.OIDC_TIMEOUT) as http,
        transport_errors(lambda name: _refusal("unavailable")),
    ):
        answer = http.post(sign_on.token_endpoint, data=form, auth=auth, allow_redirects=False)
    if answer.status_code >= 500:
        raise _refusal("unavailable")
    try:
        body = answer.json()
    except ValueError:
        raise _refusal("bad_token") from None
    if answer.status_code != 200 or not isinstance(body, dict):
        raise _refusal("bad_token")
    token = body.get("id_token")
    if not isinstance(token, str) or not token:
        raise _refusal("bad_token")
    return token


def _signing_key(sign_on: ResidentSignOn, token: str) -> Any:
    """The broker's public key that signed ``token``: RS256, by its ``kid`` in the JWKS."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise _refusal("bad_token") from None
    if header.get("alg") != "RS256":
        raise _refusal("bad_signature")
    with (
        session(timeout=settings.OIDC_TIMEOUT) as http,
        transport_errors(lambda name: _refusal("unavailable")),
    ):
        answer = http.get(sign_on.jwks_uri, allow_redirects=False)
    try:
        keys = jwt.PyJWKSet.from_dict(answer.json()).keys if answer.status_code == 200 else []
    except (ValueError, jwt.PyJWTError):
        raise _refusal("unavailable") from None
    kid = header.get("kid")
    for key in keys:
        matches = key.key_type == "RSA" and (kid is None or key.key_id == kid)
        if matches and key.public_key_use in (None, "sig"):
            return key.key
    raise _refusal("bad_signature")


def _bsn_from(sign_on: ResidentSignOn, claims: Mapping[str, Any]) -> str:
    values = claim_values(claims, sign_on.bsn_claim)
    if len(values) != 1:
        raise _refusal("no_bsn")
    value = next(iter(values)).strip()
    prefix = sign_on.bsn_prefix
    if prefix:
        if not value.lower().startswith(prefix.lower()):
            raise _refusal("no_bsn")  # another sector's number (a SoFi number, …)
        value = value[len(prefix) :]
    if len(value) == 8 and value.isdigit():
        value = "0" + value
    problem = bsn_problem(value)
    if problem is not None:
        raise _refusal(problem)  # resident_login_bsn_elfproef, …_bsn_not_nine_digits
    return value
