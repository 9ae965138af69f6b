"""The offline AI segment endpoint's cost next to the database work it cannot avoid.

    .venv/bin/python -m bench.ai                    # 100,000 demo customers, SQLite, cached
    .venv/bin/python -m bench.ai --customers 1000000 --database-url postgresql://...

Prints, measured alternately in the same run: `count_members` for the criteria (the baseline:
what a segment preview costs anyway) and `AIService.segment` end to end (store context, the
offline parser, validation against the field registry, the live count); then the context
queries alone and the parser's CPU time per phrase over the test table's phrasings.
"""

import argparse
import time

from bench.common import alternate, default_sqlite_url, seeded_engine
from core.ai.offline.assistant import OfflineAssistant
from core.ai.offline.segments import SegmentParser
from core.ai.service import KNOWN_EVENTS, AIService
from core.config import Settings
from core.segments import count_members

PROMPTS = [
    "US or UK customers who spent over $500 and ordered in the last 90 days",
    "bought shoes in the last year but haven't ordered in 3 months",
    "viewed products 3 times this week and subscribed to email",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    url = args.database_url or default_sqlite_url(args.customers)
    engine, _seeded_at = seeded_engine(url, args.customers)
    service = AIService(Settings(_env_file=None), engine, OfflineAssistant())
    ctx = service.context()
    print(f"{engine.dialect.name}, {ctx.customers:,} customers, repeat {args.repeat}")
    print(f"{'prompt':<72} {'count_members':>13} {'ai/segment':>11} {'ratio':>6} count")
    for prompt in PROMPTS:
        criteria = service.assistant.segment(prompt, ctx).criteria

        def baseline(criteria=criteria):
            with engine.connect() as conn:
                return count_members(conn, criteria, ctx.as_of)

        (base_s, base_n), (ai_s, suggestion) = alternate(
            baseline, lambda p=prompt: service.segment(p), args.repeat
        )
        assert suggestion.count == base_n or abs(suggestion.count - base_n) <= base_n // 1000
        print(f"{prompt[:72]:<72} {base_s * 1000:>10.1f} ms {ai_s * 1000:>8.1f} ms "
              f"{ai_s / base_s:>5.2f}x {base_n:,}")  # fmt: skip
    started = time.perf_counter()
    for _ in range(args.repeat):
        service.context()
    print(
        f"store context (5 queries): {(time.perf_counter() - started) / args.repeat * 1000:.1f} ms"
    )
    from tests.test_ai_offline_parser import CASES

    segment_parser = SegmentParser(ctx.categories, KNOWN_EVENTS)
    started = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for phrase, _expected, _members in CASES:
            segment_parser.parse(phrase)
    per = (time.perf_counter() - started) / (rounds * len(CASES)) * 1e6
    print(f"offline parser: {per:.0f} µs per phrase ({len(CASES)} phrasings x {rounds})")


if __name__ == "__main__":
    main()
