"""A/B tests: a deterministic split of the audience, and the winner from the message log.

The split hashes (campaign, customer), so a retried or resumed batch puts every customer in the
same group and variant again, on any worker, without storing the assignment.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass


def _bucket(campaign_id: int, customer_id: int, salt: str) -> int:
    digest = hashlib.blake2b(f"{salt}:{campaign_id}:{customer_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 10_000


def in_test_group(campaign_id: int, customer_id: int, test_percent: int) -> bool:
    """True for about test_percent % of customers: they get the variants; the rest the winner."""
    return _bucket(campaign_id, customer_id, "test") < test_percent * 100


def pick_variant(campaign_id: int, customer_id: int, splits: Sequence[tuple[int, int]]) -> int:
    """The step id for a test-group customer; `splits` is [(step_id, percent)] adding to 100."""
    point = _bucket(campaign_id, customer_id, "variant")
    edge = 0
    for step_id, percent in splits:
        edge += percent * 100
        if point < edge:
            return step_id
    return splits[-1][0]


@dataclass(frozen=True)
class VariantScore:
    step_id: int
    position: int
    sent: int
    opened: int
    clicked: int

    def rate(self, metric: str) -> float:
        hits = self.clicked if metric == "click" else self.opened
        return hits / self.sent if self.sent else 0.0


def winner(scores: Sequence[VariantScore], metric: str) -> int:
    """The best rate wins; a tie goes to the earlier variant (the marketer's first choice)."""
    best = max(scores, key=lambda s: (s.rate(metric), -s.position))
    return best.step_id
