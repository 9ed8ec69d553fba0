"""The Actor: what a person, a key, or nobody may do in which organisation."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from balie.accounts.actions import do_create_api_key, do_set_membership
from balie.accounts.actors import Actor
from balie.accounts.models import (
    AUDIT_ROLES,
    ORGANISATION_WIDE_ROLES,
    WRITING_ROLES,
    ApiScope,
    Role,
)


@pytest.fixture
def anna(agent_anna, groningen):
    """An agent in Utrecht who is also Groningen's auditor."""
    do_set_membership(agent_anna, groningen, Role.AUDITOR)
    return agent_anna


@pytest.fixture
def reading_key(utrecht):
    key, _secret = do_create_api_key(
        utrecht, name="lezer", scopes=[ApiScope.CONVERSATIONS_READ, ApiScope.RECORDS_READ]
    )
    return key


NOBODY = [None, AnonymousUser()]


def test_a_person_is_a_person_not_a_key(anna):
    actor = Actor.of(anna)
    assert actor.is_person and not actor.is_key
    assert actor.user == anna and actor.api_key is None


def test_a_persons_role_per_organisation(anna, utrecht, groningen, woo_wim):
    actor = Actor.of(anna)
    assert actor.role_in(utrecht.pk) == Role.AGENT
    assert actor.role_in(groningen.pk) == Role.AUDITOR
    assert Actor.of(woo_wim).role_in(groningen.pk) is None


def test_a_person_has_a_role_only_where_they_have_it(anna, utrecht, groningen):
    actor = Actor.of(anna)
    assert actor.has_role(utrecht.pk, WRITING_ROLES)
    assert not actor.has_role(groningen.pk, WRITING_ROLES)
    assert actor.has_role(groningen.pk, AUDIT_ROLES)
    assert not actor.has_role(utrecht.pk, AUDIT_ROLES)


def test_a_persons_organisations_by_role(anna, utrecht, groningen):
    actor = Actor.of(anna)
    assert actor.organisations() == sorted([utrecht.pk, groningen.pk])
    assert actor.organisations(WRITING_ROLES) == [utrecht.pk]
    assert actor.organisations(ORGANISATION_WIDE_ROLES) == [groningen.pk]
    assert actor.organisations({Role.RECORDS_MANAGER}) == []


def test_a_scope_asked_of_a_person_changes_nothing_their_roles_decide(anna, groningen):
    actor = Actor.of(anna)
    assert not actor.has_scope(ApiScope.AUDIT_READ)
    assert actor.organisations(AUDIT_ROLES, scope=ApiScope.AUDIT_READ) == [groningen.pk]


def test_a_persons_memberships_are_read_once(anna, utrecht, groningen, django_assert_num_queries):
    actor = Actor.of(anna)
    with django_assert_num_queries(1):
        actor.role_in(utrecht.pk)
        actor.has_role(groningen.pk, AUDIT_ROLES)
        actor.organisations(WRITING_ROLES)
    assert Actor.of(actor) is actor


def test_a_key_is_a_key_not_a_person(reading_key):
    actor = Actor.of(reading_key)
    assert actor.is_key and not actor.is_person
    assert actor.api_key == reading_key and actor.user is None


def test_a_key_has_its_scopes_only(reading_key):
    actor = Actor.of(reading_key)
    assert actor.has_scope(ApiScope.CONVERSATIONS_READ)
    assert actor.has_scope(ApiScope.RECORDS_READ)
    assert not actor.has_scope(ApiScope.AUDIT_READ)
    assert not actor.has_scope(ApiScope.CONVERSATIONS_WRITE)


def test_a_key_has_no_role(reading_key, utrecht, django_assert_num_queries):
    actor = Actor.of(reading_key)
    with django_assert_num_queries(0):
        assert actor.role_in(utrecht.pk) is None
        assert not actor.has_role(utrecht.pk, set(Role.values))


def test_a_key_acts_in_its_own_organisation_for_its_scopes(
    reading_key, utrecht, django_assert_num_queries
):
    actor = Actor.of(reading_key)
    with django_assert_num_queries(0):
        assert actor.organisations() == [utrecht.pk]
        assert actor.organisations(WRITING_ROLES) == [utrecht.pk]
        assert actor.organisations(scope=ApiScope.RECORDS_READ) == [utrecht.pk]
        assert actor.organisations(AUDIT_ROLES, scope=ApiScope.AUDIT_READ) == []


@pytest.mark.parametrize("nobody", NOBODY, ids=["none", "anonymous"])
def test_nobody_may_do_anything(nobody, utrecht, django_assert_num_queries):
    actor = Actor.of(nobody)
    with django_assert_num_queries(0):
        assert not actor.is_person and not actor.is_key
        assert actor.user is None and actor.api_key is None
        assert actor.role_in(utrecht.pk) is None
        assert not actor.has_role(utrecht.pk, set(Role.values))
        assert not actor.has_scope(ApiScope.CONVERSATIONS_READ)
        assert actor.organisations() == []
        assert actor.organisations(scope=ApiScope.CONVERSATIONS_READ) == []
