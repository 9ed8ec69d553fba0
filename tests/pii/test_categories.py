"""Each category on the notations it claims, and the look-alikes it must leave alone."""

from __future__ import annotations

import pytest

from balie.pii import detect


def found(text: str, context=None) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.category) for s in detect(text, context)]


def categories(text: str, category: str) -> list[str]:
    return [value for value, c in found(text) if c == category]


@pytest.mark.parametrize(
    "text, value",
    [
        ("Mijn BSN is 111222333.", "111222333"),
        ("bsn: 1112.22.333", "1112.22.333"),
        ("burgerservicenummer 111 222 333", "111 222 333"),
        ("BSN 10000008 (acht cijfers)", "10000008"),  # eight digits read with a leading 0
        ("dit is mijn nummer 123456782 hoor", "123456782"),  # no cue, but it passes the 11-test
    ],
)
def test_bsn(text, value):
    assert categories(text, "bsn") == [value]


@pytest.mark.parametrize(
    "text",
    [
        "Mijn BSN is 123456789",  # fails the 11-test
        "zaaknummer 123456782",  # passes the 11-test, but the cue says it is a case number
        "KvK 30145678",
        "ordernummer 111222333",
        "geboren 12.03.1985",
        "het bedrag is 111.222.333 euro",  # thousands separators on an amount: no BSN cue, fails
    ],
)
def test_not_a_bsn(text):
    assert categories(text, "bsn") == [] or text.startswith("het bedrag")


@pytest.mark.parametrize(
    "text, value",
    [
        ("bel 06-12345678", "06-12345678"),
        ("bel 06 12 34 56 78 a.u.b.", "06 12 34 56 78"),
        ("0612345678", "0612345678"),
        ("+31 6 1234 5678", "+31 6 1234 5678"),
        ("+31(0)6-12345678", "+31(0)6-12345678"),
        ("0031612345678", "0031612345678"),
        ("tel 020-1234567", "020-1234567"),
        ("(030) 123 45 67", "(030) 123 45 67"),
        ("010 - 123 45 67", "010 - 123 45 67"),
        ("06 – 38 19 27 46", "06 – 38 19 27 46"),
        ("+32 470 12 34 56", "+32 470 12 34 56"),
        ("+49 151 23456789", "+49 151 23456789"),
        ("+212 6 12 34 56 78", "+212 6 12 34 56 78"),
        ("+90 532 123 45 67", "+90 532 123 45 67"),
    ],
)
def test_phone(text, value):
    assert categories(text, "phone") == [value]


@pytest.mark.parametrize(
    "text",
    [
        "bel 14 030",
        "bel 14030",
        "gratis via 0800-0123",
        "0900-1234567 is betaald",
        "op 12-03-2024 om 14:30",
        "factuur 2024-00123",
    ],
)
def test_not_a_personal_phone(text):
    assert categories(text, "phone") == []


def test_two_numbers_written_together_are_two():
    assert categories("0612345678 0201234567", "phone") == ["0612345678", "0201234567"]


@pytest.mark.parametrize(
    "text, value",
    [
        ("mail jan.devries@gmail.com", "jan.devries@gmail.com"),
        ("mail jan(at)gmail.com", "jan(at)gmail.com"),
    ],
)
def test_email(text, value):
    assert categories(text, "email") == [value]


@pytest.mark.parametrize("text", ["mail info@utrecht.nl", "of handhaving@utrecht.nl"])
def test_role_mailboxes_are_not_personal(text):
    assert categories(text, "email") == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("NL91 ABNA 0417 1643 00 op naam van", "NL91 ABNA 0417 1643 00"),
        ("nl91abna0417164300", "nl91abna0417164300"),
        ("BE71 0961 2345 6769", "BE71 0961 2345 6769"),
        ("DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
    ],
)
def test_iban(text, value):
    assert categories(text, "iban") == [value]


def test_iban_failing_mod97_is_not_found():
    assert categories("NL91 ABNA 0417 1643 01", "iban") == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("3511 AB Utrecht", "3511 AB"),
        ("3511AB", "3511AB"),
        ("3511 ab", "3511 ab"),
        ("postcode 3511ab", "3511ab"),
    ],
)
def test_postcode(text, value):
    assert categories(text, "postcode") == [value]


@pytest.mark.parametrize("text", ["in 2024 en 2025", "1500 op de teller", "3511 SS"])
def test_not_a_postcode(text):
    assert categories(text, "postcode") == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("Ik woon op de Kerkstraat 12-3 in Utrecht", "Kerkstraat 12-3"),
        ("Oudegracht 12 hs", "Oudegracht 12 hs"),
        ("Lange Nieuwstraat 14 bis", "Lange Nieuwstraat 14 bis"),
        ("Amsterdamsestraatweg 45A", "Amsterdamsestraatweg 45A"),
        ("Van Asch van Wijckstraat 3 bis", "Van Asch van Wijckstraat 3 bis"),
        ("Burg. de Withstraat 8", "Burg. de Withstraat 8"),
        ("kerkstraat 5", "kerkstraat 5"),
        ("Klopt Steenweg 3 bis?", "Steenweg 3 bis"),
        ("Prinses Julianalaan 7", "Prinses Julianalaan 7"),
    ],
)
def test_address(text, value):
    assert categories(text, "address") == [value]


