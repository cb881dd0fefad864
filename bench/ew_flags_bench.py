"""The early warning flags over a large month: 16,520 risks (the import benchmark's
50,000-row register) beside an early warning register of 0 and of 1,652 early warnings,
a third of them disagreeing with the risk register.

Target: the early warning flags add under 0.5 s to a month's flag computation (the
risk flags of that month take ~0.5 s). A first version looked each risk's
disagreements up in the whole list - 15.8 s at 1,652 early warnings on this machine;
they are now indexed once.

Run: ``.venv/bin/python bench/ew_flags_bench.py`` (or ``make bench``). Prints figures;
never fails on a slow result.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date

from riskboard.domain import Risk
from riskboard.early_warning import EarlyWarning
from riskboard.ew_flags import cross_reference, ew_flags, risk_flags

RISKS = 16_520
TARGET_S = 0.5


def month(seed: int = 2022) -> tuple[list[Risk], list[EarlyWarning]]:
    rng = random.Random(seed)
    risks = [
        Risk(
            ref=f"HM-{i:05d}",
            status="Open",
            exposure=rng.randrange(10, 300) * 5_000.0 if rng.random() < 0.3 else None,
            early_warning_ref=f"EW-{i:05d}" if rng.random() < 0.1 else None,
        )
        for i in range(RISKS)
    ]
    ews = [
        EarlyWarning(
            ref=f"EW-{i:05d}",
            linked_risk=f"HM-{i + (1 if i % 3 == 0 else 0):05d}",  # a third disagree
            date_notified=date(2022, 5, 1),
            status="open",
        )
        for i in range(0, RISKS, 10)
    ]
    return risks, ews


def run(risks: list[Risk], ews: list[EarlyWarning]) -> tuple[float, int, int]:
    start = time.perf_counter()
    links = cross_reference(risks, ews)
    on_risks = risk_flags(risks, ews, links, threshold=100_000, ew_month="2022-08")
    on_ews = ew_flags(
        ews, risks, links, month="2022-08", ew_month="2022-08", as_of=date(2022, 8, 31),
        undecided_weeks=6, decisions={},
    )  # fmt: skip
    return time.perf_counter() - start, len(on_risks), len(on_ews)


def main() -> None:
    risks, ews = month()
    print(f"early warning flags over {RISKS:,} risks")
    for label, register in (
        ("no early warning register", []),
        (f"{len(ews):,} early warnings", ews),
    ):
        times = []
        for _ in range(5):
            seconds, flagged_risks, flagged_ews = run(risks, register)
            times.append(seconds)
        median = statistics.median(times)
        verdict = "within" if median <= TARGET_S else "OVER"
        print(
            f"  {label:<26} {median * 1000:7.1f} ms median of 5 ({verdict} the"
            f" {TARGET_S * 1000:.0f} ms target): {flagged_risks:,} risks and {flagged_ews:,}"
            " early warnings flagged"
        )


if __name__ == "__main__":
    main()
