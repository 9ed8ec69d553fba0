"""The shipped model: two tables of weights and the doubt band, read once per process.

The file (``data/model.json.gz``) is written by :mod:`.training` and holds:

- ``version``: what each import records (``ImportBatch.classifier``): the month it was
  trained and the first 12 hex digits of the SHA-256 of its weights, ``2026.12-2f842b72d1cf``;
- ``text``: stage 1, a bias and a weight per feature of :mod:`.text`;
- ``signals``: stage 2, a bias and a weight per signal of :mod:`.signals` (``NAMES``);
- ``doubt``: the band of probabilities in which the proposal is "twijfel", chosen in
  training so that few business messages fall below it and few private ones above it;
- ``trained_on``: the training chats' ids and the SHA-256 of their files, so that a test can
  tell the model is current and never saw a held-out chat.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from balie.business.signals import NAMES

__all__ = ["MODEL_FILE", "Model", "load"]

MODEL_FILE = Path(__file__).parent / "data" / "model.json.gz"


@dataclass(frozen=True)
class Model:
    version: str
    text_bias: float
    text_weights: dict[str, float]
    signal_bias: float
    signal_weights: tuple[float, ...]  # in signals.NAMES' order
    low: float  # below: private
    high: float  # at or above: business; between: doubt
    trained_on: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "text": {"bias": self.text_bias, "weights": self.text_weights},
            "signals": {
                "bias": self.signal_bias,
                "weights": dict(zip(NAMES, self.signal_weights, strict=True)),
            },
            "doubt": {"low": self.low, "high": self.high},
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_json(cls, data: dict) -> Model:
        signal_weights = data["signals"]["weights"]
        return cls(
            version=data["version"],
            text_bias=float(data["text"]["bias"]),
            text_weights={k: float(v) for k, v in data["text"]["weights"].items()},
            signal_bias=float(data["signals"]["bias"]),
            signal_weights=tuple(float(signal_weights.get(name, 0.0)) for name in NAMES),
            low=float(data["doubt"]["low"]),
            high=float(data["doubt"]["high"]),
            trained_on=data.get("trained_on", {}),
        )

    def save(self, path: Path = MODEL_FILE) -> None:
        raw = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.GzipFile(path, "wb", mtime=0) as file:  # the same bytes for the same model
            file.write(raw.encode())


def weights_digest(text_weights: dict[str, float], signal_weights, low, high) -> str:
    raw = json.dumps([sorted(text_weights.items()), list(signal_weights), low, high])
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def load(path: Path = MODEL_FILE) -> Model:
    """The model in ``path`` (the shipped one by default), read once per process however the
    path is written."""
    return _read(Path(path).resolve())


@cache
def _read(path: Path) -> Model:
    with gzip.open(path, "rb") as file:
        return Model.from_json(json.loads(file.read()))
