"""``balie sso set|show|disable|link``: an organisation's login through its own OpenID Connect
provider (docs/guides/sso-and-2fa.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from balie.accounts.models import SingleSignOn, User
from balie.accounts.sso import do_configure_sso, do_disable_sso, do_link_identity
from balie.tenants.commands import OrganisationCommand


def _pair(text: str) -> tuple[str, str]:
    value, sep, role = text.rpartition("=")
    if not sep:
        raise CommandError(f"--map takes 'claim value=role', not {text!r}")
    return value, role


class Command(OrganisationCommand):
    help = "Configure an organisation's single sign-on (OpenID Connect)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="set|show|disable|link")
        put = sub.add_parser("set", help="Set or change the organisation's provider.")
        put.add_argument("organisation", help="Organisation slug.")
        put.add_argument("--issuer", required=True, help="The provider's exact issuer URL.")
        put.add_argument("--client-id", required=True)
        put.add_argument(
            "--client-secret-file",
            help="File holding the client secret (kept sealed; never on the command line). "
            "Leave out to keep the stored one.",
        )
        put.add_argument("--name", default="", help="Shown on the button: 'Log in with …'.")
        put.add_argument(
            "--roles-claim", required=True, help="Claim with roles or groups: roles, groups, "
            "realm_access.roles, resource_access.<client>.roles.",
        )  # fmt: skip
        put.add_argument(
            "--map", action="append", required=True, type=_pair, dest="role_map",
            metavar="VALUE=ROLE", help="Repeat; the first the person has wins.",
        )  # fmt: skip
        put.add_argument(
            "--no-password", action="store_true", help="Members may not log in with a password."
        )
        put.add_argument(
            "--trust-idp-mfa", action="store_true",
            help="The provider's MFA (amr 'mfa', or --mfa-acr) counts as the second factor.",
        )  # fmt: skip
        put.add_argument("--mfa-acr", action="append", default=[], help="An acr meaning MFA.")
        put.add_argument(
            "--claims-from-userinfo", action="store_true",
            help="Read the roles claim from the userinfo endpoint instead of the ID token.",
        )  # fmt: skip
        put.add_argument(
            "--scope", action="append", default=[], help="Extra scope (openid profile email "
            "are always asked).",
        )  # fmt: skip
        show = sub.add_parser("show", help="The configuration (never the secret).")
        show.add_argument("organisation")
        off = sub.add_parser("disable", help="Switch it off; passwords work again.")
        off.add_argument("organisation")
        link = sub.add_parser("link", help="Let an existing account log in as a subject.")
        link.add_argument("organisation")
        link.add_argument("username")
        link.add_argument("--subject", required=True, help="The provider's 'sub' of the person.")

    def _set(self, organisation, **options):
        secret = None
        if options["client_secret_file"]:
            secret = Path(options["client_secret_file"]).read_text().strip()
        sso = do_configure_sso(
            organisation,
            issuer=options["issuer"],
            client_id=options["client_id"],
            client_secret=secret,
            display_name=options["name"] or organisation.name,
            roles_claim=options["roles_claim"],
            role_map=options["role_map"],
            password_login=not options["no_password"],
            trust_idp_mfa=options["trust_idp_mfa"],
            mfa_acr_values=options["mfa_acr"],
            claims_from_userinfo=options["claims_from_userinfo"],
            scopes=["openid", "profile", "email", *options["scope"]],
        )
        self.stdout.write(f"Single sign-on set for {organisation.slug}: {sso.display_name}.")
        self.stdout.write("Redirect URI to register at the provider: <BALIE_PUBLIC_URL>"
                          "/console/login/callback/")  # fmt: skip

    def _show(self, organisation, **options):
        sso = SingleSignOn.objects.filter(organisation=organisation).first()
        if sso is None:
            self.stdout.write(f"{organisation.slug}: no single sign-on.")
            return
        rows = [
            ("enabled", sso.enabled),
            ("button", sso.display_name),
            ("issuer", sso.issuer),
            ("client id", sso.client_id),
            ("client secret", "set (sealed)" if sso.client_secret else "not set"),
            ("client authentication", "basic" if sso.token_auth_basic else "post"),
            ("scopes", " ".join(sso.scopes)),
            ("claims from", "userinfo" if sso.claims_from_userinfo else "id_token"),
            ("authorization endpoint", sso.authorization_endpoint),
            ("token endpoint", sso.token_endpoint),
            ("keys (JWKS)", sso.jwks_uri),
            ("roles claim", sso.roles_claim),
            ("map", ", ".join(f"{value}={role}" for value, role in sso.role_map)),
            ("password login", sso.password_login),
            ("provider MFA trusted", sso.trust_idp_mfa),
            ("MFA acr values", ", ".join(sso.mfa_acr_values) or "-"),
        ]
        for label, value in rows:
            self.stdout.write(f"{label:>22}: {value}")

    def _disable(self, organisation, **options):
        do_disable_sso(organisation)
        self.stdout.write(f"Single sign-on of {organisation.slug} switched off.")

    def _link(self, organisation, *, username, subject, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
        do_link_identity(organisation, user, subject)
        self.stdout.write(f"{username} logs in to {organisation.slug} as subject {subject}.")
