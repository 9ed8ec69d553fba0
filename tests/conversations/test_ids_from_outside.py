"""One parser for ids from URLs and bodies: conversations, records and saved searches treat
every odd id alike (before, each selector parsed its own way: "1_2" and " 12" found a
conversation, "²" crashed the records selector with a ValueError)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balie.conversations.actions.checks import MAX_INT, id_from_outside
from balie.conversations.selectors import ConversationNotFound, access_conversation
from balie.records.selectors import RecordNotFound, access_hold
from balie.search.selectors import SavedSearchNotFound, access_saved_search

ODD = [
    "1_2", " 12", "12 ", "+12", "-1", "0", "012", "²", "١٢", "1e3", "", "12.0", 0, -1,
    MAX_INT + 1, 2**70, True, False, None, 1.0, [1], {"id": 1}, str(MAX_INT + 1),
]  # fmt: skip


@pytest.mark.parametrize("value", ODD, ids=repr)
def test_odd_ids_are_not_ids(value):
    assert id_from_outside(value) is None


@pytest.mark.parametrize("value", [1, "1", MAX_INT, str(MAX_INT), "12"])
def test_ids(value):
    assert id_from_outside(value) == int(value)


@given(st.text(max_size=25))
def test_any_text_is_an_id_or_nothing(text):
    parsed = id_from_outside(text)
    assert parsed is None or (str(parsed) == text and 1 <= parsed <= MAX_INT)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1_2", " 12", "²", "١٢", str(2**63), 2**70, True])
def test_every_selector_answers_not_found(value, agent_anna, records_rik):
    with pytest.raises(ConversationNotFound):
        access_conversation(agent_anna, value)
    with pytest.raises(RecordNotFound):
        access_hold(records_rik, value)
    with pytest.raises(SavedSearchNotFound):
        access_saved_search(agent_anna, value)
