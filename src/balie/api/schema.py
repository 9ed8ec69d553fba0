"""OpenAPI: the API key scheme, and the schema endpoint (public: the contract is in git)."""

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


class SchemaView(SpectacularAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
