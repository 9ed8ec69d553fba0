import pytest
from asgiref.sync import sync_to_async
from django.db import connections


@pytest.fixture(autouse=True)
async def _close_consumer_connections():
    """Consumers keep their database connection (CONN_MAX_AGE=None, as in production) in
    asgiref's sync thread; close it after each test so the test database can be dropped."""
    yield
    await sync_to_async(connections.close_all)()
