"""``balie resident-login set|show|disable``: residents' optional DigiD login through the
organisation's OpenID Connect broker (docs/guides/resident-digid.md)."""

from __future__ import annotations

from pathlib import Path

from balie.accounts.models import ResidentSignOn
from balie.accounts.residents import do_configure_resident_sign_on, do_disable_resident_sign_on
from balie.tenants.commands import OrganisationCommand


class Command(OrganisationCommand):
    help = "Configure residents' login with DigiD through the organisation's OIDC broker."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="set|show|disable")
        put = sub.add_parser("set", help="Set or change the organisation's broker.")
        put.add_argument("organisation", help="Organisation slug.")
        put.add_argument("--issuer", required=True, help="The broker's exact issuer URL.")
        put.add_argument("--client-id", required=True)
        put.add_argument(
            "--client-secret-file",
            help="File holding the client secret (kept sealed; never on the command line). "
            "Leave out to keep the stored one.",
        )
        put.add_argument(
            "--acr", action="append", default=[], dest="acr_values",
            help="An accepted 'acr' value (repeat; asked for in this order). Without any, "
            "every level is accepted. See the guide for DigiD's values.",
        )  # fmt: skip
        put.add_argument(
            "--bsn-claim", default="bsn",
            help="Claim (or dotted path) holding the BSN: bsn, sub, … (default: bsn).",
        )  # fmt: skip
        put.add_argument(
            "--bsn-prefix", default="",
            help="A prefix the claim's value starts with, removed: e.g. s00000000: (DigiD's "
            "sector code for a BSN). A value without it is refused.",
        )  # fmt: skip
        put.add_argument(
            "--scope", action="append", default=[], help="Extra scope (openid is always asked)."
        )
        put.add_argument(
            "--show-bsn-to-agents", action="store_true",
            help="Agents may show a resident's BSN in the contact panel (each time audit-logged).",
        )  # fmt: skip
        show = sub.add_parser("show", help="The configuration (never the secret).")
        show.add_argument("organisation")
        off = sub.add_parser("disable", help="Switch it off; identified residents stay.")
        off.add_argument("organisation")

    def _set(self, organisation, **options):
        secret = None
        if options["client_secret_file"]:
            secret = Path(options["client_secret_file"]).read_text().strip()
        sign_on = do_configure_resident_sign_on(
            organisation,
            issuer=options["issuer"],
            client_id=options["client_id"],
            client_secret=secret,
            scopes=["openid", *options["scope"]],
            acr_values=options["acr_values"],
            bsn_claim=options["bsn_claim"],
            bsn_prefix=options["bsn_prefix"],
            show_bsn_to_agents=options["show_bsn_to_agents"],
        )
        self.stdout.write(f"DigiD login set for {organisation.slug} through {sign_on.issuer}.")
        self.stdout.write("Redirect URI to register at the broker: <BALIE_PUBLIC_URL>"
                          f"/c/{organisation.slug}/login/callback/")  # fmt: skip

    def _show(self, organisation, **options):
        sign_on = ResidentSignOn.objects.for_organisation(organisation).first()
        if sign_on is None:
            self.stdout.write(f"{organisation.slug}: no DigiD login for residents.")
            return
        rows = [
            ("enabled", sign_on.enabled),
            ("issuer", sign_on.issuer),
            ("client id", sign_on.client_id),
            ("client secret", "set (sealed)" if sign_on.client_secret else "not set"),
            ("client authentication", "basic" if sign_on.token_auth_basic else "post"),
            ("scopes", " ".join(sign_on.scopes)),
            ("accepted acr", ", ".join(sign_on.acr_values) or "any"),
            ("BSN claim", sign_on.bsn_claim),
            ("BSN prefix", sign_on.bsn_prefix or "-"),
            ("BSN shown to agents", sign_on.show_bsn_to_agents),
            ("authorization endpoint", sign_on.authorization_endpoint),
            ("token endpoint", sign_on.token_endpoint),
            ("keys (JWKS)", sign_on.jwks_uri),
        ]
        for label, value in rows:
            self.stdout.write(f"{label:>22}: {value}")

    def _disable(self, organisation, **options):
        do_disable_resident_sign_on(organisation)
        self.stdout.write(f"DigiD login of {organisation.slug} switched off.")
