"""Ten years of history: 120 monthly imports of ~2,000 risks into one database.

Prints, at months 2, 12, 60 and 120, the import's time (``importer.import_file`` in
this process, the file already written), its COMMIT's time and the WAL frames it
wrote; then the database's size; then ``riskboard show REF`` on the 120 months paired
against ``python -c pass`` (fresh processes, alternating).

Targets: month 120's import within 1.15x month 2's; ``show REF`` within 0.1 s.

Two months' exports are generated (by ``riskboard.sample``) and used in turn, each
month's copy stamped with its month in the zip comment (so each is a new file to the
importer; the board month is given as ``month=``). Cached in
``$TMPDIR/riskboard-bench/``.

Run: ``.venv/bin/python bench/history_bench.py [MONTHS]`` (or ``make bench``). Prints
figures; never fails on a slow result.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paired import machine_line, pair

RISKS = 2_000
REPORT_AT = (2, 12, 60, 120)
TARGET_RATIO = 1.15
REPEATS = 5
CACHE = Path(tempfile.gettempdir()) / "riskboard-bench"
RISKBOARD = str(Path(sys.executable).with_name("riskboard"))


def month_name(i: int) -> str:
    return f"{2015 + i // 12:04d}-{i % 12 + 1:02d}"


def base_workbooks() -> list[Path]:
    from riskboard.sample.columns import ACTION_COLUMNS, COMPACT_RISK_COLUMNS
    from riskboard.sample.data import generate_register
    from riskboard.sample.workbooks import standard_footer, standard_title_block, write_workbook

    months = [month_name(0), month_name(1)]
    paths = [CACHE / f"history_{RISKS}_{m}.xlsx" for m in months]
    if all(p.exists() for p in paths):
        return paths
    CACHE.mkdir(parents=True, exist_ok=True)
    registers = generate_register(months, RISKS // 8, seed=2015, actions_per_risk=(1, 3))
    for month, path in zip(months, paths, strict=True):
        risks = registers[month]
        write_workbook(
            path,
            risks,
            shape="per_action",
            risk_columns=COMPACT_RISK_COLUMNS,
            action_columns=ACTION_COLUMNS,
            title_block=standard_title_block(month),
            footer=standard_footer(risks),
        )
    return paths


def wal_frames(db_path: Path) -> tuple[int, int]:
    """(salt, valid frames) of the WAL now: frames are counted from the header while
    their salts match it (a checkpoint that restarts the WAL changes the salt)."""
    wal = Path(f"{db_path}-wal")
    if not wal.exists() or wal.stat().st_size < 32:
        return (0, 0)
    with wal.open("rb") as fh:
        header = fh.read(32)
        page_size = struct.unpack(">I", header[8:12])[0]
        salt = header[16:24]
        frames = 0
        while True:
            frame = fh.read(24)
            if len(frame) < 24 or frame[8:16] != salt:
                break
            fh.seek(page_size, os.SEEK_CUR)
            frames += 1
    return (int.from_bytes(salt, "big"), frames)


@contextlib.contextmanager
def commit_timer(times: list[float]) -> Iterator[None]:
    """Time each COMMIT the importer's ``write_transaction`` runs (the real one runs:
    its connection's ``execute`` is wrapped for the length of one import)."""
    import riskboard.importer as importer

    real = importer.write_transaction

    @contextlib.contextmanager
    def timed(db: Any) -> Iterator[Any]:
        conn = db.conn

        class Timed:
            def __getattr__(self, name: str) -> Any:
                return getattr(conn, name)

            def execute(self, sql: str, *args: Any) -> Any:
                if sql == "COMMIT":
                    start = time.perf_counter()
                    try:
                        return conn.execute(sql, *args)
                    finally:
                        times.append(time.perf_counter() - start)
                return conn.execute(sql, *args)

        db.conn = Timed()
        try:
            with real(db) as inner:
                db.conn = conn  # the work runs on the real connection
                yield inner
                db.conn = Timed()  # COMMIT is timed
        finally:
            db.conn = conn

    importer.write_transaction = timed  # type: ignore[assignment]
    try:
        yield
    finally:
        importer.write_transaction = real  # type: ignore[assignment]


