"""The text of one message as features, and its score under the model (stage 1).

Features are words, their stems (Dutch Snowball: "vergunningen" and "vergunning" are one)
and pairs of stems, after lower-casing and writing every digit as 0: so "2,1 miljoen" and
"1,8 miljoen" look alike. A few shape features say what the text is made of (a question, a
number, emoji only, a link), and one per field of :mod:`.lexicon` whose words it holds
(municipal matters in any compound, small talk). Character n-grams were tried and measured
worse on this corpus (docs/performance.md).

Scoring sums the weights of a message's features; the weight of a word is its own plus its
stem's, which is what the reasons name (:func:`score`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from itertools import repeat

import snowballstemmer

from balie.business.lexicon import fields_in

__all__ = ["Scored", "features", "score", "stem", "words"]

_DIGIT = str.maketrans("123456789", "000000000")
_DIGITS = re.compile(r"\d")
_URL = re.compile(r"https?://\S+|www\.\S+")
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|[^\w\s]", re.UNICODE)
_SHORT = 4  # words: "doe ik", "komt goed", "👍"
_PUNCTUATION = frozenset(".,;:!?()[]{}\"'’`-–—/\\*…")
# words too common to explain anything: weighed like any other, never named as a reason
_UNNAMED = frozenset(
    """de het een en of in op te van voor met aan om bij dat die dit is er ik je jij u we wij
    ze zij hij ook nog maar wel niet geen al dan als zo wat wie hoe nu toch even ff url the a
    an and or to of in on for is it you i we naar kun kan wil zal zou moet mag heb hebt heeft
    ben bent was waren wordt worden zijn hun mijn jouw ons onze jullie hem haar deze daar hier
    morgen vandaag gisteren over naar uit tot door na heel echt gewoon iets alles niks niets
    graag dus want omdat kunnen moeten willen gaan gaat komt komen twee drie""".split()  # noqa: SIM905 - a word list
)


def words(text: str) -> list[str]:
    """The tokens of ``text``: words (digits as 0), emoji and other symbols one each."""
    text = _URL.sub(" url ", text.lower().translate(_DIGIT))
    return [t for t in _TOKEN.findall(text) if t not in _PUNCTUATION]


_stemmer = snowballstemmer.stemmer("dutch")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word) if word[0].isalnum() else word


def _shape(text: str, tokens: list[str]) -> list[str]:
    shape = ["lex:" + name for name in fields_in(tokens, text.lower())]
    count = sum(1 for t in tokens if t[0].isalnum())
    shape.append("#short" if count <= _SHORT else "#long" if count > 25 else "#medium")
    if not count:
        shape.append("#symbols" if tokens else "#empty")
    if "?" in text:
        shape.append("#question")
    if _DIGITS.search(text):
        shape.append("#number")
    if "url" in tokens:
        shape.append("#link")
    return shape


def features(text: str) -> list[str]:
    """Every feature of ``text``, as the training counts them (a feature may repeat)."""
    tokens = words(text)
    stems = [stem(token) for token in tokens]
    out = _shape(text, tokens)
    out.extend("w " + token for token in tokens)
    out.extend("s " + s for s in stems)
    out.extend(f"b {a} {b}" for a, b in zip(stems, stems[1:], strict=False))
    return out


class Scored:
    """A message's text score (a log-odds of business) and the words that weighed most."""

    __slots__ = ("logit", "words")

    def __init__(self, logit: float, words: list[tuple[float, str]]):
        self.logit = logit
        self.words = words  # (weight, word), the heaviest either way first


# For the weights last scored with (one model per process in practice): each word's weight
# (its own plus its stem's), its stem and whether it may be named, so that a word costs two
# lookups once, then one. The pair is replaced as a whole (threads) and holds the weights, so
# another model never finds their cache.
_known: tuple[Mapping[str, float] | None, dict[str, tuple[float, str, bool]]] = (None, {})
_KNOWN_MAX = 200_000


def _token(token: str, get) -> tuple[float, str, bool]:
    stemmed = stem(token)
    nameable = (
        (len(token) > 1 or not token.isalnum()) and not token.isdigit() and token not in _UNNAMED
    )
    return get("w " + token, 0.0) + get("s " + stemmed, 0.0), stemmed, nameable


def score(text: str, weights: Mapping[str, float], bias: float, explain: int = 3) -> Scored:
    """The text's score: the sum of its features' weights (:func:`features`, counted the
    same way), with the ``explain`` words that weighed most for business and for private."""
    tokens = words(text)
    get = weights.get
    global _known  # noqa: PLW0603 - a cache, replaced as a whole
    owner, known = _known
    if owner is not weights or len(known) > _KNOWN_MAX:
        known = {}
        _known = (weights, known)
    total = bias + sum(map(get, _shape(text, tokens), repeat(0.0)))
    per_word: dict[str, float] = {}
    stems = []
    for token in tokens:
        entry = known.get(token)
        if entry is None:
            entry = known[token] = _token(token, get)
        weight, stemmed, nameable = entry
        stems.append(stemmed)
        total += weight
        if nameable:
            per_word[token] = weight
    if len(stems) > 1:
        total += sum(map(get, [f"b {a} {b}" for a, b in zip(stems, stems[1:])], repeat(0.0)))  # noqa: B905
    if not explain or not per_word:
        return Scored(total, [])
    ranked = sorted(per_word.items(), key=lambda item: item[1])
    heaviest = [(w, t) for t, w in ranked[::-1][:explain] if w > 0]
    heaviest += [(w, t) for t, w in ranked[:explain] if w < 0]
    return Scored(total, heaviest)
