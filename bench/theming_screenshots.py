"""Screenshots for docs/guides/theming.md: the resident page at 360 and 1280 px wide, with the
default theme and with a custom one, and the console (the theme page) at 1280 px.

    python bench/theming_screenshots.py [--out docs/guides/img] [--port 8792]

Starts ``balie serve`` on 127.0.0.1 with a fresh SQLite data directory (two organisations:
one left at the default theme, one with colours, font and a logo, and a conversation on each
page so the bubbles show), and photographs the pages in Debian's Chromium through Playwright.
Run it by hand after a change to the look; it writes PNG files and removes its data. Not a test.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from resident_page import start_server, stop_server, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
THEME = {
    "color_primary": "#a4161a",
    "color_primary_text": "#ffffff",
    "color_background": "#fffbe6",
    "color_text": "#2b2b2b",
    "font_family": "Georgia",
}


def prepare() -> dict[str, str]:
    """Two organisations and a signed-in administrator; the session cookie for the console."""
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "balie.cli", "migrate", "-v", "0"], check=True, env=os.environ.copy()
    )
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections

    from balie.accounts.actions import do_create_staff_user, do_set_membership
    from balie.accounts.models import Role
    from balie.conversations import actions
    from balie.ops.demo_data import demo_logo
    from balie.tenants.actions import do_create_organisation
    from balie.tenants.theme import do_set_theme

    admin = do_create_staff_user(
        username="admin_ada", password=secrets.token_urlsafe(24), first_name="Ada"
    )
    for slug, name, theme in (
        ("voorbeeld", "Gemeente Voorbeeld", None),
        ("rivierstad", "Gemeente Rivierstad", THEME),
    ):
        organisation = do_create_organisation(name=name, slug=slug)
        actions.do_create_team(organisation, name="Algemeen", members=[admin], is_default=True)
        do_set_membership(admin, organisation, Role.ADMIN)
        if theme:
            do_set_theme(organisation, actor=None, logo=demo_logo(theme["color_primary"]), **theme)
    store = SessionStore()
    store[SESSION_KEY] = str(admin.pk)
    store[BACKEND_SESSION_KEY] = "balie.accounts.backends.PasswordBackend"
    store[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    store.create()
    connections.close_all()
    return {"sessionid": store.session_key}


def chat_with_a_question(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#connection[data-state='online']")
    page.get_by_label("Uw bericht").fill("Mijn container is niet geleegd. Wanneer komen jullie?")
    page.get_by_label("Uw bericht").press("Enter")
    page.wait_for_selector("li.message.own[data-seq]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "guides" / "img"))
    parser.add_argument("--port", type=int, default=8792)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="balie-screenshots-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "balie.conf.settings",
            "BALIE_DATA_DIR": str(data_dir),
            "BALIE_SECRET_KEY": secrets.token_urlsafe(50),
            "BALIE_TWO_FACTOR_ENFORCED": "false",  # the console without the authenticator
            "BALIE_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    server = None
    try:
        cookies = prepare()
        log_path = data_dir / "serve.log"
        server = start_server(args.port, log_path)
        wait_healthy(server, args.port, log_path)
        from playwright.sync_api import sync_playwright

        base = f"http://127.0.0.1:{args.port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            shots = [
                ("voorbeeld", 360, 740, "resident-default-360.png"),
                ("voorbeeld", 1280, 800, "resident-default-1280.png"),
                ("rivierstad", 360, 740, "resident-themed-360.png"),
                ("rivierstad", 1280, 800, "resident-themed-1280.png"),
            ]
            for slug, width, height, name in shots:
                context = browser.new_context(
                    viewport={"width": width, "height": height}, locale="nl-NL"
                )
                page = context.new_page()
                chat_with_a_question(page, f"{base}/c/{slug}/")
                page.screenshot(path=str(out / name))
                print(f"wrote {out / name}")
                context.close()
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
            context.add_cookies([{"name": "sessionid", "value": cookies["sessionid"], "url": base}])
            page = context.new_page()
            page.goto(f"{base}/console/rivierstad/theme/")
            page.wait_for_selector("output[data-pair]")
            page.screenshot(path=str(out / "console-theme-1280.png"))
            print(f"wrote {out / 'console-theme-1280.png'}")
            browser.close()
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
