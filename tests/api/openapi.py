"""Checking a test response against the committed contract (``src/balie/api/openapi.yaml``),
as schemathesis does on a running server: status and Content-Type documented, the JSON body
valid against the response schema (OpenAPI 3.0's ``nullable`` read as JSON Schema)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

CONTRACT = Path(__file__).resolve().parents[2] / "src/balie/api/openapi.yaml"


@cache
def contract() -> dict[str, Any]:
    return yaml.safe_load(CONTRACT.read_text())


def operation(path: str, method: str = "get") -> dict[str, Any]:
    return contract()["paths"][path][method]


def json_schema(schema: Any) -> Any:
    """``$ref`` resolved and ``nullable: true`` turned into a JSON Schema ``null``."""
    if isinstance(schema, list):
        return [json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return json_schema(contract()["components"]["schemas"][name])
    out = {key: json_schema(value) for key, value in schema.items() if key != "nullable"}
    if schema.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def assert_matches_contract(response, path: str, method: str = "get") -> None:
    documented = operation(path, method)["responses"]
    status = str(response.status_code)
    assert status in documented, f"{status} is not documented for {method.upper()} {path}"
    content = documented[status].get("content", {})
    media_type = response["Content-Type"].split(";")[0]
    assert media_type in content, f"{media_type} is not documented for {method.upper()} {path}"
    if media_type == "application/json":
        jsonschema.validate(
            response.json(),
            json_schema(content[media_type]["schema"]),
            format_checker=jsonschema.FormatChecker(),
        )
