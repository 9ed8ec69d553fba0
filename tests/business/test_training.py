"""Training (scikit-learn, the ``train`` extra) on a small stratified part of the corpus:
it runs, keeps the time weak, and writes a model that reads back the same and proposes."""

from __future__ import annotations

from datetime import date

import pytest

from balie.business import corpus
from balie.business.model import Model, load
from balie.business.proposal import propose
from balie.business.signals import NAMES, WEAK, WEAK_CAP
from tests.business.chats import problems

pytest.importorskip("sklearn")

from balie.business.training import train  # noqa: E402 - needs scikit-learn

PER_KIND = 3


@pytest.fixture(scope="module")
def small() -> tuple[Model, list[corpus.Chat]]:
    """A model trained on the first few training chats of each kind, and the held-out chats."""
    training, held_out = corpus.split(corpus.chats())
    some: list[corpus.Chat] = []
    for kind in sorted({chat.kind for chat in training}):
        some += [chat for chat in training if chat.kind == kind][:PER_KIND]
    return train(some, version_date=date(2026, 5, 1)), held_out


def test_training_records_what_it_was_trained_on(small):
    model, _ = small
    assert model.version.startswith("2026.05-")
    assert len(model.trained_on["chats"]) == PER_KIND * len({c.kind for c in corpus.chats()})
    assert model.text_weights
    assert 0.0 < model.low <= model.high < 1.0


def test_the_time_weighs_little(small):
    model, _ = small
    for name in WEAK:
        assert abs(model.signal_weights[NAMES.index(name)]) <= WEAK_CAP, name


def test_the_model_reads_back_as_written(small, tmp_path):
    model, _ = small
    path = tmp_path / "model.json.gz"
    model.save(path)
    assert load(path) == model


def test_the_model_proposes(small):
    model, held_out = small
    for chat in held_out:
        proposals = propose(chat.lines, group=chat.group, model=model)
        assert len(proposals) == len(chat.lines)
        for line, proposal in zip(chat.lines, proposals, strict=True):
            assert not problems(proposal, model), (chat.id, line.text)
