"""An organisation's theme: each token checked, each bad value refused with a precise error."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from PIL import Image

from balie.errors import Invalid, NotAllowed, TooLarge
from balie.tenants import logos
from balie.tenants.theme import (
    DEFAULTS,
    FONTS,
    blend,
    contrast_ratio,
    do_set_theme,
    font_stack,
    tokens,
)

pytestmark = pytest.mark.django_db


def image_bytes(fmt: str = "PNG", size=(64, 32), colour=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt, **save)
    return out.getvalue()


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # The pair is symmetric; #767676 on white is the well-known 4.54:1.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#ffffff", "#767676") == contrast_ratio("#767676", "#ffffff")


def test_blend_mixes_channels():
    assert blend("#000000", "#ffffff", 0.5) == "#808080"
    assert blend("#154273", "#ffffff", 0) == "#154273"


def test_defaults_until_set(utrecht):
    assert tokens(utrecht) == DEFAULTS
    assert font_stack("system") == FONTS["system"]


def test_admin_sets_colours_and_font(utrecht, admin_ada):
    do_set_theme(
        utrecht,
        actor=admin_ada,
        color_primary="#C8102E",
        color_primary_text="#ffffff",
        font_family="Fira Sans",
    )
    utrecht.refresh_from_db()
    assert tokens(utrecht)["color_primary"] == "#c8102e"  # stored lower-case
    assert tokens(utrecht)["font_family"] == "Fira Sans"
    assert tokens(utrecht)["color_background"] == DEFAULTS["color_background"]
    # Another call changes only what it names; "" goes back to the default.
    do_set_theme(utrecht, actor=admin_ada, font_family="")
    utrecht.refresh_from_db()
    assert tokens(utrecht)["font_family"] == "system"
    assert tokens(utrecht)["color_primary"] == "#c8102e"


@pytest.mark.parametrize("value", ["red", "#fff", "#12345g", "154273", "#1542733", 7])
def test_colour_must_be_rrggbb(utrecht, value):
    with pytest.raises(Invalid) as refused:
        do_set_theme(utrecht, actor=None, color_primary=value)
    assert refused.value.code == "theme_colour"
    assert refused.value.field == "color_primary"
    assert refused.value.message == (  # Dutch is the default language
        f"De hoofdkleur moet een kleur zijn in de vorm #rrggbb (zoals #154273), niet {value!r}."
    )


def test_text_on_background_needs_4_5_to_1(utrecht):
    with pytest.raises(Invalid) as refused:
        do_set_theme(utrecht, actor=None, color_text="#777777")  # 4.48:1 on white
    error = refused.value
    assert error.code == "theme_contrast"
    assert error.field == "color_text"
    with translation.override("en"):
        message = error.message
    assert message == (
        "The text colour #777777 on the background colour #ffffff has a contrast of "
        "4.47:1; at least 4.5:1 is needed (WCAG AA)."
    )
    utrecht.refresh_from_db()
    assert utrecht.theme == {}  # nothing written


def test_primary_text_on_primary_needs_4_5_to_1(utrecht):
    with pytest.raises(Invalid) as refused:
        do_set_theme(utrecht, actor=None, color_primary="#ffcc00")  # white on yellow
    assert refused.value.code == "theme_contrast"
    assert refused.value.field == "color_primary_text"
    assert refused.value.message.startswith(
        "De tekstkleur van de hoofdkleur #ffffff op de hoofdkleur #ffcc00 heeft een contrast van"
    )
    # With dark text on it the same yellow is fine.
    do_set_theme(utrecht, actor=None, color_primary="#ffcc00", color_primary_text="#1a1a1a")


def test_contrast_message_in_dutch(utrecht):
    with pytest.raises(Invalid) as refused:
        do_set_theme(utrecht, actor=None, color_background="#000000")
    with translation.override("nl"):
        message = refused.value.message
    assert message == (
        "De tekstkleur #1a1a1a op de achtergrondkleur #000000 heeft een contrast van "
        "1,20:1. Dat moet minstens 4,5:1 zijn (WCAG AA)."
    )


def test_font_from_the_allow_list_only(utrecht):
    with pytest.raises(Invalid) as refused:
        do_set_theme(utrecht, actor=None, font_family="Comic Sans MS")
    assert refused.value.code == "theme_font"
    assert "'Comic Sans MS'" in refused.value.message and "Fira Sans" in refused.value.message


def test_unknown_token_is_named(utrecht):
    with pytest.raises(Invalid) as refused:
        do_set_theme(utrecht, actor=None, color_link="#000000")
    assert refused.value.code == "theme_unknown_token"
    assert "color_link" in refused.value.message


def test_only_the_organisations_admin(utrecht, groningen, admin_ada, agent_anna):
    with pytest.raises(NotAllowed):
        do_set_theme(utrecht, actor=agent_anna, color_primary="#000000")
    with pytest.raises(NotAllowed):  # Utrecht's admin cannot set Groningen's theme
        do_set_theme(groningen, actor=admin_ada, color_primary="#000000")
    groningen.refresh_from_db()
    assert groningen.theme == {}


def test_stored_garbage_never_reaches_a_style_sheet(utrecht):
    utrecht.theme = {"color_primary": "red;}body{x", "font_family": "x", "logo": "../etc"}
    assert tokens(utrecht) == DEFAULTS


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_logo_is_reencoded_without_metadata(utrecht, admin_ada, fmt, content_type):
    exif = Image.Exif()
    exif[0x010E] = "secret description"
    data = image_bytes(fmt, size=(1024, 256), exif=exif.tobytes())
    do_set_theme(utrecht, actor=admin_ada, logo=data)
    utrecht.refresh_from_db()
    stored = logos.logo_of(utrecht)
    assert stored is not None and stored.content_type == content_type
    assert tokens(utrecht)["logo"] == stored.sha256
    assert (stored.width, stored.height) == (512, 128)  # scaled to fit 512 × 512
    assert b"secret description" not in bytes(stored.data)
    with Image.open(io.BytesIO(bytes(stored.data))) as back:
        assert not back.getexif()


def test_logo_stays_when_colours_change_and_can_be_removed(utrecht, admin_ada):
    do_set_theme(utrecht, actor=admin_ada, logo=image_bytes())
    do_set_theme(utrecht, actor=admin_ada, color_primary="#000000")
    utrecht.refresh_from_db()
    assert tokens(utrecht)["logo"]
    do_set_theme(utrecht, actor=admin_ada, remove_logo=True)
    utrecht.refresh_from_db()
    assert tokens(utrecht)["logo"] == "" and logos.logo_of(utrecht) is None


def test_logo_too_large(utrecht):
    noisy = Image.effect_noise((400, 400), 100).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > logos.MAX_BYTES
    with pytest.raises(TooLarge) as refused:
        do_set_theme(utrecht, actor=None, logo=out.getvalue())
    assert refused.value.code == "logo_too_large"
    assert "hoogstens 200 KB" in refused.value.message


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a" + b"\0" * 100,  # a GIF: not allowed
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",  # SVG: not allowed (it can script)
        b"\x89PNG\r\n\x1a\n" + b"broken",  # looks like PNG, is not
        image_bytes("JPEG")[:200],  # truncated
        b"",
    ],
)
def test_logo_type_from_the_bytes(utrecht, data):
    with pytest.raises(Invalid) as refused:
        do_set_theme(utrecht, actor=None, logo=data)
    assert refused.value.code == "logo_type"
    assert "PNG-, JPEG- of WebP" in refused.value.message


def test_logo_claiming_huge_dimensions_is_refused_before_decoding(utrecht):
    data = image_bytes("PNG", size=(1, 1))
    # Rewrite the IHDR's width and height (and its CRC) to claim 20000 × 20000 pixels.
    import struct
    import zlib

    ihdr = struct.pack(">II", 20000, 20000) + data[24:29]
    forged = data[:16] + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)) + data[33:]
    with pytest.raises(Invalid) as refused:
        do_set_theme(utrecht, actor=None, logo=forged)
    assert refused.value.code in ("logo_pixels", "logo_type")


def test_the_command_sets_and_shows_the_theme(utrecht, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(image_bytes())
    out = io.StringIO()
    call_command(
        "organisation", "theme", "utrecht", "--color-primary", "#C8102E", "--font", "Noto Sans",
        "--logo", str(logo), stdout=out,
    )  # fmt: skip
    shown = json.loads(out.getvalue())
    assert shown["color_primary"] == "#c8102e" and shown["font_family"] == "Noto Sans"
    assert shown["logo"] == logos.logo_of(utrecht).sha256
    out = io.StringIO()
    call_command("organisation", "theme", "utrecht", "--remove-logo", stdout=out)
    assert json.loads(out.getvalue())["logo"] == ""


def test_the_command_names_the_problem(utrecht):
    with pytest.raises(CommandError, match="4,5:1"):
        call_command("organisation", "theme", "utrecht", "--color-text", "#eeeeee")
    with pytest.raises(CommandError, match="nergens"):
        call_command("organisation", "theme", "nergens")
    with pytest.raises(CommandError, match="missing.png"):
        call_command("organisation", "theme", "utrecht", "--logo", "/nonexistent/missing.png")
