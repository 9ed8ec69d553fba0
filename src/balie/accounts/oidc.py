"""mozilla-django-oidc, configured per organisation: the settings it asks for are read from
the organisation's :class:`~balie.accounts.models.SingleSignOn` (:func:`setting`), and the
backend checks an ID token strictly before :mod:`balie.accounts.sso` sees its claims.

What :meth:`StaffOIDCBackend.verify_token` checks (mozilla-django-oidc checks the signature
and the nonce only): RS256 with a key from the provider's JWKS; ``iss`` is exactly the
organisation's issuer; ``aud`` holds the client id (and ``azp`` is it when there are more
audiences); ``exp``, ``iat`` (and ``nbf``) within ``OIDC_CLOCK_SKEW_SECONDS``; ``sub``
present; ``nonce`` the one this login sent. The state is checked by the library's callback
view, and the authorisation code is bound to this browser's login with PKCE (S256).

Why not mozilla-django-oidc-db's models (decision 0034): its ``OIDCClient`` stores scopes in
a PostgreSQL ``ArrayField`` (no SQLite, Balie's embedded default), and its backend imports
``josepy``, which it does not declare. The design is the same: configuration in the
database, one client per organisation, one callback for all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from balie.accounts import sso
from balie.accounts.models import SingleSignOn
from balie.accounts.sso import SsoRefused
from balie.tenants.secrets import unseal

__all__ = ["STATE_KEY", "StaffOIDCBackend", "check_id_token", "setting"]

log = logging.getLogger(__name__)

STATE_KEY = "balie_sso"  # in a login's entry of the session's "oidc_states": which SSO


def setting(organisation_sso: SingleSignOn, attr: str, *args: Any) -> Any:
    """The value of mozilla-django-oidc's setting ``attr`` for this organisation's login;
    what the organisation does not set comes from Django's settings."""
    own: dict[str, Any] = {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": organisation_sso.authorization_endpoint,
        "OIDC_OP_TOKEN_ENDPOINT": organisation_sso.token_endpoint,
        "OIDC_OP_USER_ENDPOINT": organisation_sso.userinfo_endpoint,
        "OIDC_OP_JWKS_ENDPOINT": organisation_sso.jwks_uri,
        "OIDC_RP_CLIENT_ID": organisation_sso.client_id,
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_RP_SCOPES": " ".join(organisation_sso.scopes),
        "OIDC_TOKEN_USE_BASIC_AUTH": organisation_sso.token_auth_basic,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_CREATE_USER": True,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": {},
    }
    if attr == "OIDC_RP_CLIENT_SECRET":
        return unseal(organisation_sso.client_secret)
    if attr in own:
        return own[attr]
    return import_from_settings(attr, *args)


TOKEN_ERRORS: list[tuple[type[Exception], str]] = [
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.InvalidIssuerError, "wrong_issuer"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidIssuedAtError, "not_yet_valid"),
    (jwt.PyJWTError, "bad_token"),
]


def staff_refusal(reason: str) -> SsoRefused:
    return SsoRefused(f"sso_{reason}")


def check_id_token(
    token: str,
    key: Any,
    *,
    issuer: str,
    client_id: str,
    nonce: str | None,
    refuse: Callable[[str], Exception],
) -> dict[str, Any]:
    """The claims of an ID token signed with ``key`` (RS256), after the checks every login
    through a provider shares, staff's and residents' (accounts.residents): ``iss`` is
    exactly ``issuer``; ``aud`` holds ``client_id`` (and ``azp`` is it when there are more
    audiences); ``exp``, ``iat`` (and ``nbf``) within ``OIDC_CLOCK_SKEW_SECONDS``; ``sub``
    present; ``nonce`` the one this login sent. A failed check raises ``refuse(reason)``,
    the reason one of ``bad_signature``, ``expired``, ``wrong_audience``,
    ``wrong_issuer``, ``not_yet_valid``, ``bad_nonce``, ``bad_token``."""
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=client_id,
            issuer=issuer,
            leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise refuse(next(code for kind, code in TOKEN_ERRORS if isinstance(error, kind))) from None
    audiences = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
    if len(audiences) > 1 and payload.get("azp") != client_id:
        raise refuse("wrong_audience")
    if not nonce or payload.get("nonce") != nonce:
        raise refuse("bad_nonce")
    if not isinstance(payload["sub"], str) or not payload["sub"]:
        raise refuse("bad_token")
    return payload


