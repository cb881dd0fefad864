"""``riskboard import`` of 500 / 5,000 / 50,000 action rows x 25 columns, beside the
time python-calamine alone and openpyxl ``read_only=True`` alone take to read the same
file; peak memory; what an import in its own child process costs; and how fast, and in
how much memory, hostile files (zip bombs whole and split, entity bomb, a value at
XFD1048576, a link to /dev/zero, a FIFO) are refused.

Targets (issue 13), measured PAIRED - ``riskboard import FILE`` into a fresh database
and a bare python-calamine read of the same file, each a fresh process, run in turn
(A B A B ...), the ratio taken pair by pair: the 50,000-row import within 1.6x the
calamine read, and its peak RSS within 1.3x. The per-size sections below (in-process
``import_file``, phases) explain where the time goes; their ratios are of minimums of
unpaired runs, so they swing with the machine's load - read the paired line.

Each measurement runs in a fresh Python process (so peak RSS is its own). The import is
timed around ``importer.import_file`` into a database that already holds the previous
month (so the flags compare two months, as they do in use): it covers hashing, the
container checks, reading, assembling, the SQLite writes and the flag recompute.

Workbooks are generated once (by ``riskboard.sample``) and cached in
``$TMPDIR/riskboard-bench/``, keyed by the generator's source; delete it to rebuild.

Run: ``.venv/bin/python bench/import_bench.py [ROWS...]`` (or ``make bench``);
``--paired [ROWS]`` for the paired line alone. Prints
figures; never fails on a slow result.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = (500, 5_000, 50_000)
PAIRED_ROWS = 50_000
PAIRED_TARGET = 1.6
PAIRED_RSS_TARGET = 1.3
CALAMINE_READ = """
import sys, python_calamine
wb = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
cells = 0
for name in wb.sheet_names:
    cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
"""
MONTHS = ("2022-07", "2022-08")
REPEATS = {500: 5, 5_000: 3, 50_000: 2}
CACHE = Path(tempfile.gettempdir()) / "riskboard-bench"


# ----------------------------------------------------------------------------- workbooks


def _generator_key() -> str:
    import riskboard.sample as sample

    digest = hashlib.sha256()
    for path in sorted(Path(sample.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def workbooks(rows: int) -> tuple[Path, Path]:
    """(previous month, this month) exports with ``rows`` action rows x 25 columns."""
    from riskboard.sample.columns import ACTION_COLUMNS, COMPACT_RISK_COLUMNS
    from riskboard.sample.data import generate_register
    from riskboard.sample.workbooks import (
        standard_footer,
        standard_title_block,
        write_workbook,
    )

    folder = CACHE / _generator_key()
    paths = tuple(folder / f"iris_{rows}_{month}.xlsx" for month in MONTHS)
    if all(p.exists() for p in paths):
        return paths  # type: ignore[return-value]
    folder.mkdir(parents=True, exist_ok=True)
    per_annex = max(1, rows // (8 * 3) + 1)  # ~3 actions per risk, 8 annexes
    registers = generate_register(list(MONTHS), per_annex, seed=2022, actions_per_risk=(1, 5))
    for month, path in zip(MONTHS, paths, strict=True):
        risks, count = [], 0
        for risk in registers[month]:
            if count >= rows:
                break
            take = max(1, len(risk.actions))
            if count + take > rows:
                risk = risk.model_copy(update={"actions": risk.actions[: rows - count]})
                take = rows - count
            risks.append(risk)
            count += take
        write_workbook(
            path,
            risks,
            shape="per_action",
            risk_columns=COMPACT_RISK_COLUMNS,
            action_columns=ACTION_COLUMNS,
            title_block=standard_title_block(month),
            footer=standard_footer(risks),
        )
    return paths  # type: ignore[return-value]


# ----------------------------------------------------------------------------- one run


def _peak_mb() -> float:
    """This process's peak RSS. On Linux from VmHWM: ru_maxrss of a child also counts
    the RSS its parent had when it forked, which made small refusals look 300 MB big."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(task: str, path: str, extra: str) -> dict[str, Any]:
    """One measurement, in this (fresh) process; module imports are not timed."""
    import python_calamine
    from openpyxl import load_workbook

    from riskboard.config import Config
    from riskboard.errors import RiskboardError
    from riskboard.importer import import_file
    from riskboard.ingest.workbook import parse_workbook
    from riskboard.register import recompute_flags  # noqa: F401 - imported by import_file
    from riskboard.store import open_db

    db = open_db(extra) if task == "import" else None
    start = time.perf_counter()
    out: dict[str, Any] = {}
    if task == "calamine":
        wb = python_calamine.CalamineWorkbook.from_path(path)
        cells = 0
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(r) for r in rows)
        out["cells"] = cells
    elif task == "openpyxl":
        wb = load_workbook(path, read_only=True, data_only=True)
        cells = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
        wb.close()
        out["cells"] = cells
    elif task == "import":
        assert db is not None
        phases = _time_phases()
        result = import_file(db, Path(path), Config())
        out.update(risks=result.risk_count, actions=result.action_count, status=result.status)
        out["phases"] = dict(phases)
        db.conn.close()
    elif task == "refuse":
        try:
            parse_workbook(Path(path), Config())
            out["refused"] = False
        except RiskboardError as exc:
            out.update(refused=True, message=str(exc).splitlines()[0][:110])
    elif task == "isolated":
        from riskboard.isolated_import import import_isolated

        config = Config.model_validate({"paths": {"database": extra}})
        first = import_isolated(Path(path), config)  # forked (single-threaded)
        out["first_seconds"] = time.perf_counter() - start
        again = time.perf_counter()
        out["status"] = import_isolated(Path(path), config).status  # a warm child
        out["warm_seconds"] = time.perf_counter() - again
        out["risks"] = first.risk_count
    out["seconds"] = time.perf_counter() - start
    out["peak_mb"] = _peak_mb()
    return out


