"""``balie twofactor status|reset``: a person's two-step login, for IT (a lost phone)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from balie.accounts import twofactor
from balie.accounts.models import User


class Command(BaseCommand):
    help = "Show or reset a person's two-step login (docs/guides/sso-and-2fa.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="status|reset")
        for name, text in (
            ("status", "Whether it is set up and how many recovery codes are left."),
            ("reset", "Remove the authenticator and recovery codes (a lost phone): the person "
             "sets up a new one at the next login. Check who asks first."),
        ):  # fmt: skip
            sub.add_parser(name, help=text).add_argument("username")

    def handle(self, *args, action, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
        if action == "reset":
            twofactor.do_reset_two_factor(user)
            self.stdout.write(f"Two-step login of {username} reset; set up again at next login.")
            return
        enrolled = twofactor.is_enrolled(user)
        self.stdout.write(
            f"{username}: {'set up' if enrolled else 'not set up'}; "
            f"{'required' if twofactor.requires_second_factor(user) else 'optional'} for "
            f"their roles; {twofactor.recovery_codes_left(user)} recovery codes left."
        )