class StaffOIDCBackend(OIDCAuthenticationBackend):
    """Logs a member of staff in through their organisation's provider (the console's
    ``/console/login/sso/<organisation>/``). Refusals raise :class:`SsoRefused` with a code,
    which the callback view shows and records. The organisation's login comes from the
    session's state entry, put on the request by the callback view (``request.balie_sso``)."""

    sso: SingleSignOn | None = None

    def __init__(self, *args, **kwargs) -> None:
        # Nothing is read here: Django makes backends for every permission check.
        self.UserModel = get_user_model()

    def get_settings(self, attr, *args):
        assert self.sso is not None
        return setting(self.sso, attr, *args)

    def get_user(self, user_id):
        # mozilla-django-oidc's get_user returns inactive users too; Django's refuses them.
        return ModelBackend.get_user(self, user_id)

    def authenticate(self, request, nonce=None, code_verifier=None):
        organisation_sso = getattr(request, "balie_sso", None) if request is not None else None
        if not isinstance(organisation_sso, SingleSignOn):
            return None
        self.sso = organisation_sso
        self.OIDC_OP_TOKEN_ENDPOINT = organisation_sso.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = organisation_sso.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = organisation_sso.jwks_uri
        self.OIDC_RP_CLIENT_ID = organisation_sso.client_id
        self.OIDC_RP_CLIENT_SECRET = self.get_settings("OIDC_RP_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        try:
            return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
        except requests.RequestException:
            raise SsoRefused("sso_unavailable") from None

    def verify_token(self, token, **kwargs):
        organisation_sso = self.sso
        assert organisation_sso is not None
        try:
            if jwt.get_unverified_header(token).get("alg") != "RS256":
                raise SsoRefused("sso_bad_signature")
            key = self.retrieve_matching_jwk(token)
        except (jwt.PyJWTError, KeyError, TypeError, SuspiciousOperation):
            raise SsoRefused("sso_bad_signature") from None
        return check_id_token(
            token,
            key,
            issuer=organisation_sso.issuer,
            client_id=self.OIDC_RP_CLIENT_ID,
            nonce=kwargs.get("nonce"),
            refuse=staff_refusal,
        )

    def get_userinfo(self, access_token, id_token, payload):
        assert self.sso is not None
        if not self.sso.claims_from_userinfo:
            return payload
        answer = requests.get(
            self.sso.userinfo_endpoint,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=self.get_settings("OIDC_TIMEOUT", None),
        )
        answer.raise_for_status()
        try:
            claims = answer.json()
        except ValueError:
            raise SsoRefused("sso_bad_token") from None
        # OpenID Connect Core 5.3.2: the userinfo's sub must be the ID token's.
        if not isinstance(claims, dict) or claims.get("sub") != payload["sub"]:
            raise SsoRefused("sso_subject_mismatch")
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        organisation_sso = self.sso
        assert organisation_sso is not None
        claims = self.get_userinfo(access_token, id_token, payload)
        user, role = sso.do_sso_sign_in(organisation_sso, claims, subject=payload["sub"])
        # read by the callback view: whether the provider did MFA that the organisation
        # accepts as the second factor
        user.sso_mfa = sso.idp_mfa(organisation_sso, payload)  # type: ignore[attr-defined]
        log.info(
            "sso login",
            extra={"user_id": user.pk, "organisation_id": organisation_sso.organisation_id},
        )
        return user
