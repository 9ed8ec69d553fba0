"""Training the model from the corpus's training chats (never the held-out ones, never an
official's real messages). Needs scikit-learn (the ``train`` extra); proposing does not.

    .venv/bin/python -m balie.business.training            # writes data/model.json.gz
    .venv/bin/python -m balie.business.training --check    # trains, prints, writes nothing

Stage 1 is a logistic regression over the text features of :mod:`.text`. Stage 2 is a
logistic regression over the signals of :mod:`.signals`, fitted on stage-1 scores that each
chat got from a stage-1 model trained without it (5 folds by chat), so it learns how far a
text score can be trusted, as it will be on a new phone. The time signals' weights are then
capped (:data:`.signals.WEAK_CAP`). The doubt band is where, on those same out-of-fold
scores, more than :data:`MISS` of business messages would fall below it or more than
:data:`MISS` of private ones above it.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from balie.business import corpus
from balie.business.model import MODEL_FILE, Model, weights_digest
from balie.business.signals import NAMES, WEAK, WEAK_CAP, signals
from balie.business.text import features

__all__ = ["train"]

C_TEXT = 0.3
C_SIGNALS = 1.0
FOLDS = 5
MISS = 0.04
KEEP = 1e-4  # text weights smaller than this are left out of the file


def _texts(chats: list[corpus.Chat]):
    return [Counter(features(line.text)) for chat in chats for line in chat.lines]


def _labels(chats: list[corpus.Chat]) -> list[int]:
    return [int(label) for chat in chats for label in chat.labels]


def _matrix(matrix):
    """liblinear takes 32-bit indices only; a corpus this size fits."""
    matrix.indices = matrix.indices.astype("int32")
    matrix.indptr = matrix.indptr.astype("int32")
    return matrix


def _stage1(rows, labels):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    matrix = _matrix(vectorizer.fit_transform(rows))
    fitted = LogisticRegression(
        C=C_TEXT, solver="liblinear", class_weight="balanced", max_iter=1000, random_state=0
    ).fit(matrix, labels)
    return vectorizer, fitted


def _out_of_fold(chats: list[corpus.Chat]) -> list[float]:
    """Each training chat's stage-1 scores, from a model that did not see that chat."""
    logits: dict[str, list[float]] = {}
    order = sorted(chats, key=lambda c: corpus.digest([c]))
    for fold in range(FOLDS):
        test = [c for n, c in enumerate(order) if n % FOLDS == fold]
        rest = [c for n, c in enumerate(order) if n % FOLDS != fold]
        vectorizer, fitted = _stage1(_texts(rest), _labels(rest))
        scores = fitted.decision_function(_matrix(vectorizer.transform(_texts(test))))
        start = 0
        for chat in test:
            logits[chat.id] = list(scores[start : start + len(chat.lines)])
            start += len(chat.lines)
    return [s for chat in chats for s in logits[chat.id]]


def _band(probabilities: list[float], labels: list[int]) -> tuple[float, float]:
    business = sorted(p for p, y in zip(probabilities, labels, strict=True) if y)
    private = sorted((p for p, y in zip(probabilities, labels, strict=True) if not y), reverse=True)
    low = business[int(len(business) * MISS)] if business else 0.5
    high = private[int(len(private) * MISS)] + 1e-6 if private else 0.5
    if low > high:  # the sides barely overlap: no doubt band needed
        low = high = (low + high) / 2
    return round(low, 4), round(high, 4)


def train(chats: list[corpus.Chat], *, version_date: date | None = None) -> Model:
    from sklearn.linear_model import LogisticRegression

    labels = _labels(chats)
    oof = _out_of_fold(chats)
    rows, start = [], 0
    for chat in chats:
        rows += signals(chat.lines, oof[start : start + len(chat.lines)], chat.group)
        start += len(chat.lines)
    second = LogisticRegression(
        C=C_SIGNALS, class_weight="balanced", max_iter=5000, random_state=0
    ).fit(rows, labels)
    weights = [float(w) for w in second.coef_[0]]
    for name in WEAK:
        index = NAMES.index(name)
        weights[index] = max(-WEAK_CAP, min(WEAK_CAP, weights[index]))
    bias = float(second.intercept_[0])
    probabilities = [
        1 / (1 + math.exp(-(bias + sum(w * x for w, x in zip(weights, row, strict=True)))))
        for row in rows
    ]
    low, high = _band(probabilities, labels)
    vectorizer, first = _stage1(_texts(chats), labels)
    text_weights = {
        name: round(float(w), 5)
        for name, w in zip(vectorizer.get_feature_names_out(), first.coef_[0], strict=True)
        if abs(w) >= KEEP
    }
    weights = [round(w, 5) for w in weights]
    day = version_date or datetime.now(UTC).date()
    version = f"{day:%Y.%m}-{weights_digest(text_weights, weights, low, high)}"
    return Model(
        version=version,
        text_bias=round(float(first.intercept_[0]), 5),
        text_weights=text_weights,
        signal_bias=round(bias, 5),
        signal_weights=tuple(weights),
        low=low,
        high=high,
        trained_on={
            "chats": sorted(c.id for c in chats),
            "sha256": corpus.digest(chats),
            "messages": len(labels),
        },
    )


def main(argv: list[str] | None = None) -> int:
    from balie.business.evaluation import evaluate

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=corpus.CORPUS)
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--check", action="store_true", help="train and print; write nothing")
    args = parser.parse_args(argv)
    training, held_out = corpus.split(corpus.chats(args.corpus))
    model = train(training)
    print(f"model {model.version}: {len(model.text_weights):,} text weights; "
          f"doubt band {model.low:.3f}-{model.high:.3f}")  # fmt: skip
    print(dict(zip(NAMES, model.signal_weights, strict=True)), model.signal_bias)
    print(f"held out: {len(held_out)} chats")
    print(evaluate(model, held_out).table())
    if not args.check:
        model.save(args.out)
        print(f"written: {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
