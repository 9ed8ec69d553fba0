"""Serializers per resource: what the API accepts and returns (and the OpenAPI components)."""
