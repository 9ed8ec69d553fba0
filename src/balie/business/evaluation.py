"""How well a model proposes on labelled chats: what the held-out test asserts and the
benchmark prints.

- business recall: the share of business messages *not* proposed as private (a business
  message proposed as private is lost when the official accepts the proposal; one in the
  doubt band is decided by the official);
- private stored: the share of private messages proposed as business (stored when accepted);
- doubt: the share of all messages the official has to decide.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from balie.business.corpus import Chat
from balie.business.model import Model
from balie.business.proposal import BUSINESS, DOUBT, PRIVATE, propose

__all__ = ["Report", "evaluate"]


@dataclass
class Counts:
    business: int = 0
    private: int = 0
    business_lost: int = 0  # business proposed private
    private_stored: int = 0  # private proposed business
    doubt: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return 1.0 - self.business_lost / self.business if self.business else 1.0

    @property
    def stored(self) -> float:
        return self.private_stored / self.private if self.private else 0.0

    @property
    def doubt_share(self) -> float:
        total = self.business + self.private
        return self.doubt / total if total else 0.0


@dataclass
class Report:
    total: Counts = field(default_factory=Counts)
    by_kind: dict[str, Counts] = field(default_factory=dict)
    verdicts: Counter = field(default_factory=Counter)

    def table(self) -> str:
        rows = [f"{'kind':22} {'msgs':>5} {'recall':>7} {'private stored':>15} {'doubt':>6}"]
        for kind, c in [*sorted(self.by_kind.items()), ("all", self.total)]:
            rows.append(
                f"{kind:22} {c.business + c.private:5} {c.recall:7.3f} {c.stored:15.3f} "
                f"{c.doubt_share:6.3f}"
            )
        return "\n".join(rows)


def evaluate(model: Model, chats: list[Chat]) -> Report:
    report = Report()
    for chat in chats:
        counts = report.by_kind.setdefault(chat.kind, Counts())
        for proposal, business in zip(
            propose(chat.lines, group=chat.group, model=model), chat.labels, strict=True
        ):
            report.verdicts[proposal.verdict] += 1
            for c in (counts, report.total):
                if business:
                    c.business += 1
                    c.business_lost += proposal.verdict == PRIVATE
                else:
                    c.private += 1
                    c.private_stored += proposal.verdict == BUSINESS
                c.doubt += proposal.verdict == DOUBT
                c.correct += (proposal.verdict == BUSINESS) == business and (
                    proposal.verdict != DOUBT
                )
    return report
