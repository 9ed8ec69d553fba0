"""Fixtures of the records management tests (records managers are in tests/conftest.py)."""

# Some archive tests read over the staff socket: close the consumers' connections after each.
from tests.realtime.conftest import _close_consumer_connections  # noqa: F401
