"""Speed tricks that change the behaviour of the whole process - in this one place.

Each is named, says what it buys (measured, and on which Python) and has a plain
reference it is tested against (``tests/test_speed.py``); each can be removed by
deleting its one call. Tricks local to one function (the importer's batched INSERTs,
say) stay with that function.

- ``gc_paused``: the cyclic garbage collector paused for a bulk build of acyclic
  objects (an import). Reference: the collector left on (same objects, same result).
- ``install_none_adapter``: sqlite3 binds ``None`` through an identity adapter, on the
  Pythons where that is faster (3.11 only). Reference: no adapter (same NULLs stored).
- ``defer_model_builds``: pydantic builds a model's validator when it is first used,
  not when its class is defined (the command line only). Reference: built at
  definition (what every test that does not go through ``cli.main`` runs).
- ``freeze_imported_objects``: what a command imported is kept out of the GC's scans
  (the command line only). Reference: not frozen.
"""

from __future__ import annotations

import gc
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC for a bulk build of acyclic objects; restores the prior
    state (a nested pause leaves it paused until the outer one ends).

    An import builds ~1M short-lived acyclic objects (cells, rows, models); with the
    collector on, each generation-2 collection rescans the growing heap for nothing.
    Measured (Python 3.11.7, 50,000 action rows): the workbook assembly about twice as
    fast paused."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _null(value: None) -> None:
    return value


# Measured (a 5-column INSERT of 30,000 rows, 4 of them None, best of 7): Python 3.11.7
# 378 ms plain, 286 ms with the adapter (1.3x for the whole INSERT); 3.12.1 179 / 185 ms
# and 3.13.0 167 / 166 ms (no gain, slightly slower on 3.12): 3.12 binds None directly.
NONE_ADAPTER_PAYS = sys.version_info < (3, 12)


def install_none_adapter() -> bool:
    """On Python 3.11, bind ``None`` through an identity adapter; returns whether it did.

    sqlite3 on 3.11 binds str/int/float directly but sends every other value, None
    included, through its adapter lookup, which for None fails twice (raising and
    formatting an AttributeError each time) before binding NULL; an import binds
    ~150,000 Nones. Registered for None only: None is still stored as NULL; every
    other type binds as before. Process-wide (sqlite3's adapter table is global), so
    it is installed here and nowhere else (called by ``store.register``)."""
    if not NONE_ADAPTER_PAYS:
        return False
    sqlite3.register_adapter(type(None), _null)
    return True


def defer_model_builds() -> None:
    """Have pydantic build each model's validator on first use (``defer_build``).

    A command loads dozens of models it never validates (``riskboard show`` loads the
    meeting service's, the flags', the minutes'...); building them all at import was
    most of its start-up after the imports themselves. Validation is the same, only
    later: a model is built, once, the first time it validates or serialises.
    Measured (Python 3.11.7, busy 2-core machine, 3 runs): importing what
    ``riskboard show`` needs 1.8-2.6 s eager, 0.9-1.2 s deferred (about 2x less
    after pydantic's own import). Called once by ``cli.main`` before any command
    module is imported; library use and the tests build eagerly (the reference)."""
    from pydantic import BaseModel

    BaseModel.model_config["defer_build"] = True


def freeze_imported_objects() -> None:
    """Move every object alive now (the modules, classes and functions a command has
    imported) into the GC's permanent generation (``gc.freeze``): later collections,
    and the full one ``cli.main`` runs at the end of each command, skip them.

    Measured (Python 3.11.7, after importing what ``riskboard show`` needs, ~39,000
    tracked objects): a full collection 7.6 ms, 0.0 ms frozen. Nothing is freed that
    would have been: what the command builds afterwards is collected as before.
    Called once by ``cli.main``, after the command's modules are imported; the
    reference is not calling it (library use and the tests)."""
    gc.freeze()
