from django.conf import settings
from django.urls import include, path

from balie.connectors.whatsapp import demo as whatsapp_demo
from balie.web import health, hooks

handler500 = "balie.api.errors.server_error"  # JSON under /api/, Django's page elsewhere

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.prometheus_metrics, name="metrics"),
    path("api/v1/", include("balie.api.urls")),
    path("hooks/<str:public_id>/", hooks.channel_webhook, name="channel_webhook"),
    path("console/", include("balie.web.console.urls")),
    path("", include("balie.web.resident.urls")),
]

if settings.DEMO:  # `balie demo`: a stand-in for WhatsApp's Graph API, so answers go out
    urlpatterns.insert(0, path("demo/whatsapp-graph/", include(whatsapp_demo.urlpatterns)))