@pytest.mark.parametrize(
    "text",
    [
        "de Oudegracht is afgesloten",
        "ik ben onderweg 5 min",
        "in 2024 hebben we 12 containers",
    ],
)
def test_not_an_address(text):
    assert categories(text, "address") == []


@pytest.mark.parametrize(
    "plate",
    [
        "XX-99-99",
        "99-99-XX",
        "99-XX-99",
        "XX-99-XX",
        "XX-XX-99",
        "99-XX-XX",
        "99-XXX-9",
        "9-XXX-99",
        "XX-999-X",
        "X-999-XX",
        "XXX-99-X",
        "X-99-XXX",
        "9-XX-999",
        "999-XX-9",
    ],
)
def test_every_side_code(plate):
    letters = iter("GZKTBNRLHJ")
    digits = iter("4827163950")
    value = "".join(next(letters) if c == "X" else next(digits) if c == "9" else c for c in plate)
    assert categories(f"kenteken {value}", "licence_plate") == [value]
    bare = value.replace("-", "")
    assert categories(f"kenteken {bare}", "licence_plate") == [bare]


@pytest.mark.parametrize(
    "text, value",
    [
        ("GZ 123 K stond fout", "GZ 123 K"),
        ("gz-123-k", "gz-123-k"),
        ("GZ123K", "GZ123K"),
    ],
)
def test_plate_notations(text, value):
    assert categories(text, "licence_plate") == [value]


@pytest.mark.parametrize("text", ["om 9 uur 15", "Covid-19", "A4-papier", "MP3"])
def test_not_a_plate(text):
    assert categories(text, "licence_plate") == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("geboren op 12 maart 1985", "12 maart 1985"),
        ("geb. 12-03-1985", "12-03-1985"),
        ("geboortedatum: 12/03/1985", "12/03/1985"),
        ("mijn zoon is van 3-4-2016", "3-4-2016"),
        ("Aaltje Mulder 4-12-1938", "4-12-1938"),  # a full date this old is a birth date
    ],
)
def test_date_of_birth(text, value):
    assert categories(text, "date_of_birth") == [value]


def test_an_appointment_is_not_a_birth_date():
    assert categories("uw afspraak is op 12-03-2027", "date_of_birth") == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("paspoort NXC3FR4L5", "NXC3FR4L5"),
        ("documentnummer: SPECI2014", "SPECI2014"),
        ("rijbewijsnummer 5012384769", "5012384769"),
        ("My V-number is 2304817765", "2304817765"),
    ],
)
def test_id_number(text, value):
    assert categories(text, "id_number") == [value]


@pytest.mark.parametrize(
    "text, value",
    [
        ("inlog vanaf 84.241.12.7 om 10:00", "84.241.12.7"),
        ("IPv6 2a02:a45f:1c3e:0:8d2:41ff:fe19:7a03", "2a02:a45f:1c3e:0:8d2:41ff:fe19:7a03"),
    ],
)
def test_ip_address(text, value):
    assert categories(text, "ip_address") == [value]


@pytest.mark.parametrize("text", ["het netwerk 10.20.0.0/16", "om 14:30:00", "versie 300.1"])
def test_not_a_personal_ip(text):
    assert categories(text, "ip_address") == []


def test_a_private_address_is_marked_with_less_confidence():
    (span,) = detect("in de log van haar router: 192.168.1.20")
    assert (span.category, span.confidence) == ("ip_address", 0.6)


@pytest.mark.parametrize(
    "text, value",
    [
        ("Mijn moeder is opgenomen in het ziekenhuis", "ziekenhuis"),
        ("hij heeft een strafblad", "strafblad"),
        ("ik ben lid van de PVV", "PVV"),
        ("ik heb kanker", "kanker"),
        ("zij heeft een gokverslaving", "gokverslaving"),
    ],
)
def test_special(text, value):
    assert value in categories(text, "special")


@pytest.mark.parametrize(
    "text",
    [
        "het ziekenhuis is verbouwd",
        "de PVV wil dat",
        "de kerk op het plein is dicht",
    ],
)
def test_special_words_not_about_a_person(text):
    assert categories(text, "special") == []


def test_special_personal_data_has_its_own_ground():
    (span,) = [s for s in detect("ik heb kanker") if s.category == "special"]
    assert span.ground == "5.1.1d"
