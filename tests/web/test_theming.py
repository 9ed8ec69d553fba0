"""An organisation's theme on its pages: theme.css, the logo, the resident page and the
console's theme page (administrators of that organisation only)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.tenants import logos
from balie.tenants.theme import contrast_ratio, do_set_theme, tokens
from balie.web.theming import palette
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def png(size=(80, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 120, 60)).save(out, "PNG")
    return out.getvalue()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_greta(groningen):
    user = do_create_staff_user(username="admin_greta", password=PASSWORD, first_name="Greta")
    do_set_membership(user, groningen, Role.ADMIN)
    return user


def test_theme_css_maps_tokens_onto_utrecht_tokens(client, utrecht):
    do_set_theme(
        utrecht, actor=None, color_primary="#c8102e", color_text="#222222", font_family="Noto Sans"
    )
    response = client.get("/c/utrecht/theme.css")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    css = response.content.decode()
    assert "--balie-color-primary: #c8102e;" in css
    assert "--balie-color-text: #222222;" in css
    assert '--balie-font-family: "Noto Sans", system-ui' in css
    assert "--utrecht-button-primary-action-background-color: var(--balie-color-primary);" in css
    assert "--utrecht-document-color: var(--balie-color-text);" in css
    assert "<" not in css and "&quot;" not in css  # no HTML escaping inside CSS
    assert response["Cache-Control"] == "public, max-age=300, must-revalidate"
    again = client.get("/c/utrecht/theme.css", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_theme_css_changes_with_the_theme(client, utrecht):
    before = client.get("/c/utrecht/theme.css")["ETag"]
    do_set_theme(utrecht, actor=None, color_primary="#000000")
    assert client.get("/c/utrecht/theme.css")["ETag"] != before


def test_unknown_organisation_has_no_theme_or_logo(client, utrecht):
    assert client.get("/c/nergens/theme.css").status_code == 404
    assert client.get("/c/nergens/logo").status_code == 404
    assert client.get("/c/utrecht/logo").status_code == 404  # no logo set


def test_derived_colours_keep_their_contrast():
    # A light primary with dark text on it, on a cream background.
    colours = palette(
        {
            "color_primary": "#ffcc00",
            "color_primary_text": "#1a1a1a",
            "color_background": "#fffbe6",
            "color_text": "#333333",
        }
    )
    assert contrast_ratio(colours["muted"], colours["surface"]) >= 4.5
    assert contrast_ratio(colours["muted"], colours["background"]) >= 4.5
    assert contrast_ratio(colours["surface_text"], colours["surface"]) >= 4.5
    assert contrast_ratio(colours["primary_meta"], colours["primary"]) >= 4.5
    assert contrast_ratio(colours["primary_text"], colours["primary_hover"]) >= 4.5
    assert contrast_ratio(colours["line"], colours["background"]) >= 3.0
    # Yellow links on cream would be unreadable: links take the text colour then.
    assert colours["link"] == "#333333"


def test_logo_is_served_with_etag_and_long_cache(client, utrecht):
    do_set_theme(utrecht, actor=None, logo=png())
    utrecht.refresh_from_db()
    response = client.get("/c/utrecht/logo")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == bytes(logos.logo_of(utrecht).data)
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    again = client.get("/c/utrecht/logo", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_resident_page_links_theme_and_shows_logo(client, utrecht, utrecht_team):
    page = client.get("/c/utrecht/").content.decode()
    assert 'href="/c/utrecht/theme.css?v=' in page
    assert "/static/balie/nlds/utrecht.css" in page
    assert 'class="logo"' not in page
    do_set_theme(utrecht, actor=None, logo=png())
    utrecht.refresh_from_db()
    page = client.get("/c/utrecht/").content.decode()
    assert f'src="/c/utrecht/logo?v={tokens(utrecht)["logo"][:16]}"' in page
    assert 'width="80" height="40"' in page
    assert "utrecht-button utrecht-button--primary-action" in page
    assert "utrecht-textarea" in page


def test_widget_carries_the_theme_and_logo(client, utrecht):
    do_set_theme(utrecht, actor=None, color_primary="#c8102e", logo=png())
    script = client.get("/c/utrecht/widget.js").content.decode()
    assert "/c/utrecht/theme.css" in script
    assert "/c/utrecht/logo?v=" in script


def test_console_theme_page_for_the_admin(utrecht, admin_ada):
    client = logged_in(admin_ada)
    response = client.get("/console/utrecht/theme/")
    assert response.status_code == 200
    assert 'id="color_primary"' in response.content.decode()
    response = client.post(
        "/console/utrecht/theme/",
        {
            "color_primary": "#c8102e",
            "color_primary_text": "#ffffff",
            "color_background": "#ffffff",
            "color_text": "#1a1a1a",
            "font_family": "Open Sans",
            "logo": SimpleUploadedFile("logo.png", png(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    utrecht.refresh_from_db()
    assert tokens(utrecht)["color_primary"] == "#c8102e"
    assert tokens(utrecht)["font_family"] == "Open Sans"
    assert tokens(utrecht)["logo"]
    # The console's header shows the organisation's logo and links its theme.
    inbox = client.get("/console/utrecht/").content.decode()
    assert 'class="org-logo"' in inbox and "/c/utrecht/theme.css" in inbox


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "has a contrast of 1.13:1; at least 4.5:1 is needed"),
        ("nl", "heeft een contrast van 1,13:1. Dat moet minstens 4,5:1 zijn"),
    ],
)
def test_console_shows_the_contrast_error_in_place(utrecht, admin_ada, language, expected):
    client = logged_in(admin_ada)
    client.post("/console/language/", {"language": language, "next": "/console/"})
    response = client.post(
        "/console/utrecht/theme/",
        {
            "color_primary": "#154273",
            "color_primary_text": "#ffffff",
            "color_background": "#ffffff",
            "color_text": "#f0f0f0",
            "font_family": "system",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert expected in page
    assert 'aria-invalid="true"' in page
    utrecht.refresh_from_db()
    assert utrecht.theme == {}


def test_console_theme_page_is_not_found_for_others(utrecht, groningen, agent_anna, admin_greta):
    assert logged_in(agent_anna).get("/console/utrecht/theme/").status_code == 404
    # Groningen's administrator can neither see nor set Utrecht's theme.
    greta = logged_in(admin_greta)
    assert greta.get("/console/utrecht/theme/").status_code == 404
    assert greta.post("/console/utrecht/theme/", {"color_primary": "#000000"}).status_code == 404
    utrecht.refresh_from_db()
    assert utrecht.theme == {}
    assert greta.get("/console/groningen/theme/").status_code == 200


def test_console_theme_page_needs_a_login(client, utrecht):
    response = client.get("/console/utrecht/theme/")
    assert response.status_code == 302 and "/console/login/" in response["Location"]
