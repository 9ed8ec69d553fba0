"""Two-factor login: an authenticator app (TOTP, django-otp) and single-use recovery codes.

Administrators, records managers, auditors and Woo coordinators (``TWO_FACTOR_ROLES``) must
confirm a second factor before anything else (``balie.web.second_factor`` for pages and the
API with a session, the staff sockets at connect and at each session check); agents and team
leads may enrol from their profile. A session counts as confirmed when it holds
:data:`SESSION_KEY`: set after a right code, or after a login through an organisation's
provider whose MFA the organisation trusts (``accounts.sso.idp_mfa``).

Wrong codes slow down: django-otp's throttle makes each next try wait 1, 2, 4, 8 … seconds
per device. Recovery codes are stored as a SHA-256 digest (the first 16 hex digits of 60-bit
random codes), each works once. The TOTP secret itself is kept as django-otp keeps it.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from balie.accounts.actions import announce_access_change
from balie.accounts.models import TWO_FACTOR_ROLES, Membership, User
from balie.errors import Conflict, Invalid, TooMany

__all__ = [
    "SESSION_KEY",
    "TooManyCodes",
    "WrongCode",
    "do_confirm_enrolment",
    "do_new_recovery_codes",
    "do_reset_two_factor",
    "do_start_enrolment",
    "do_verify",
    "is_enrolled",
    "requires_second_factor",
    "session_satisfied",
]

SESSION_KEY = "balie_second_factor"  # how this session confirmed it: totp, recovery, idp
DEVICE_NAME = "authenticator"
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


class WrongCode(Invalid):
    default_code = "two_factor_wrong_code"
    default_message = _("This code is not right. Check the time on your phone and try again.")


class TooManyCodes(TooMany):
    default_code = "two_factor_throttled"
    default_message = _("Too many wrong codes. Wait %(seconds)s seconds and try again.")


class AlreadyEnrolled(Conflict):
    default_code = "two_factor_enrolled"
    default_message = _("Two-step login is already set up for this account.")


def requires_second_factor(user: User) -> bool:
    """Whether ``user`` has a role for which two-step login is mandatory."""
    return Membership.objects.filter(user=user, role__in=TWO_FACTOR_ROLES).exists()


def session_satisfied(session: Mapping[str, Any] | None, user: User) -> bool:
    """Whether a session of ``user`` may be used: it confirmed a second factor, or the user
    needs none — no role that requires it and no authenticator set up by choice — or
    ``TWO_FACTOR_ENFORCED`` is off."""
    if not settings.TWO_FACTOR_ENFORCED:
        return True
    if session is not None and session.get(SESSION_KEY):
        return True
    return not requires_second_factor(user) and not is_enrolled(user)


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def do_start_enrolment(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for ``user`` (the one of an earlier unfinished
    enrolment is kept, so a page reload shows the same QR code)."""
    if is_enrolled(user):
        raise AlreadyEnrolled()
    pending = totp_device(user, confirmed=False)
    if pending is not None:
        return pending
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _digest(code: str) -> str:
    folded = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(folded.encode()).hexdigest()[:16]


def _attempt(device: TOTPDevice | StaticDevice, token: str) -> Invalid | TooMany | None:
    """Try ``token`` on ``device``; the refusal to raise, if any. It is returned rather than
    raised so that the throttle's count of the failure is committed with the transaction."""
    allowed, data = device.verify_is_allowed()
    if not allowed:
        until = (data or {}).get("locked_until")
        seconds = math.ceil((until - timezone.now()).total_seconds()) if until else 1
        return TooManyCodes(params={"seconds": max(seconds, 1)})
    if not device.verify_token(token):
        return WrongCode(field="code")
    return None


def do_confirm_enrolment(user: User, code: str) -> list[str]:
    """Confirm the pending authenticator with a code from it; returns the new recovery
    codes, to be shown once."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            refusal: Exception | None = AlreadyEnrolled() if is_enrolled(user) else WrongCode()
        else:
            refusal = _attempt(device, code.strip())
        if refusal is None:
            assert device is not None
            TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            codes = do_new_recovery_codes(user)
            announce_access_change(user)
    if refusal is not None:
        raise refusal
    return codes


@transaction.atomic
def do_new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ``TWO_FACTOR_RECOVERY_CODES`` new ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = []
    for _n in range(settings.TWO_FACTOR_RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    StaticToken.objects.bulk_create(StaticToken(device=device, token=_digest(c)) for c in codes)
    return codes


def do_verify(user: User, code: str) -> str:
    """Check a code from the authenticator (six digits) or a recovery code (used up);
    return which it was (``totp`` or ``recovery``)."""
    code = code.strip()
    method = "totp" if code.isdigit() else "recovery"
    with transaction.atomic():
        device: TOTPDevice | StaticDevice | None
        if method == "totp":
            device = (
                TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
        else:
            device = (
                StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
        refusal = (
            WrongCode(field="code")
            if device is None
            else _attempt(device, code if method == "totp" else _digest(code))
        )
    if refusal is not None:
        raise refusal
    return method


@transaction.atomic
def do_reset_two_factor(user: User) -> None:
    """Remove the user's authenticator and recovery codes (a lost phone): they set up a new
    one at their next login. Their open sessions and sockets check their access again."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    announce_access_change(user)


@transaction.atomic
def do_enrol_known_key(user: User, key_hex: str) -> TOTPDevice:
    """Set up an authenticator with a key chosen in advance. Only for the demo (its key is
    published); people always get a random key through :func:`do_start_enrolment`."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key_hex, confirmed=True)
    announce_access_change(user)
    return device


def current_code(key_hex: str) -> str:
    """The code an authenticator with ``key_hex`` shows now (the demo prints it)."""
    totp = TOTP(bytes.fromhex(key_hex), 30, 0, 6, 0)
    totp.time = time.time()
    return f"{totp.token():06d}"


def mark_session(session: Any, method: str) -> None:
    """Record in ``session`` that it confirmed a second factor with ``method``."""
    session[SESSION_KEY] = method
