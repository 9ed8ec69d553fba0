"""REST API for the webhooks integration (issue 15): filled in by its implementation."""

from __future__ import annotations

urlpatterns: list = []
