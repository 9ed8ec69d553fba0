"""The shipped model (``data/model.json.gz``) was trained on the corpus's training chats as
they are now, and on none of the held-out ones."""

from __future__ import annotations

import re

from balie.business import corpus
from balie.business.model import MODEL_FILE, load, weights_digest

RETRAIN = "the corpus changed: retrain with `python -m balie.business.training` and commit"


def test_the_model_was_trained_on_the_current_training_chats():
    training, _ = corpus.split(corpus.chats())
    trained_on = load().trained_on
    assert trained_on["sha256"] == corpus.digest(training), RETRAIN
    assert trained_on["chats"] == sorted(chat.id for chat in training), RETRAIN
    assert trained_on["messages"] == sum(len(chat.lines) for chat in training), RETRAIN


def test_the_model_never_saw_a_held_out_chat():
    _, held_out = corpus.split(corpus.chats())
    seen = set(load().trained_on["chats"]).intersection(chat.id for chat in held_out)
    assert not seen


def test_the_version_is_the_month_and_the_digest_of_the_weights():
    model = load()
    assert re.fullmatch(r"20\d\d\.(0[1-9]|1[0-2])-[0-9a-f]{12}", model.version), model.version
    digest = weights_digest(model.text_weights, model.signal_weights, model.low, model.high)
    assert model.version.endswith("-" + digest)


def test_the_model_is_read_once():
    assert load() is load()


def test_the_model_is_read_once_however_its_path_is_given():
    assert load(MODEL_FILE) is load()
