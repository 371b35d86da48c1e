"""Benchmark of the eligibility engine (commendations/eligibility.py) at ministry scale, in pure Python.

Generates, reproducibly (--seed), 5,000 people with 10 years of history each — annual ratings (some
with under 6 months worked or maternity leave), LĐTT / CSTĐCS / Bằng khen / CSTĐ cấp Bộ merit awards
that follow from the ratings, campaign and ad-hoc awards, initiatives of every level (some already
used) and a few discipline / investigation holds — about 100,000 records, then judges every person
for Chiến sĩ thi đua cấp Bộ and Bằng khen của Thủ tướng with ``evaluate_many`` and prints the time.
The target is < 3 s for both awards together; the script exits 1 above it.

    .venv/bin/python bench/eligibility_bench.py [--seed N] [--nominees N] [--years N] [--runs N]

No database: the Django side turns rows into the engine's dataclasses with a constant number of
queries; this measures the engine alone. See bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from commendations.eligibility import (  # noqa: E402 - after the path is set
    AD_HOC,
    BKBT,
    BKTTG,
    CAMPAIGN,
    CSTDBO,
    CSTDCS,
    DISCIPLINE,
    HTNV,
    HTTNV,
    HTXSNV,
    INVESTIGATION,
    KHTNV,
    LDTT,
    MERIT,
    MINISTRY_LEVEL,
    NATIONAL_LEVEL,
    PERSON,
    UNIT_LEVEL,
    AwardRecord,
    Hold,
    Initiative,
    PersonHistory,
    Rating,
    default_rule_set,
    evaluate_many,
    rules_in_force,
)

TARGET_SECONDS = 3.0
GRADES = (HTXSNV, HTTNV, HTNV, KHTNV)
# (share of people, grade weights): a few strong performers, most good, some weaker
PROFILES = ((15, (80, 18, 2, 0)), (55, (25, 60, 12, 3)), (30, (5, 60, 28, 7)))
LEVEL_WEIGHTS = ((UNIT_LEVEL, 75), (MINISTRY_LEVEL, 22), (NATIONAL_LEVEL, 3))


def generate(rng: random.Random, nominees: int, first: int, last: int) -> dict[str, PersonHistory]:
    profile_weights, profiles = zip(*PROFILES, strict=True)
    levels, level_weights = zip(*LEVEL_WEIGHTS, strict=True)
    people: dict[str, PersonHistory] = {}
    decision = 0
    for n in range(nominees):
        ratings, awards, initiatives, holds = [], [], [], []
        cstdcs_run = 0
        grade_weights = rng.choices(profiles, profile_weights)[0]
        for year in range(first, last + 1):
            months, maternity = 12, 0
            roll = rng.random()
            if roll < 0.03:
                months = rng.randint(2, 5)  # joined late or long illness: not rated
            elif roll < 0.06:
                months, maternity = rng.randint(2, 6), 6  # maternity leave counts as worked
            grade = rng.choices(GRADES, grade_weights)[0]
            score = rng.randint(60, 100)
            ratings.append(Rating(year, grade, score=score, months_worked=months, maternity_months=maternity))
            rated = months + maternity >= 6
            decision += 1
            on = date(year, 12, rng.randint(10, 28))
            if rated and grade in (HTXSNV, HTTNV) and rng.random() < 0.95:
                awards.append(AwardRecord(LDTT, year, MERIT, f"{decision}/QĐ-BTP", on))
                if grade == HTXSNV and rng.random() < 0.8:
                    awards.append(AwardRecord(CSTDCS, year, MERIT, f"{decision}/QĐ-BTP", on))
                    cstdcs_run += 1
                else:
                    cstdcs_run = 0
            else:
                cstdcs_run = 0
            if cstdcs_run >= 2 and rng.random() < 0.4:
                awards.append(AwardRecord(BKBT, year, MERIT, f"{decision}/QĐ-BTP", on))
            if cstdcs_run >= 3 and rng.random() < 0.3:
                awards.append(AwardRecord(CSTDBO, year, MERIT, f"{decision}/QĐ-BTP", on))
            if rng.random() < 0.15:
                awards.append(AwardRecord(rng.choice((CSTDCS, BKBT)), year, rng.choice((CAMPAIGN, AD_HOC)),
                                          f"{decision}/QĐ-BTP", on))
            if rng.random() < 0.25:
                used = f"award-{n}-{year}" if rng.random() < 0.3 else None
                initiatives.append(Initiative(f"SK-{n}-{year}", "Sáng kiến", year,
                                              rng.choices(levels, level_weights)[0], used))
        roll = rng.random()
        if roll < 0.02:
            start = rng.randint(first, last)
            holds.append(Hold(DISCIPLINE, date(start, 3, 1), date(start, 12, 31) if rng.random() < 0.7 else None))
        elif roll < 0.03:
            holds.append(Hold(INVESTIGATION, date(last, 6, 1)))
        people[f"P{n:05d}"] = PersonHistory(tuple(awards), tuple(ratings), tuple(initiatives), tuple(holds))
    return people


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--nominees", type=int, default=5_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5, help="timed runs (the median is reported)")
    args = parser.parse_args()

    year = 2025
    on = date(year, 12, 15)
    started = time.perf_counter()
    people = generate(random.Random(args.seed), args.nominees, year - args.years + 1, year)
    generated = time.perf_counter() - started
    records = sum(len(h.awards) + len(h.ratings) + len(h.initiatives) + len(h.holds) for h in people.values())
    print(f"{len(people):,} nominees, {records:,} records over {args.years} years (seed {args.seed}), "
          f"generated in {generated:.2f} s")

    rule_set = default_rule_set()
    rules = [rules_in_force(rule_set, award, on, PERSON) for award in (CSTDBO, BKTTG)]
    timings, verdicts = [], {}
    for _run in range(args.runs):
        started = time.perf_counter()
        verdicts = {rule.award: evaluate_many(rule, people, year, on) for rule in rules}
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    print(f"evaluate_many, {len(rules)} awards x {len(people):,} nominees: median {median:.3f} s, "
          f"min {min(timings):.3f} s, max {max(timings):.3f} s over {args.runs} runs (target < {TARGET_SECONDS} s)")
    for award, by_person in verdicts.items():
        eligible = sum(1 for v in by_person.values() if v.eligible)
        failed = Counter(
            check.message_code for v in by_person.values() for check in v.checks.children if not check.passed
        )
        top = ", ".join(f"{code} {count:,}" for code, count in failed.most_common(4))
        print(f"  {award}: {eligible:,} eligible; most common failures: {top}")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
