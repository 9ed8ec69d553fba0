"""Phone numbers in every notation residents and providers use become one E.164 form;
what is no valid number is refused with a clear error that does not repeat it."""

from __future__ import annotations

import pytest
from django.utils import translation

from balie.connectors.registry import connector_for
from balie.connectors.sms.numbers import InvalidNumber, normalise


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("06-12345678", "+31612345678"),
        ("0612345678", "+31612345678"),
        ("06 1234 5678", "+31612345678"),
        ("(06) 12 34 56 78", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("+31612345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("0031 6 1234 5678", "+31612345678"),
        ("tel:+31-6-12345678", "+31612345678"),
        (" 06.12.34.56.78 ", "+31612345678"),
        ("+31\u00a06\u00a012345678", "+31612345678"),  # copied from a web page
        ("06/12345678", "+31612345678"),
        ("030-2860000", "+31302860000"),  # a landline (Utrecht)
        ("+32 470 12 34 56", "+32470123456"),  # Belgium
        ("0032 470 12 34 56", "+32470123456"),
        ("+49 1512 3456789", "+4915123456789"),  # Germany
        ("+44 7911 123456", "+447911123456"),  # the United Kingdom
        ("+1 650-253-0000", "+16502530000"),  # the United States
        ("+90 532 123 45 67", "+905321234567"),  # Turkey
        ("+212 6 12 34 56 78", "+212612345678"),  # Morocco
    ],
)
def test_numbers_in_many_notations_become_e164(written, stored):
    assert normalise(written) == stored


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "06-1234",  # too short
        "06-123456789",  # too long
        "12345",
        "+999 1234",  # no such country code
        "+31 6 12345678 ext. 12",  # an extension is no one's mobile
        "zes twaalf",
        "whatsapp:+31612345678",  # another channel's address
        "0800-GEMEENTE",
        "+",
        "0" * 70,
        "06-12345678" + "\x00",
        None,
        612345678,
    ],
)
def test_what_is_no_valid_number_is_refused(written):
    with pytest.raises(InvalidNumber) as refused:
        normalise(written, name="from")
    assert refused.value.status == 400 and refused.value.code == "invalid_phone_number"
    assert refused.value.field == "from"


def test_the_refusal_explains_without_repeating_the_number():
    with pytest.raises(InvalidNumber) as refused:
        normalise("06-1234", name="from")
    with translation.override("en"):
        message = refused.value.message
    assert message == (
        "from is not a valid phone number. Write it with a country code "
        "(+31 6 12345678) or as a Dutch number (06 12345678)."
    )
    assert "1234" not in message.replace("12345678", "")


def test_the_connector_stores_a_residents_address_as_e164():
    connector = connector_for("sms")
    assert connector.address("06-12345678") == "+31612345678"
    with pytest.raises(InvalidNumber):
        connector.address("bel me")