def paired_imports(
    work: Path, month2: Path, final: Path, bases: list[Path], config: Any, months: int
) -> None:
    """The next month's import into a copy of the month-2 database and into a copy of
    the last month's, in turn (A B A B), in this process: the pair-by-pair ratio."""
    from riskboard.importer import import_file
    from riskboard.store import open_db

    with sqlite3.connect(final) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    late, early = [], []
    for rep in range(REPEATS):
        for which, template, month_index in ((late, final, months), (early, month2, 2)):
            copy = work / "pair.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, copy)
            month = month_name(month_index)
            path = work / f"pair_{month}_{rep}.xlsx"
            shutil.copyfile(bases[month_index % 2], path)
            with zipfile.ZipFile(path, "a") as z:
                z.comment = f"riskboard bench pair {month} {rep}".encode()
            db = open_db(copy)
            start = time.perf_counter()
            import_file(db, path, config, month=month)
            which.append(time.perf_counter() - start)
            db.conn.close()
    ratios = [a / b for a, b in zip(late, early, strict=True)]
    ratio = statistics.median(ratios)
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(
        f"    next month's import, paired ({REPEATS} pairs): after {months} months median"
        f" {statistics.median(late):.3f} s (min {min(late):.3f}), after 2 months median"
        f" {statistics.median(early):.3f} s (min {min(early):.3f});"
        f" ratio median {ratio:.2f}x, min {min(ratios):.2f}x ({verdict} the {TARGET_RATIO:g}x target)"
    )


def show(work: Path, months: int) -> None:
    result = pair(
        ("riskboard show BS-001", [RISKBOARD, "show", "BS-001"]),
        ("python -c pass", [sys.executable, "-c", "pass"]),
        repeats=7,
        cwd=work,
    )
    verdict = "within" if result.median("a") <= 0.1 else "OVER"
    print(f"show REF on {months} months: {result.median('a'):.3f} s ({verdict} 0.1 s)")
    print("\n".join(result.lines()))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--show"]:
        show(Path(argv[1]), int(argv[2]))
        return 0
    from riskboard.config import Config
    from riskboard.importer import import_file
    from riskboard.store import open_db

    keep = None
    if argv[:1] == ["--keep"]:  # keep the last month's database there (for profiling)
        keep, argv = Path(argv[1]), argv[2:]
    months = int(argv[0]) if argv else 120
    print(f"riskboard ten-years history benchmark ({machine_line()})")
    bases = base_workbooks()
    config = Config()
    rows: dict[int, tuple[float, float, int]] = {}
    durations: list[float] = []
    with tempfile.TemporaryDirectory(prefix="rb-history-bench-") as tmp:
        work = Path(tmp)
        db_path = work / "riskboard.db"
        db = open_db(db_path)
        month2 = work / "month2.db"
        risks = 0
        for i in range(months):
            month = month_name(i)
            path = work / f"iris_{month}.xlsx"
            shutil.copyfile(bases[i % 2], path)
            with zipfile.ZipFile(path, "a") as z:
                z.comment = f"riskboard bench {month}".encode()
            salt_before, frames_before = wal_frames(db_path)
            commits: list[float] = []
            with commit_timer(commits):
                start = time.perf_counter()
                result = import_file(db, path, config, month=month)
                seconds = time.perf_counter() - start
            assert result.status == "imported", result
            risks = result.risk_count
            salt, frames = wal_frames(db_path)
            written = frames - (frames_before if salt == salt_before else 0)
            durations.append(seconds)
            rows[i + 1] = (seconds, sum(commits), written)
            path.unlink()
            if i + 1 == 2:
                db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                shutil.copyfile(db_path, month2)
        print(f"{months} monthly imports of {risks:,} risks (in one process, file written):")
        for n in REPORT_AT:
            if n in rows:
                s, c, f = rows[n]
                near = durations[max(0, n - 3) : n + 2]
                print(
                    f"    month {n:>3}: import {s:6.3f} s (median of months {max(1, n - 2)}-"
                    f"{min(months, n + 2)}: {statistics.median(near):6.3f} s),"
                    f" COMMIT {c * 1000:6.1f} ms, WAL frames {f:6,}"
                )
        wal = Path(f"{db_path}-wal")
        wal_mb = wal.stat().st_size / 1e6 if wal.exists() else 0.0
        print(f"    database {db_path.stat().st_size / 1e6:.1f} MB, WAL {wal_mb:.1f} MB")
        db.conn.close()
        paired_imports(work, month2, db_path, bases, config, months)
        (work / "config.toml").write_text(f'[paths]\ndatabase = "{db_path}"\n')
        # in a child: a fork of this (large) process would count its memory as theirs
        subprocess.run([sys.executable, __file__, "--show", str(work), str(months)], check=True)
        if keep is not None:
            shutil.copyfile(db_path, keep)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
