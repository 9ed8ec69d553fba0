"""Console pages for the klantinteracties integration (issue 15): filled in by its implementation."""

from __future__ import annotations

urlpatterns: list = []
