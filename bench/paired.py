"""Paired whole-process timing for the bench scripts (not a bench itself).

A shared two-core machine drifts by 2x within a minute, so a ratio of two separately
taken minimums says more about the load than about the code. ``pair`` runs the two
commands in turn - A B A B ... after a warm-up of each - as fresh processes, and
reports for each its median and minimum wall time and peak RSS, and the ratio A/B
taken pair by pair (median and min), so a drift hits both halves of a pair alike.

The children run with Python's bytecode cache on (``PYTHONDONTWRITEBYTECODE`` is
dropped from their environment): with it set, every run recompiles riskboard's ~170
modules, which no installed copy does - start-up looked 5x slower than it is.

Peak RSS is the child's own ``ru_maxrss`` from ``wait4`` (the bench process that forks
it is small, so the pre-exec image does not inflate it).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    seconds: float
    peak_mb: float
    code: int


@dataclass
class Pair:
    label_a: str
    label_b: str
    a: list[Run]
    b: list[Run]

    @property
    def ratios(self) -> list[float]:
        return [x.seconds / y.seconds for x, y in zip(self.a, self.b, strict=True)]

    @property
    def deltas_ms(self) -> list[float]:
        return [(x.seconds - y.seconds) * 1000 for x, y in zip(self.a, self.b, strict=True)]

    def median(self, side: str, attr: str = "seconds") -> float:
        return statistics.median(getattr(r, attr) for r in getattr(self, side))

    def minimum(self, side: str, attr: str = "seconds") -> float:
        return min(getattr(r, attr) for r in getattr(self, side))

    @property
    def ratio(self) -> float:
        """The median of the pair-by-pair ratios A/B: the figure to quote."""
        return statistics.median(self.ratios)

    @property
    def delta_ms(self) -> float:
        """The median of the pair-by-pair differences A - B, in ms."""
        return statistics.median(self.deltas_ms)

    @property
    def rss_ratio(self) -> float:
        return self.median("a", "peak_mb") / self.median("b", "peak_mb")

    def lines(self, indent: str = "    ") -> list[str]:
        out = []
        for side, label in (("a", self.label_a), ("b", self.label_b)):
            out.append(
                f"{indent}{label:<34} median {self.median(side):7.3f} s"
                f"  min {self.minimum(side):7.3f} s  peak RSS {self.median(side, 'peak_mb'):6.0f} MiB"
            )
        out.append(
            f"{indent}ratio (pair by pair, {len(self.a)} pairs): median {self.ratio:.2f}x,"
            f" min {min(self.ratios):.2f}x, max {max(self.ratios):.2f}x;"
            f" difference median {self.delta_ms:+.0f} ms; RSS {self.rss_ratio:.2f}x"
        )
        codes = {r.code for r in self.a + self.b}
        if codes != {0}:
            out.append(f"{indent}NOTE: exit codes seen {sorted(codes)}")
        return out


def run_once(
    argv: Sequence[str], *, cwd: Path | None = None, before: object = None, env: dict | None = None
) -> Run:
    """One fresh process; its output is thrown away. ``before`` (a callable) runs
    first, untimed - e.g. to give the command a fresh database."""
    if callable(before):
        before()
    if env is None:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode)


def pair(
    a: tuple[str, Sequence[str]],
    b: tuple[str, Sequence[str]],
    *,
    repeats: int = 7,
    warmup: int = 1,
    cwd: Path | None = None,
    before_a: object = None,
    before_b: object = None,
    env: dict | None = None,
) -> Pair:
    """Run A and B alternately ``repeats`` times each (after ``warmup`` of each)."""
    for _ in range(warmup):
        run_once(a[1], cwd=cwd, before=before_a, env=env)
        run_once(b[1], cwd=cwd, before=before_b, env=env)
    runs_a: list[Run] = []
    runs_b: list[Run] = []
    for i in range(repeats):
        # alternate which goes first, so neither always follows the other's cache effects
        if i % 2 == 0:
            runs_a.append(run_once(a[1], cwd=cwd, before=before_a, env=env))
            runs_b.append(run_once(b[1], cwd=cwd, before=before_b, env=env))
        else:
            runs_b.append(run_once(b[1], cwd=cwd, before=before_b, env=env))
            runs_a.append(run_once(a[1], cwd=cwd, before=before_a, env=env))
    return Pair(a[0], b[0], runs_a, runs_b)


def machine_line() -> str:
    import platform
    import sys

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, load {load:.1f};"
        f" Python {sys.version.split()[0]}"
    )