def _time_phases() -> dict[str, float]:
    """Wrap the import's stages so one run reports where its time went."""
    import riskboard.importer as importer
    import riskboard.register as register_service
    import riskboard.store.register as store

    phases: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    import riskboard.ingest.reader as reader

    importer.parse_workbook = timed("read+assemble", importer.parse_workbook)  # type: ignore[assignment]
    reader.scan_sheet = timed("of it sheet scan", reader.scan_sheet)  # type: ignore[assignment]
    store.save_import = timed("store", store.save_import)  # type: ignore[assignment]
    register_service.recompute_flags = timed("flags", register_service.recompute_flags)  # type: ignore[assignment]
    return phases


def measure(task: str, path: Path, extra: str = "") -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", task, str(path), extra],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def best(task: str, path: Path, repeats: int, extra: str = "") -> dict[str, Any]:
    runs = [measure(task, path, extra) for _ in range(repeats)]
    return min(runs, key=lambda r: r["seconds"])


def fresh_db(folder: Path, previous: Path, rows: int) -> Path:
    """A database holding the previous month, copied fresh for each timed import."""
    template = folder / f"previous_{rows}.db"
    if not template.exists():
        result = measure("import", previous, str(template))
        assert result["status"] == "imported", result
    target = folder / f"run_{rows}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def bench_size(rows: int, work: Path) -> None:
    previous, current = workbooks(rows)
    repeats = REPEATS.get(rows, 2)
    cal = best("calamine", current, repeats)
    imports = []
    for _ in range(repeats):
        imports.append(measure("import", current, str(fresh_db(work, previous, rows))))
    imp = min(imports, key=lambda r: r["seconds"])
    opx = best("openpyxl", current, 1)
    ratio = imp["seconds"] / cal["seconds"]
    phases = ", ".join(f"{k} {v:.2f} s" for k, v in imp["phases"].items())
    size_mb = current.stat().st_size / 1e6
    print(
        f"{rows:>7,} action rows x 25 cols ({imp['risks']:,} risks, {size_mb:.1f} MB file):\n"
        f"    import end-to-end {imp['seconds']:6.2f} s   peak {imp['peak_mb']:6.0f} MB"
        f"   = {ratio:.2f}x calamine (unpaired minimums: see the PAIRED line)\n"
        f"      of which {phases}\n"
        f"    calamine read     {cal['seconds']:6.2f} s   peak {cal['peak_mb']:6.0f} MB\n"
        f"    openpyxl r/o read {opx['seconds']:6.2f} s   peak {opx['peak_mb']:6.0f} MB"
        f"   = {opx['seconds'] / cal['seconds']:.1f}x calamine"
    )


