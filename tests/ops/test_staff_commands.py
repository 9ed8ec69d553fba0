"""`balie organisation` and `balie staff`: an installation's first organisation and staff from the
command line (issue 10, finding 10), through the same actions and validators as everywhere."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from balie.accounts.models import Membership, User
from balie.conversations.actions import do_add_team_member
from balie.conversations.models import Team
from balie.errors import Invalid
from balie.tenants.models import Organisation

pytestmark = pytest.mark.django_db

PASSWORD = "koffie-met-een-lange-zin\n"


def _run(*args, stdin: str = "") -> str:
    out = io.StringIO()
    old, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command(*args, stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


def test_first_organisation_and_agent_from_the_command_line():
    out = _run(
        "organisation",
        "create",
        "--name",
        "Gemeente Ede",
        "--slug",
        "ede",
        "--gemeentecode",
        "0228",
    )
    assert "/c/ede/" in out
    ede = Organisation.objects.get(slug="ede")
    team = Team.objects.get(organisation=ede)
    assert team.is_default  # new web chats have somewhere to go
    _run(
        "staff",
        "create",
        "anna",
        "--organisation",
        "ede",
        "--role",
        "agent",
        "--team",
        team.name,
        "--first-name",
        "Anna",
        "--password-stdin",
        stdin=PASSWORD,
    )
    anna = User.objects.get(username="anna")
    assert Membership.objects.get(user=anna).role == "agent"
    assert list(anna.teams.all()) == [team]
    assert anna.check_password(PASSWORD.strip()) and anna.is_active
    listing = _run("staff", "list", "--organisation", "ede")
    assert "anna" in listing and team.name in listing


def test_refusals_are_precise_and_change_nothing(utrecht):
    with pytest.raises(CommandError, match="gemeentecode"):
        _run("organisation", "create", "--name", "X", "--slug", "x", "--gemeentecode", "12")
    with pytest.raises(CommandError, match="slug"):
        _run("organisation", "create", "--name", "Dubbel", "--slug", "utrecht")
    assert not Organisation.objects.filter(slug="x").exists()
    with pytest.raises(CommandError, match="too short|te kort"):
        _run(
            "staff",
            "create",
            "bob",
            "--organisation",
            "utrecht",
            "--role",
            "agent",
            "--password-stdin",
            stdin="kort\n",
        )
    with pytest.raises(CommandError, match="no team|geen team"):
        _run(
            "staff",
            "create",
            "bob",
            "--organisation",
            "utrecht",
            "--role",
            "agent",
            "--team",
            "Bestaat niet",
            "--password-stdin",
            stdin=PASSWORD,
        )
    with pytest.raises(CommandError, match="'nergens'"):
        _run("staff", "create", "bob", "--organisation", "nergens", "--role", "agent")
    assert not User.objects.filter(username="bob").exists()


def test_role_leave_password_and_deactivation(agent_anna, utrecht, groningen):
    _run("staff", "role", "agent_anna", "--organisation", "groningen", "--role", "auditor")
    assert Membership.objects.get(user=agent_anna, organisation=groningen).role == "auditor"
    _run("staff", "leave", "agent_anna", "--organisation", "groningen")
    assert not Membership.objects.filter(user=agent_anna, organisation=groningen).exists()
    with pytest.raises(CommandError):
        _run("staff", "leave", "agent_anna", "--organisation", "groningen")
    _run("staff", "password", "agent_anna", "--password-stdin", stdin=PASSWORD)
    agent_anna.refresh_from_db()
    assert agent_anna.check_password(PASSWORD.strip())
    _run("staff", "deactivate", "agent_anna")
    agent_anna.refresh_from_db()
    assert not agent_anna.is_active
    _run("staff", "activate", "agent_anna")
    agent_anna.refresh_from_db()
    assert agent_anna.is_active


def test_a_team_takes_only_staff_of_its_organisation(agent_gerrit, utrecht_team):
    with pytest.raises(Invalid) as refused:
        do_add_team_member(utrecht_team, agent_gerrit)
    assert refused.value.code == "not_a_member"
    assert not utrecht_team.members.filter(pk=agent_gerrit.pk).exists()


def test_identify_sets_the_gemeentecode_afterwards(db):
    _run("organisation", "create", "--name", "Gemeente Later", "--slug", "later")
    out = _run("organisation", "identify", "--slug", "later", "--gemeentecode", "0344")
    assert "https://identifier.overheid.nl/tooi/id/gemeente/gm0344" in out
    assert Organisation.objects.get(slug="later").gemeentecode == "0344"
    with pytest.raises(CommandError, match="gemeentecode"):
        _run("organisation", "identify", "--slug", "later", "--gemeentecode", "34")
    with pytest.raises(CommandError):
        _run("organisation", "identify", "--slug", "nergens", "--oin", "1" * 20)
    assert Organisation.objects.get(slug="later").gemeentecode == "0344"
