"""The project's URLs with the WhatsApp API and console endpoints mounted where
``balie.api.urls`` and ``balie.web.console.urls`` are to include them, and the demo's
stand-in Graph API where ``balie.conf.urls`` is to mount it in a demo, for the tests until
they do (mounted first here, so including them there as well changes nothing)."""

from django.urls import include, path

from balie.api import urls as api_urls
from balie.api import whatsapp as api_whatsapp
from balie.conf import urls as root_urls
from balie.connectors.whatsapp import demo
from balie.web.console import urls as console_urls
from balie.web.console import whatsapp as console_whatsapp

handler500 = root_urls.handler500

urlpatterns = [
    path("api/v1/", include(([*api_whatsapp.urlpatterns, *api_urls.urlpatterns], "api"))),
    path(
        "console/",
        include(([*console_whatsapp.urlpatterns, *console_urls.urlpatterns], "console")),
    ),
    path("demo/whatsapp-graph/", include(demo.urlpatterns)),
    *root_urls.urlpatterns,
]
