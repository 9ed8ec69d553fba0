"""Clients for the API: a staff session, or an API key in the Authorization header."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from balie.accounts.actions import do_create_api_key


@pytest.fixture
def as_user():
    """``as_user(agent_anna)``: an APIClient logged in as that staff member."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def as_key():
    """``as_key(secret)``: an APIClient sending that API key."""

    def make(secret: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return make


@pytest.fixture
def utrecht_key(utrecht_api_key, as_key) -> APIClient:
    """Utrecht's key with every scope."""
    return as_key(utrecht_api_key[1])


@pytest.fixture
def groningen_key(groningen_api_key, as_key) -> APIClient:
    return as_key(groningen_api_key[1])


@pytest.fixture
def read_only_key(utrecht, as_key) -> APIClient:
    """A Utrecht key that may read conversations and contacts, but not write."""
    _, secret = do_create_api_key(
        utrecht, name="alleen lezen", scopes=["conversations:read", "contacts:read"]
    )
    return as_key(secret)
