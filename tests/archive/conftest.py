"""Fixtures of the archive's tests: records managers, and closing consumer connections."""

import pytest

from balie.accounts.actions import do_create_staff_user, do_set_membership
from tests.conftest import PASSWORD

# Some archive tests read over the staff socket: close the consumers' connections after each.
from tests.realtime.conftest import _close_consumer_connections  # noqa: F401


@pytest.fixture
def records_rik(utrecht):
    """Utrecht's records manager (archiefbeheerder)."""
    user = do_create_staff_user(username="records_rik", password=PASSWORD, first_name="Rik")
    do_set_membership(user, utrecht, "records_manager")
    return user


@pytest.fixture
def records_rita(utrecht):
    """A second records manager: the four eyes."""
    user = do_create_staff_user(username="records_rita", password=PASSWORD, first_name="Rita")
    do_set_membership(user, utrecht, "records_manager")
    return user
