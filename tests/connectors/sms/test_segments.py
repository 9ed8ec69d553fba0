"""How many SMS a reply takes: GSM-7 160 in one, 153 per part; UCS-2 70 in one, 67 per
part; a two-septet character or a surrogate pair never split over two parts."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from balie.connectors.sms.segments import GSM7, UCS2, count_segments


@pytest.mark.parametrize(
    ("text", "encoding", "count", "units"),
    [
        ("", GSM7, 0, 0),
        ("Uw paspoort ligt klaar.", GSM7, 1, 23),
        ("a" * 160, GSM7, 1, 160),
        ("a" * 161, GSM7, 2, 161),
        ("a" * 306, GSM7, 2, 306),
        ("a" * 307, GSM7, 3, 307),
        ("a" * 459, GSM7, 3, 459),
        ("a" * 460, GSM7, 4, 460),
        ("€" * 80, GSM7, 1, 160),  # the extension table: two septets each
        ("€" * 81, GSM7, 2, 162),  # 76 per part (152 septets), never half a euro
        ("a" * 152 + "€", GSM7, 1, 154),
        ("a" * 159 + "€", GSM7, 2, 161),
        ("a" * 152 + "€" + "a" * 10, GSM7, 2, 164),  # € would straddle: it moves on
        ("Café à Genève: ÄÖÜ äöü ñ ß É", GSM7, 1, 28),
        ("[]{}^~|\\", GSM7, 1, 16),
        ("`", UCS2, 1, 1),  # a backtick is not GSM-7
        ("Geachte heer Çelik, ë", UCS2, 1, 21),
        ("ë" * 70, UCS2, 1, 70),
        ("ë" * 71, UCS2, 2, 71),
        ("ë" * 134, UCS2, 2, 134),
        ("ë" * 135, UCS2, 3, 135),
        ("😀" * 35, UCS2, 1, 70),  # outside the BMP: two code units
        ("😀" * 36, UCS2, 2, 72),  # 33 per part, a pair never split
        ("ë" * 66 + "😀", UCS2, 1, 68),
        ("ë" * 66 + "😀" * 3, UCS2, 2, 72),
        ("Ü" * 160, GSM7, 1, 160),
    ],
)
def test_segment_counts(text, encoding, count, units):
    found = count_segments(text)
    assert (found.encoding, found.count, found.units) == (encoding, count, units)


def test_what_each_part_carries():
    assert count_segments("a" * 160).per_segment == 160
    assert count_segments("a" * 161).per_segment == 153
    assert count_segments("ë").per_segment == 70
    assert count_segments("ë" * 71).per_segment == 67


def test_one_non_gsm_character_turns_a_whole_text_to_ucs2():
    text = "Uw afspraak is bevestigd. " * 6  # 156 GSM-7 characters: one SMS
    assert count_segments(text).count == 1
    assert count_segments(text + "ë").count == 3  # 157 UCS-2 units


def test_the_command_shows_the_count(capsys):
    call_command("sms_segments", "a" * 200)
    assert capsys.readouterr().out.strip() == "2 SMS, GSM-7: 200 eenheden, 153 per SMS"
