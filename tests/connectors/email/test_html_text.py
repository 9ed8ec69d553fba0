"""HTML mail reduced to text that staff can read safely: nothing runs, nothing hidden is
shown, the structure that matters to a reader stays."""

from __future__ import annotations

import pytest

from balie.connectors.email.html_text import html_to_text


def test_scripts_styles_and_event_handlers_leave_no_trace():
    text = html_to_text(
        "<html><head><title>Titel</title><style>p{color:red}</style>"
        "<script>alert('head')</script></head><body>"
        "<p onclick=\"steal()\" onmouseover='x()'>Hallo</p>"
        "<script type=module>fetch('https://evil.example')</script>"
        "<img src=x onerror=alert(1)><iframe src=https://evil.example>fallback</iframe>"
        "<svg><text>svg tekst</text></svg><object data=x>obj</object>"
        '<a href="javascript:alert(1)">klik</a> <a href="data:text/html,x">data</a>'
        "</body></html>"
    )
    assert text == "Hallo\n\nklik data"


@pytest.mark.parametrize(
    "hidden",
    [
        '<div style="display:none">verborgen</div>',
        '<div style="DISPLAY : NONE !important">verborgen</div>',
        '<span style="visibility:hidden">verborgen</span>',
        '<span style="font-size:0px">verborgen</span>',
        '<span style="font-size: 0">verborgen</span>',
        '<span style="opacity:0">verborgen</span>',
        '<div style="max-height:0;overflow:hidden">verborgen</div>',
        '<div style="mso-hide:all">verborgen</div>',
        "<p hidden>verborgen</p>",
        '<div style="display:/**/none">verborgen</div>',
        "<template>verborgen</template>",
        '<div style="display:none"><p>verborgen<div>dieper</div>verborgen</p></div>',
    ],
)
def test_hidden_text_is_left_out(hidden):
    assert html_to_text(f"<p>Zichtbaar</p>{hidden}<p>Ook zichtbaar</p>") == (
        "Zichtbaar\n\nOok zichtbaar"
    )


def test_visible_styles_stay():
    text = html_to_text(
        '<span style="font-size:0.9em">klein</span> <span style="opacity:0.5">half</span> '
        '<span style="display:block">blok</span> <span style="width:100px">breed</span>'
    )
    assert text == "klein half blok breed"


def test_line_breaks_lists_tables_and_entities():
    text = html_to_text(
        "<p>Beste&nbsp;gemeente,</p><p>Regel 1<br>Regel 2<br/>Regel 3</p>"
        "<ul><li>een<li>twee</ul><ol><li>eerste</li><li>tweede</li></ol>"
        "<table><tr><td>Naam</td><td>Jan</td></tr><tr><td>Adres</td><td>Straat 1</td></tr></table>"
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &eacute;&#233;&#x20AC;</p>"
        "<h1>Kop</h1><pre>  code\n    ingesprongen</pre>"
    )
    assert text == (
        "Beste gemeente,\n\nRegel 1\nRegel 2\nRegel 3\n\n- een\n- twee\n1. eerste\n2. tweede"
        "\n\nNaam Jan\nAdres Straat 1\n\n<script>alert(1)</script> & éé€\n\nKop\n\n"
        "  code\n    ingesprongen"
    )


def test_links_show_their_address_unless_the_text_does():
    text = html_to_text(
        '<a href="https://www.utrecht.nl/afval">de afvalpagina</a>, '
        '<a href="https://x.nl">https://x.nl</a>, <a href="mailto:jan@example.nl">Jan</a>, '
        '<a href="mailto:jan@example.nl">jan@example.nl</a>'
    )
    assert text == (
        "de afvalpagina (https://www.utrecht.nl/afval), https://x.nl, Jan (jan@example.nl), "
        "jan@example.nl"
    )


def test_quoted_parts_are_marked_and_comments_dropped():
    text = html_to_text(
        "<div>Dank je!</div><!-- [if mso]>geheim<![endif] --><div class=gmail_quote>"
        "Op ma 6 mei schreef Gemeente:<blockquote>Oud<blockquote>Ouder</blockquote></blockquote>"
        "</div>"
    )
    assert text == "Dank je!\nOp ma 6 mei schreef Gemeente:\n> Oud\n> > Ouder"


def test_unclosed_and_broken_markup_is_read_as_a_browser_would():
    assert html_to_text("<p>een<p>twee<div>drie") == "een\n\ntwee\n\ndrie"
    assert html_to_text("<b>vet <i>schuin</b> klaar") == "vet schuin klaar"
    assert html_to_text("</p></div>los</blockquote>") == "los"
    assert html_to_text("<<<>>> a < b > c") == "<<<>>> a < b > c"
    assert html_to_text("<div " + "x" * 10_000).startswith("<div xxx")  # unfinished: text
    assert html_to_text("<div>" * 5000 + "diep" + "</div>" * 5000) == "diep"
