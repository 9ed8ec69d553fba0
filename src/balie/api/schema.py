"""OpenAPI: the API key scheme, the schema endpoint (public: the contract is in git), and
what the serializers cannot say by themselves (``precise_requests``)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "balie.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "<prefix>.<secret>",
            "description": "An API key made with `balie apikey create`; scopes limit its use.",
        }


def precise_requests(result, generator, request, public):
    """A postprocessing hook: request bodies take only their own fields (the server refuses
    others: ``balie.api.fields.ClosedSerializer`` and the records views), and a message needs a
    text with more than white space or at least one attachment (``empty_message``)."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
    send = schemas.get("SendMessageRequest")
    if send is not None:
        send["anyOf"] = [
            {"required": ["body"], "properties": {"body": {"pattern": r"\S"}}},
            {"required": ["attachments"], "properties": {"attachments": {"minItems": 1}}},
        ]
    return result


class SchemaView(SpectacularAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
