from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "balie.tenants"
    label = "tenants"
