"""The committed OpenAPI contract is what the code generates, and it is served."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from rest_framework.test import APIClient

import balie.api

COMMITTED = Path(balie.api.__file__).parent / "openapi.yaml"


def test_committed_contract_equals_the_generated_one(tmp_path, db):
    generated = tmp_path / "openapi.yaml"

    # the same generator, validation and warning check as `make schema`
    call_command("spectacular", file=str(generated), validate=True, fail_on_warn=True)

    assert generated.read_text() == COMMITTED.read_text(), "run `make schema` and commit"


def test_schema_is_served_without_login(db):
    response = APIClient().get("/api/v1/schema/?format=json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Balie API"
    assert "/api/v1/conversations/{conversation_id}/messages/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
