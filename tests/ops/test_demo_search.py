"""The README's search examples find what they promise in the demo data (issue 10, finding 10:
they found nothing)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from balie.ops import demo_data

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


def _search(query: str) -> list[str]:
    out = io.StringIO()
    call_command(
        "search", "--organisation=utrecht", "--user=agent_anna_utrecht", "--json", query, stdout=out
    )
    return [hit["snippet"] for hit in json.loads(out.getvalue())["results"]]


def test_the_readme_search_examples_find_demo_messages():
    demo_data.seed()
    examples = re.findall(r'"(\w+)" finds "(\w+)"', README.read_text())
    assert examples, "the README's search examples moved: update this test"
    for query, finding in examples:
        snippets = _search(query)
        assert any(finding in snippet for snippet in snippets), (query, finding, snippets)
