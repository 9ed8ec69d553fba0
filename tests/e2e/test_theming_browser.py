"""Theming in Chromium: an organisation's colours, font and logo on the resident page, in the
widget and in the console; the console's theme page; axe-core on both with a custom theme."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.tenants.theme import do_set_theme
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible, axe_source

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RED = {"color_primary": "#a4161a", "color_primary_text": "#ffffff"}
CREAM = {"color_background": "#fffbe6", "color_text": "#2b2b2b", "font_family": "Georgia"}


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 60), (164, 22, 26)).save(out, "PNG")
    return out.getvalue()


def computed(locator, prop: str) -> str:
    return locator.evaluate(f"(e) => getComputedStyle(e).getPropertyValue('{prop}')")


@pytest.fixture(autouse=True)
def _axe_installed():
    axe_source()


@pytest.fixture
def themed(utrecht, utrecht_team, asgi_server):
    asgi_server.call(do_set_theme, utrecht, actor=None, logo=png(), **RED, **CREAM)
    return utrecht


def test_resident_page_follows_the_theme(themed, asgi_server, browser_page):
    page = browser_page(360, 740)
    page.goto(f"{asgi_server.url}/c/utrecht/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    header = page.locator(".chat-header")
    assert computed(header, "background-color") == rgb(RED["color_primary"])
    assert computed(page.locator("#title"), "color") == rgb(RED["color_primary_text"])
    assert computed(page.locator("body"), "background-color") == rgb(CREAM["color_background"])
    assert computed(page.locator(".empty"), "color") != ""  # muted, mixed from the theme
    send = page.locator("#send")
    assert computed(send, "background-color") == rgb(RED["color_primary"])
    assert computed(send, "color") == rgb(RED["color_primary_text"])
    assert "Georgia" in computed(page.locator("body"), "font-family")
    logo = page.locator(".chat-header img.logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("(img) => img.complete && img.naturalWidth") == 120
    page.get_by_label("Uw bericht").fill("Mijn container is niet geleegd.")
    page.get_by_label("Uw bericht").press("Enter")
    own = page.locator("li.message.own[data-seq] .bubble")
    expect(own).to_contain_text("Mijn container")
    assert computed(own, "background-color") == rgb(RED["color_primary"])
    assert_accessible(page, "the resident chat with a custom theme")


def test_default_theme_without_settings(utrecht, utrecht_team, asgi_server, browser_page):
    page = browser_page(1280, 800)
    page.goto(f"{asgi_server.url}/c/utrecht/")
    assert computed(page.locator(".chat-header"), "background-color") == rgb("#154273")
    expect(page.locator(".chat-header img")).to_have_count(0)
    # The Utrecht component CSS is there: the send button is an utrecht-button.
    cursor = computed(page.locator("#send"), "--_utrecht-button-background-color").strip()
    assert cursor, "utrecht.css (make nlds) is not loaded"


def test_widget_follows_the_theme(themed, asgi_server, browser_page):
    page = browser_page(1280, 800)
    page.goto(f"{asgi_server.url}/c/utrecht/embed-example/")
    launcher = page.get_by_role("button", name="Chat met de gemeente")
    expect(launcher).to_be_visible()
    page.wait_for_function(
        "() => { const b = document.querySelector('.balie-widget').shadowRoot"
        ".querySelector('.launcher'); return getComputedStyle(b).backgroundColor"
        f" === '{rgb(RED['color_primary'])}'; }}"
    )
    launcher.click()
    frame = page.frame_locator("iframe[title='Chat met Gemeente Utrecht']")
    expect(frame.locator("#connection")).to_have_attribute("data-state", "online")
    assert computed(frame.locator("#send"), "background-color") == rgb(RED["color_primary"])
    bar_logo = page.locator(".balie-widget .bar img.logo")
    expect(bar_logo).to_be_visible()
    assert computed(page.locator(".balie-widget .bar"), "background-color") == rgb(
        RED["color_primary"]
    )
    assert_accessible(page, "the embed example with a themed widget open")


@pytest.fixture
def admin_ada(utrecht, utrecht_team):
    user = do_create_staff_user(username="admin_ada", password=PASSWORD, first_name="Ada")
    do_set_membership(user, utrecht, Role.ADMIN)
    return user


def log_in(page, base_url):
    page.goto(f"{base_url}/console/login/")
    page.get_by_label("Gebruikersnaam").fill("admin_ada")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}/console/utrecht/")


def test_console_theme_page_sets_the_theme(admin_ada, asgi_server, browser_page, tmp_path):
    page = browser_page(1280, 900)
    log_in(page, asgi_server.url)
    page.get_by_role("link", name="Thema").click()
    page.wait_for_url(f"{asgi_server.url}/console/utrecht/theme/")
    assert_accessible(page, "the console's theme page")

    # Too little contrast: the live preview says so, and saving is refused in place.
    page.locator("#color_text").fill("#eeeeee")
    expect(page.locator("output[data-pair='color_text color_background']")).to_contain_text(
        "te laag"
    )
    page.get_by_role("button", name="Thema opslaan").click()
    error = page.get_by_role("alert")
    expect(error).to_contain_text("De tekstkleur #eeeeee op de achtergrondkleur #ffffff")
    expect(error).to_contain_text("minstens 4,5:1")
    assert_accessible(page, "the console's theme page with a contrast error")

    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    page.locator("#color_text").fill("#1a1a1a")
    page.locator("#color_primary").fill("#a4161a")
    page.get_by_label("Lettertype").select_option("Georgia")
    page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    page.get_by_role("button", name="Thema opslaan").click()
    expect(page.locator("div[role=status]")).to_contain_text("Het thema is opgeslagen.")
    # The console's own header follows the theme.
    assert computed(page.locator(".topbar"), "background-color") == rgb("#a4161a")
    expect(page.locator(".topbar img.org-logo")).to_be_visible()
    assert_accessible(page, "the console's theme page with a logo")

    resident = browser_page(360, 740)
    resident.goto(f"{asgi_server.url}/c/utrecht/")
    assert computed(resident.locator(".chat-header"), "background-color") == rgb("#a4161a")
    expect(resident.locator(".chat-header img.logo")).to_be_visible()
