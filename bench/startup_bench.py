"""Start-up: ``riskboard --help``, ``show REF`` and ``flags --json`` on the demo
database, each paired against ``python -c pass`` (fresh processes, alternating).

Target: each within +60 ms of ``python -c pass`` (the difference of the pair-by-pair
medians is printed as "difference").

Run: ``.venv/bin/python bench/startup_bench.py [REPEATS]`` (or ``make bench``). Prints
figures; never fails on a slow result.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from paired import machine_line, pair

TARGET_MS = 60
RISKBOARD = str(Path(sys.executable).with_name("riskboard"))


def main(argv: list[str]) -> int:
    repeats = int(argv[0]) if argv else 11
    print(f"riskboard start-up benchmark ({machine_line()})")
    with tempfile.TemporaryDirectory(prefix="rb-startup-bench-") as tmp:
        demo = Path(tmp) / "demo"
        subprocess.run([RISKBOARD, "demo", str(demo)], check=True, capture_output=True)
        floor = ("python -c pass", [sys.executable, "-c", "pass"])
        for label, args in (
            ("riskboard --help", ["--help"]),
            ("riskboard show BS-001", ["show", "BS-001"]),
            ("riskboard flags --json", ["flags", "--json"]),
        ):
            result = pair((label, [RISKBOARD, *args]), floor, repeats=repeats, cwd=demo)
            verdict = "within" if result.delta_ms <= TARGET_MS else "OVER"
            print(f"{label}: +{result.delta_ms:.0f} ms over python ({verdict} +{TARGET_MS} ms)")
            print("\n".join(result.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
