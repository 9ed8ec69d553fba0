"""ASGI entry point: HTTP through Django (static files and channels' webhooks before it),
WebSockets through Channels."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balie.conf.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from balie.conf.limits import BodySizeLimit  # noqa: E402
from balie.conf.routing import websocket_application  # noqa: E402
from balie.conf.staticfiles import StaticFilesApp  # noqa: E402
from balie.web.hooks import HooksApp  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodySizeLimit(StaticFilesApp(HooksApp(django_asgi))),
        "websocket": websocket_application,
    }
)
