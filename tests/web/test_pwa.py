"""The installable resident app's files: the manifest (per organisation, in its theme's
colours, cached by ETag), its icons (the logo, or a monogram), the service worker served
within the chat's scope, and the offline page in Dutch and English."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from balie.tenants.theme import do_set_theme
from balie.web.resident import icons, pwa

pytestmark = pytest.mark.django_db


def png(colour=(200, 30, 40), size=(120, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_the_manifest_names_the_organisation_and_its_scope(client, utrecht):
    answer = client.get("/c/utrecht/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = answer.json()
    assert {key: manifest[key] for key in ("name", "short_name", "start_url", "scope")} == {
        "name": "Gemeente Utrecht",
        "short_name": "Utrecht",
        "start_url": "/c/utrecht/",
        "scope": "/c/utrecht/",
    }
    assert (manifest["display"], manifest["lang"], manifest["id"]) == (
        "standalone",
        "nl",
        "/c/utrecht/",
    )
    assert (manifest["theme_color"], manifest["background_color"]) == ("#154273", "#ffffff")
    assert [(i["sizes"], i["purpose"], i["type"]) for i in manifest["icons"]] == [
        ("192x192", "any", "image/png"),
        ("512x512", "any", "image/png"),
        ("512x512", "maskable", "image/png"),
    ]


def test_the_english_manifest_starts_the_chat_in_english(client, utrecht):
    manifest = client.get("/c/utrecht/manifest.webmanifest?lang=en").json()
    assert (manifest["lang"], manifest["start_url"]) == ("en", "/c/utrecht/?lang=en")
    assert manifest["description"] == "Chat with Gemeente Utrecht"


def test_the_manifest_follows_the_theme(client, utrecht):
    do_set_theme(utrecht, actor=None, color_primary="#00594f", color_background="#fdfdf8")
    manifest = client.get("/c/utrecht/manifest.webmanifest").json()
    assert (manifest["theme_color"], manifest["background_color"]) == ("#00594f", "#fdfdf8")


def test_the_manifest_is_revalidated_by_etag(client, utrecht):
    first = client.get("/c/utrecht/manifest.webmanifest")
    assert first["Cache-Control"] == "no-cache"
    again = client.get("/c/utrecht/manifest.webmanifest", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    do_set_theme(utrecht, actor=None, color_primary="#00594f")
    changed = client.get(
        "/c/utrecht/manifest.webmanifest", headers={"If-None-Match": first["ETag"]}
    )
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_each_icon_has_its_size_and_the_monogram_in_the_primary_colour(client, utrecht):
    for entry in client.get("/c/utrecht/manifest.webmanifest").json()["icons"]:
        answer = client.get(entry["src"])
        assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(answer.content))
        assert f"{image.width}x{image.height}" == entry["sizes"]
        assert image.convert("RGB").getpixel((2, 2)) == (0x15, 0x42, 0x73)
        # the letter, in the text colour, sits in the middle (the maskable safe zone)
        middle = image.convert("RGB").crop(
            (image.width * 0.3, image.height * 0.3, image.width * 0.7, image.height * 0.7)
        )
        assert (255, 255, 255) in {colour for _count, colour in middle.getcolors(1 << 16)}
    assert icons.monogram_letter("Gemeente Utrecht") == "U"
    assert icons.monogram_letter("Gemeente 's-Hertogenbosch") == "S"


def test_the_icon_is_the_logo_when_the_theme_has_one(client, utrecht):
    do_set_theme(utrecht, actor=None, logo=png())
    entry = client.get("/c/utrecht/manifest.webmanifest").json()["icons"][0]
    image = Image.open(io.BytesIO(client.get(entry["src"]).content)).convert("RGB")
    assert image.getpixel((96, 96)) == (200, 30, 40)  # the logo in the middle
    assert image.getpixel((2, 2)) == (255, 255, 255)  # on the background colour


def test_unknown_organisation_and_icon_are_not_found(client, utrecht):
    assert client.get("/c/nergens/manifest.webmanifest").status_code == 404
    assert client.get("/c/nergens/sw.js").status_code == 404
    assert client.get("/c/utrecht/icons/1024.png").status_code == 404


def test_the_service_worker_lives_in_the_chats_scope(client, utrecht):
    answer = client.get("/c/utrecht/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/javascript; charset=utf-8"
    assert answer["Cache-Control"] == "no-cache"
    text = answer.content.decode()
    assert '"scope": "/c/utrecht/"' in text and '"/c/utrecht/offline/"' in text
    assert "/static/balie/resident/chat.js" in text and "/static/balie/resident/pwa.js" in text
    assert "/upload/" not in text and "/ws/" not in text  # never cached


def test_the_worker_changes_with_the_theme(client, utrecht):
    before = client.get("/c/utrecht/sw.js").content
    do_set_theme(utrecht, actor=None, color_primary="#00594f")
    assert client.get("/c/utrecht/sw.js").content != before


def test_the_offline_page_speaks_dutch_and_english(client, utrecht):
    page = client.get("/c/utrecht/offline/").content.decode()
    assert "Geen verbinding" in page and "No connection" in page
    assert 'lang="en"' in page and "Gemeente Utrecht" in page


def test_the_chat_page_links_the_manifest_and_offers_the_switch(client, utrecht):
    page = client.get("/c/utrecht/").content.decode()
    assert '<link rel="manifest" href="/c/utrecht/manifest.webmanifest">' in page
    assert 'id="push"' in page and "Meldingen aan" in page
    assert '"vapidKey": "B' in page  # an uncompressed P-256 point starts with 0x04


def test_short_names_fit_a_home_screen():
    assert pwa.short_name("Gemeente Utrecht") == "Utrecht"
    assert pwa.short_name("Gemeente Súdwest-Fryslân") == "Súdwest-Fry…"