def bench_paired(rows: int, work: Path, repeats: int = 5) -> None:
    """``riskboard import FILE`` (fresh process, fresh database) against a bare
    calamine read of the same file (fresh process), alternating."""
    from paired import pair

    _previous, current = workbooks(rows)
    folder = work / "paired"
    folder.mkdir(exist_ok=True)
    (folder / "config.toml").write_text('[paths]\ndatabase = "paired.db"\n')

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            (folder / f"paired.db{suffix}").unlink(missing_ok=True)

    riskboard = str(Path(sys.executable).with_name("riskboard"))
    result = pair(
        ("riskboard import (fresh db)", [riskboard, "import", str(current)]),
        ("python-calamine bare read", [sys.executable, "-c", CALAMINE_READ, str(current)]),
        repeats=repeats,
        cwd=folder,
        before_a=fresh,
    )
    time_ok = "within" if result.ratio <= PAIRED_TARGET else "OVER"
    rss_ok = "within" if result.rss_ratio <= PAIRED_RSS_TARGET else "OVER"
    print(
        f"PAIRED, {rows:,} action rows: import {result.ratio:.2f}x calamine ({time_ok} the"
        f" {PAIRED_TARGET:g}x target), peak RSS {result.rss_ratio:.2f}x ({rss_ok} the"
        f" {PAIRED_RSS_TARGET:g}x target)"
    )
    print("\n".join(result.lines()))


def bench_hostile(work: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from workbooks import entity_bomb, sparse_register, split_bomb, understate_size, zip_bomb

    zero = work / "x_2022-09.xlsx"
    zero.symlink_to("/dev/zero")
    fifo = work / "pipe_2022-09.xlsx"
    os.mkfifo(fifo)
    cases = {
        "zip bomb (1 GiB of XML in ~1 MB)": zip_bomb(work / "bomb 2022-08.xlsx", inflated_mb=1024),
        "zip part lying about its size": understate_size(
            zip_bomb(work / "liar 2022-08.xlsx", inflated_mb=200), "xl/worksheets/sheet1.xml", 5000
        ),
        "XML entity bomb (billion laughs)": entity_bomb(work / "lol 2022-08.xlsx"),
        "one value at XFD1048576 (5 KB)": sparse_register(work / "far 2022-08.xlsx"),
        "one value at XFD5000": sparse_register(work / "far5000 2022-08.xlsx", "XFD5000"),
        "split bomb, 60 parts of ~8 MiB (2 MB)": split_bomb(work / "split 2022-08.xlsx"),
        "split bomb, 60 parts of 1 MiB at ~1000x": split_bomb(
            work / "split1000 2022-08.xlsx", part_bytes=1 << 20, noise=0
        ),
        "symlink to /dev/zero": zero,
        "FIFO": fifo,
    }
    print("hostile files (refusal time and peak RSS, fresh process):")
    for label, path in cases.items():
        r = measure("refuse", path)
        state = "refused" if r["refused"] else "NOT REFUSED"
        print(
            f"    {label:<40} {state} in {r['seconds'] * 1000:7.1f} ms, peak {r['peak_mb']:4.0f} MB:"
            f" {r.get('message', '')}"
        )


def bench_isolation(work: Path) -> None:
    """What importing in a child process costs (this process is single-threaded: forked)."""
    previous, _current = workbooks(5_000)
    inproc = measure("import", previous, str(work / "inproc.db"))
    iso = measure("isolated", previous, str(work / "iso.db"))
    print(
        "each import in its own child process (5,000 rows):\n"
        f"    in-process import_file {inproc['seconds']:5.2f} s;"
        f" import_isolated first file {iso['first_seconds']:5.2f} s (forked child),"
        f" a further file (already imported) {iso['warm_seconds'] * 1000:5.0f} ms"
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(*argv[1:4])))
        return 0
    from paired import machine_line

    if argv[:1] == ["--paired"]:
        with tempfile.TemporaryDirectory(prefix="rb-import-bench-") as tmp:
            bench_paired(int(argv[1]) if len(argv) > 1 else PAIRED_ROWS, Path(tmp))
        return 0
    sizes = [int(a) for a in argv] or list(SIZES)
    print(f"riskboard import benchmark ({machine_line()}; workbooks cached in {CACHE})")
    with tempfile.TemporaryDirectory(prefix="rb-import-bench-") as tmp:
        work = Path(tmp)
        bench_paired(PAIRED_ROWS, work)
        for rows in sizes:
            bench_size(rows, work)
        bench_isolation(work)
        bench_hostile(work)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main(sys.argv[1:]))
