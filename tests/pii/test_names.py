"""Names in chat style: cues, tussenvoegsels, initials, lowercase, names that are words."""

from __future__ import annotations

import pytest

from balie.pii import detect


def names(text: str, context=None) -> list[str]:
    return [text[s.start : s.end] for s in detect(text, context) if s.category == "name"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Goedemorgen, ik ben Fatima el Amrani.", ["Fatima el Amrani"]),
        ("Dank u wel mevrouw El Amrani. Groet, Anna (KCC)", ["El Amrani", "Anna"]),
        ("Ik heb mevrouw Bakker gebeld", ["Bakker"]),
        ("ik heb met willemijn gebeld", ["willemijn"]),
        ("hoi ik ben sanne", ["sanne"]),
        ("belachelijk. ik ben kees bakker, ik woon om de hoek", ["kees bakker"]),
        ("jeroen de wit, geboren 03-11-1979", ["jeroen de wit"]),
        ("nguyen van thanh", ["nguyen van thanh"]),
        ("Mijn buurman Kees heeft de container", ["Kees"]),
        ("J.W. de Vries", ["J.W. de Vries"]),
        ("De heer A. Öztürk", ["A. Öztürk"]),
        ("Jan-Willem de Boer belde", ["Jan-Willem de Boer"]),
        ("Jansen-de Groot", ["Jansen-de Groot"]),
        ("mvg jan", ["jan"]),
        ("Gr. Kees", ["Kees"]),
        ("Tesfay Gebremedhin komt morgen", ["Tesfay Gebremedhin"]),
        ("mijn naam is Agnieszka Kowalczyk", ["Agnieszka Kowalczyk"]),
        ("Hi, my name is John Smith", ["John Smith"]),
        ("Met vriendelijke groet,\nPieter van den Berg", ["Pieter van den Berg"]),
        ("ik heb de Boer gesproken", ["de Boer"]),
        ("een van hen is de zoon van Mike Koster van de Boerhaavelaan", ["Mike Koster"]),
        ("Mevrouw Kaya van Thuiszorg Zonnehuis zegt dat", ["Kaya"]),
        ("Cornelia Wilhelmina de Groot, overleden in januari", ["Cornelia Wilhelmina de Groot"]),
    ],
)
def test_names(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "de bakker op de hoek is dicht",
        "ik ben blij",
        "ik ben van de gemeente",
        "ik ben er om 10 uur",
        "Hoop dat het lukt",
        "Roos staat in de tuin",
        "ik woon in Leiden",
        "Ik verhuis van Zeist naar Utrecht",
        "3732 EK De Bilt",
        "Ik ga naar Albert Heijn",
        "Bakkerij Visser, KvK 30145678",
        "Willem Barentszstraat is dicht",
        "Mag ik de naam en het BSN van uw moeder?",
        "Ik vind de WOZ-waarde te hoog",
        "U kunt in beroep gaan bij de Invordering.",
    ],
)
def test_not_names(text):
    assert names(text) == []


def test_a_name_found_once_is_found_everywhere_in_the_text():
    text = "Mevrouw Bakker belt later. Bakker zei dat. De bakker op de hoek is dicht."
    assert names(text) == ["Bakker", "Bakker"]


def test_apostrophe_s_is_outside_the_name():
    assert names("Anna's fiets staat hier") == ["Anna"]
