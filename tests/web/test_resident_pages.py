"""The resident chat page, the widget script and the embed example."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.conf import settings

from balie.web.resident import texts

pytestmark = pytest.mark.django_db


def _json_script(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert match, element_id
    return json.loads(match.group(1))


def test_chat_page_renders_in_dutch_with_config_and_strings(client, utrecht):
    response = client.get("/c/utrecht/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "<title>Chat met Gemeente Utrecht</title>" in html
    assert "Versturen" in html
    config = _json_script(html, "balie-config")
    assert config["socketPath"] == "/ws/c/utrecht/"
    assert config["uploadUrl"] == "/c/utrecht/upload/"
    assert config["embed"] is False
    catalogues = _json_script(html, "balie-strings")
    assert catalogues == texts.catalogues()
    assert catalogues["nl"]["send"] == "Versturen"
    assert catalogues["en"]["send"] == "Send"


def test_chat_page_carries_both_languages_for_the_live_switch(client, utrecht):
    catalogues = _json_script(client.get("/c/utrecht/").content.decode(), "balie-strings")

    assert catalogues["nl"]["page_title"] == "Chat met %(organisation)s"
    assert catalogues["en"]["page_title"] == "Chat with %(organisation)s"
    assert catalogues["nl"]["switch_language"] == "English"
    assert catalogues["nl"]["switch_language_label"] == "Switch to English"
    assert catalogues["en"]["switch_language"] == "Nederlands"
    assert catalogues["en"]["switch_language_label"] == "Schakel naar Nederlands"
    assert catalogues["nl"].keys() == catalogues["en"].keys()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_server_rendered_texts_match_what_the_script_switches_to(client, utrecht, language):
    html = client.get(f"/c/utrecht/?lang={language}").content.decode()
    catalogue = _json_script(html, "balie-strings")[language]
    params = {"organisation": "Gemeente Utrecht", "mb": settings.MAX_UPLOAD_BYTES // 2**20}

    rendered = re.findall(r'data-t="(\w+)">([^<]*)<', html)
    assert len(rendered) > 10
    for key, text in rendered:
        assert unescape(text) == catalogue[key] % params, key


def test_chat_page_may_be_framed_but_keeps_a_strict_csp(client, utrecht):
    response = client.get("/c/utrecht/?embed=1")

    assert "X-Frame-Options" not in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert (
        '<body class="utrecht-document utrecht-document--surface embed">'
        in response.content.decode()
    )


def test_other_resident_pages_may_not_be_framed(client, utrecht):
    response = client.get("/c/utrecht/embed-example/")

    assert response.headers["X-Frame-Options"] == "DENY"


def test_english_page_when_asked(client, utrecht):
    html = client.get("/c/utrecht/?lang=en").content.decode()

    assert '<html lang="en">' in html
    assert "<title>Chat with Gemeente Utrecht</title>" in html
    assert ">Send</button>" in html
    assert 'lang="nl"' in html and ">Nederlands</button>" in html  # the switch back


def test_the_browser_language_does_not_change_the_default(client, utrecht):
    html = client.get("/c/utrecht/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="nl">' in html
    assert ">Versturen</button>" in html


def test_unknown_organisation_is_404(client, utrecht):
    assert client.get("/c/atlantis/").status_code == 404
    assert client.get("/c/atlantis/widget.js").status_code == 404
    assert client.get("/c/atlantis/embed-example/").status_code == 404


def test_widget_script_points_at_the_embedded_chat(client, utrecht):
    response = client.get("/c/utrecht/widget.js")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert '"chatPath": "/c/utrecht/"' in body
    assert "Chat met de gemeente" in body
    assert "Chat with the municipality" in body  # for a host page in English
    assert "?embed=1" in body


def test_widget_script_escapes_a_hostile_organisation_name(client):
    from balie.tenants.actions import do_create_organisation

    do_create_organisation(name="</script><b>", slug="evil", gemeentecode="9999")

    body = client.get("/c/evil/widget.js").content.decode()

    assert "</script><b>" not in body
    assert "\\u003c/script\\u003e\\u003cb\\u003e" in body


def test_embed_example_shows_the_snippet_and_uses_the_widget(client, utrecht):
    html = client.get("/c/utrecht/embed-example/").content.decode()

    assert '&lt;script src="http://testserver/c/utrecht/widget.js" defer&gt;' in html
    assert '<script src="http://testserver/c/utrecht/widget.js" defer></script>' in html
