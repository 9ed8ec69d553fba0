from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from balie.realtime import agent
from balie.realtime.agent import AgentConsumer
from balie.realtime.resident import ResidentConsumer
from balie.web.console.woo_live import WooReviewConsumer

websocket_urlpatterns = [
    path(agent.PATH, AgentConsumer.as_asgi()),
    path("ws/c/<slug:organisation_slug>/", ResidentConsumer.as_asgi()),
    path("ws/woo/<slug:organisation_slug>/<str:reference>/", WooReviewConsumer.as_asgi()),
]

# Residents authenticate with their conversation token inside the socket, staff with the
# session cookie; both only from an allowed host so another site cannot ride a session.
websocket_application = AllowedHostsOriginValidator(
    AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
)
