"""The process-wide speed tricks (``riskboard.speed``) against their references: each
changes how fast, never what is stored or validated."""

from __future__ import annotations

import gc
import sqlite3
import subprocess
import sys

import pytest

from riskboard import speed


def _stored(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    conn.execute("CREATE TABLE t (a, b, c)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [(None, "x", 1), (2.5, None, None)])
    return conn.execute("SELECT a, typeof(a), b, typeof(b), c, typeof(c) FROM t").fetchall()


def test_none_adapter_stores_what_plain_sqlite3_stores() -> None:
    reference = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, json; c = sqlite3.connect(':memory:');"
            "c.execute('CREATE TABLE t (a, b, c)');"
            "c.executemany('INSERT INTO t VALUES (?, ?, ?)', [(None, 'x', 1), (2.5, None, None)]);"
            "print(json.dumps(c.execute('SELECT a, typeof(a), b, typeof(b), c, typeof(c)"
            " FROM t').fetchall()))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import json

    speed.install_none_adapter()
    with sqlite3.connect(":memory:") as conn:
        assert [list(r) for r in _stored(conn)] == json.loads(reference)
    conn.close()


def test_none_adapter_is_installed_only_where_it_pays() -> None:
    """Installed by the store on Python 3.11 only (3.12 binds None directly and the
    adapter made it slightly slower)."""
    code = (
        "import sqlite3, riskboard.store.register;"
        "print((type(None), sqlite3.PrepareProtocol) in sqlite3.adapters)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == str(sys.version_info < (3, 12))


@pytest.mark.parametrize("enabled", [True, False])
def test_gc_paused_restores_the_collector_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with speed.gc_paused():
            assert not gc.isenabled()
            with speed.gc_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), speed.gc_paused():
            raise RuntimeError("an import failed")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


DEFERRED = """
import json, sys
from riskboard.speed import defer_model_builds
if sys.argv[1] == "defer":
    defer_model_builds()
from pydantic import ValidationError
from riskboard.domain import Risk
from riskboard.config import Config
out = []
for data in ({"ref": "R-1", "title": "t", "current_score": "12"}, {"title": "no ref"}):
    try:
        out.append(Risk.model_validate(data).model_dump(mode="json"))
    except ValidationError as exc:
        out.append([e["type"] for e in exc.errors()])
try:
    Config.model_validate({"paths": {"nonsense": 1}})
except ValidationError as exc:
    out.append([e["type"] for e in exc.errors()])
print(json.dumps(out))
"""


def test_deferred_model_builds_validate_as_eager_ones() -> None:
    results = [
        subprocess.run(
            [sys.executable, "-c", DEFERRED, mode], capture_output=True, text=True, check=True
        ).stdout
        for mode in ("eager", "defer")
    ]
    assert results[0] == results[1]
    assert '"R-1"' in results[0] and "missing" in results[0] and "extra_forbidden" in results[0]


def test_a_command_freezes_its_imports_and_still_collects_its_garbage() -> None:
    code = """
import gc, sys
from riskboard.cli import main
class Cycle:
    pass
import riskboard.cli as cli
cli.build_parser("show")
from riskboard.speed import freeze_imported_objects
before = gc.get_freeze_count()
freeze_imported_objects()
frozen = gc.get_freeze_count()
a = Cycle(); a.me = a
import weakref
ref = weakref.ref(a)
del a
gc.collect()
print(before == 0, frozen > 10_000, ref() is None)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "True", "True"]
