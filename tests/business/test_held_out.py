"""The shipped model on the held-out chats of the corpus (never seen in training), against
the issue's acceptance bars. ``pytest -s`` shows the table by kind."""

from __future__ import annotations

import pytest

from balie.business import corpus
from balie.business.evaluation import Report, evaluate
from balie.business.model import load

MIN_RECALL = 0.95  # business messages not proposed as private
MAX_PRIVATE_STORED = 0.05  # private messages proposed as business
MAX_DOUBT = 0.25  # messages the official has to decide


@pytest.fixture(scope="module")
def report() -> Report:
    _, held_out = corpus.split(corpus.chats())
    report = evaluate(load(), held_out)
    print(f"\nheld out: {len(held_out)} chats, model {load().version}\n{report.table()}")
    return report


def test_held_out_covers_every_kind(report):
    kinds = {chat.kind for chat in corpus.chats()}
    assert set(report.by_kind) == kinds


def test_business_recall(report):
    assert report.total.recall >= MIN_RECALL, report.table()


def test_private_stored(report):
    assert report.total.stored <= MAX_PRIVATE_STORED, report.table()


def test_doubt_share(report):
    assert report.total.doubt_share <= MAX_DOUBT, report.table()
