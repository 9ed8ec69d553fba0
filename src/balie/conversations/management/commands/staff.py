"""``balie staff create|role|leave|password|deactivate|activate|list``: staff accounts.

Every password goes through the validators (accounts.passwords); it is read from the
terminal without echo, or from the first line of standard input with ``--password-stdin`` for
scripts. Changing a role, a password or deactivating ends the user's open sockets at once
(docs/realtime.md). Lives with the conversations because a new member can join a team."""

from __future__ import annotations

import io
import sys
from getpass import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from rich.console import Console
from rich.table import Table

from balie.accounts.actions import (
    do_create_staff_user,
    do_remove_membership,
    do_set_active,
    do_set_membership,
    do_set_password,
)
from balie.accounts.models import Membership, Role, User
from balie.conversations.actions import do_add_team_member
from balie.conversations.models import Team
from balie.errors import BalieError
from balie.tenants.models import Organisation


class Command(BaseCommand):
    help = "Create staff accounts, give them a role per organisation, deactivate them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="create|role|leave|password|deactivate|activate|list",
        )
        create = sub.add_parser("create", help="A new account with a role in one organisation.")
        create.add_argument("username")
        _add_organisation_and_role(create)
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")
        create.add_argument("--email", default="")
        create.add_argument(
            "--team",
            action="append",
            default=[],
            help="A team of the organisation to join (repeat for several).",
        )
        _add_password_stdin(create)
        role = sub.add_parser("role", help="Give a user a role in an organisation (or change it).")
        role.add_argument("username")
        _add_organisation_and_role(role)
        role.add_argument("--team", action="append", default=[], help="A team to join as well.")
        leave = sub.add_parser("leave", help="The user no longer works for the organisation.")
        leave.add_argument("username")
        leave.add_argument("--organisation", required=True, help="Organisation slug.")
        password = sub.add_parser("password", help="Set a new password (ends every session).")
        password.add_argument("username")
        _add_password_stdin(password)
        for name, text in (
            ("deactivate", "Stop the account: no login, open sessions end now."),
            ("activate", "Allow a deactivated account to log in again."),
        ):
            sub.add_parser(name, help=text).add_argument("username")
        listing = sub.add_parser("list", help="The staff of an organisation and their roles.")
        listing.add_argument("--organisation", required=True, help="Organisation slug.")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except BalieError as error:  # a refused password, a team of another organisation
            raise CommandError(str(error.message)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _create(self, *, username, organisation, role, team, password_stdin, **options):
        organisation = _organisation(organisation)
        teams = [_team(organisation, name) for name in team]
        if User.objects.filter(username=username).exists():
            raise CommandError(_("The user name %(username)s is taken.") % {"username": username})
        secret = _read_password(password_stdin)
        with transaction.atomic():
            user = do_create_staff_user(
                username=username,
                password=secret,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
            )
            do_set_membership(user, organisation, role)
            for chosen in teams:
                do_add_team_member(chosen, user)
        self.stdout.write(
            _("%(username)s can log in at /console/ as %(role)s of %(organisation)s.")
            % {"username": username, "role": Role(role).label, "organisation": organisation.name}
        )

    def _role(self, *, username, organisation, role, team, **options):
        user, organisation = _user(username), _organisation(organisation)
        teams = [_team(organisation, name) for name in team]
        with transaction.atomic():
            do_set_membership(user, organisation, role)
            for chosen in teams:
                do_add_team_member(chosen, user)
        self.stdout.write(
            _("%(username)s is now %(role)s of %(organisation)s.")
            % {"username": username, "role": Role(role).label, "organisation": organisation.name}
        )

    def _leave(self, *, username, organisation, **options):
        user, organisation = _user(username), _organisation(organisation)
        if not Membership.objects.filter(user=user, organisation=organisation).exists():
            raise CommandError(
                _("%(username)s does not work for %(organisation)s.")
                % {"username": username, "organisation": organisation.name}
            )
        do_remove_membership(user, organisation)
        self.stdout.write(
            _("%(username)s no longer works for %(organisation)s.")
            % {"username": username, "organisation": organisation.name}
        )

    def _password(self, *, username, password_stdin, **options):
        user = _user(username)
        do_set_password(user, _read_password(password_stdin))
        self.stdout.write(
            _("The password of %(username)s is changed; their sessions have ended.")
            % {"username": username}
        )

    def _deactivate(self, *, username, **options):
        do_set_active(_user(username), False)
        self.stdout.write(
            _("%(username)s is deactivated; open sessions have ended.") % {"username": username}
        )

    def _activate(self, *, username, **options):
        do_set_active(_user(username), True)
        self.stdout.write(_("%(username)s can log in again.") % {"username": username})

    def _list(self, *, organisation, **options):
        organisation = _organisation(organisation)
        table = Table(
            pgettext("staff list", "user name"),
            pgettext("staff list", "name"),
            pgettext("staff list", "role"),
            pgettext("staff list", "teams"),
            pgettext("staff list", "active"),
        )
        memberships = (
            Membership.objects.for_organisation(organisation)
            .select_related("user")
            .order_by("user__username")
        )
        for membership in memberships:
            user = membership.user
            teams = user.teams.filter(organisation=organisation).order_by("name")
            table.add_row(
                user.username,
                user.get_full_name() or "-",
                str(Role(membership.role).label),
                ", ".join(team.name for team in teams) or "-",
                _("yes") if user.is_active else _("no"),
            )
        buffer = io.StringIO()
        Console(file=buffer, width=140).print(table)
        self.stdout.write(buffer.getvalue(), ending="")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\n")
    else:
        secret = getpass(_("Password: "))
        if getpass(_("Password (again): ")) != secret:
            raise CommandError(_("The two passwords differ."))
    if not secret:
        raise CommandError(_("No password given."))
    return secret


def _add_organisation_and_role(parser) -> None:
    parser.add_argument("--organisation", required=True, help="Organisation slug.")
    parser.add_argument("--role", required=True, choices=Role.values)


def _add_password_stdin(parser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="Read the password from the first line of standard input (for scripts).",
    )


def _organisation(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise CommandError(_("No organisation with slug %(slug)s.") % {"slug": repr(slug)})
    return organisation


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("No user %(username)s.") % {"username": repr(username)})
    return user


def _team(organisation: Organisation, name: str) -> Team:
    team = Team.objects.filter(organisation=organisation, name=name).first()
    if team is None:
        raise CommandError(
            _("%(organisation)s has no team %(team)s.")
            % {"organisation": organisation.name, "team": repr(name)}
        )
    return team
