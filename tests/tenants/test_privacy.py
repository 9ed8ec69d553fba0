"""An organisation's allow-list and grounds for the personal-data detector."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from balie.errors import Invalid
from balie.pii import detect
from balie.tenants.privacy import check_privacy, do_set_privacy, privacy_context

pytestmark = pytest.mark.django_db

UTRECHT = {
    "allow": {
        "phones": ["14 030", "030 286 0000"],
        "emails": ["info@utrecht.nl"],
        "addresses": ["Stadsplateau 1"],
        "names": ["Sharon Dijksma"],
    },
    "grounds": {"phone": "5.1.2d"},
}


def test_settings_are_stored_and_read_as_the_detectors_context(utrecht):
    do_set_privacy(utrecht, UTRECHT)
    utrecht.refresh_from_db()
    context = privacy_context(utrecht)
    text = "Bel 030 286 0000 of mevrouw Jansen op 0612345678. Burgemeester Dijksma komt."
    spans = detect(text, context)
    assert [(text[s.start : s.end], s.ground) for s in spans] == [
        ("Jansen", "5.1.2e"),
        ("0612345678", "5.1.2d"),
    ]


def test_one_organisations_settings_never_reach_another(utrecht, groningen):
    do_set_privacy(utrecht, UTRECHT)
    groningen.refresh_from_db()
    text = "Bel 030 286 0000"
    assert [s.category for s in detect(text, privacy_context(groningen))] == ["phone"]
    assert detect(text, privacy_context(utrecht)) == []


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "De privacy-instellingen moeten een JSON-object zijn."),
        ({"participants": []}, "Onbekende sleutel participants in de privacy-instellingen"),
        ({"allow": {"phone": ["1"]}}, "context.allow: unknown key 'phone'"),
        ({"grounds": {"bsn": 5}}, "context.grounds.bsn: expected a string"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(data, message):
    with pytest.raises(Invalid) as raised:
        check_privacy(data)
    assert raised.value.code == "privacy_invalid"
    assert message in str(raised.value.message)  # Dutch, the default language


def test_a_refused_change_keeps_the_old_settings(utrecht):
    do_set_privacy(utrecht, UTRECHT)
    with pytest.raises(Invalid):
        do_set_privacy(utrecht, {"allow": {"phone": []}})
    utrecht.refresh_from_db()
    assert utrecht.privacy["allow"]["phones"] == ["14 030", "030 286 0000"]


def test_the_command_sets_and_shows_the_settings(utrecht, tmp_path):
    path = tmp_path / "utrecht.json"
    path.write_text(json.dumps(UTRECHT))
    out = io.StringIO()
    call_command("organisation", "privacy", "--slug", "utrecht", "--file", str(path), stdout=out)
    assert json.loads(out.getvalue())["grounds"] == {"phone": "5.1.2d"}
    out = io.StringIO()
    call_command("organisation", "privacy", "--slug", "utrecht", stdout=out)
    assert json.loads(out.getvalue())["allow"]["names"] == ["Sharon Dijksma"]


def test_the_command_names_the_problem(utrecht, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"allow": {"phone": []}}')
    with pytest.raises(CommandError, match="unknown key 'phone'"):
        call_command("organisation", "privacy", "--slug", "utrecht", "--file", str(path))
    with pytest.raises(CommandError, match="nergens"):
        call_command("organisation", "privacy", "--slug", "nergens")
