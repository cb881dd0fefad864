"""The imports folder: which files are waiting, whether they have settled, moving
them into ``archive/YYYY-MM/`` or ``failed/``, and the note left beside a refused file.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import sqlite_utils

from riskboard.ingest.reader import WORKBOOK_SUFFIXES  # what `riskboard import` reads
from riskboard.ingest.regular import special_kind
from riskboard.safe_text import for_terminal, quote_name, replace_undecodable
from riskboard.schedule.timing import iso
from riskboard.store import runs

ARCHIVE_DIR = "archive"
FAILED_DIR = "failed"


def is_ignored_name(name: str) -> bool:
    """Excel lock files (``~$x.xlsx``), other ``~`` temp files and hidden files."""
    return name.startswith(("~", "."))


def discover(folder: Path) -> list[Path]:
    """Workbooks waiting in ``folder`` (the formats ``riskboard import`` reads), by name.
    Sub-folders (archive/, failed/) are not looked into. Something with a workbook's
    name that is not a regular file (a FIFO, a device, a link to one or to nothing) is
    listed too, so that it is refused with a reason instead of waiting unseen."""
    found = []
    for entry in folder.iterdir():
        if is_ignored_name(entry.name) or entry.suffix.lower() not in WORKBOOK_SUFFIXES:
            continue
        try:
            if is_folder(entry) or (entry.is_file() and _hidden_on_windows(entry)):
                if is_folder(entry):
                    found.append(entry)  # listed so that it is reported as skipped
                continue
        except OSError:
            continue
        found.append(entry)
    return sorted(found, key=lambda p: p.name.lower())


def is_folder(path: Path) -> bool:
    """A folder with a workbook's name (``x.xlsx/``): never imported, never moved - the
    run reports it as skipped."""
    try:
        return path.is_dir()
    except OSError:
        return False


def not_a_file(path: Path) -> bool:
    """True for anything but a regular file (links followed); never opens it."""
    try:
        return special_kind(os.stat(path).st_mode) is not None
    except FileNotFoundError:
        return path.is_symlink()  # a link to nothing
    except OSError:
        return True


def _hidden_on_windows(path: Path) -> bool:
    attrs = getattr(path.stat(), "st_file_attributes", 0)
    return bool(attrs & 0x2)  # FILE_ATTRIBUTE_HIDDEN


def observation_key(path: Path) -> str:
    """How a waiting file is known in the database (its bytes need not be UTF-8)."""
    return replace_undecodable(str(path.resolve()))


def settle_state(
    db: sqlite_utils.Database, path: Path, now: datetime, settle_seconds: int
) -> str | None:
    """None once ``path`` has kept the same size and mtime for ``settle_seconds``; else
    why it is not read yet, in words.

    A file last modified at least ``settle_seconds`` before ``now`` (by its mtime), and
    unchanged since any earlier look, is settled at once: a cron ``--once --no-wait``
    run reads a file copied in during the day without waiting a night. Otherwise the
    first sighting (or any change) is recorded with ``now``, and a later look that sees
    the same size and mtime at least ``settle_seconds`` after that reads the file."""
    st = path.stat()
    if settle_seconds <= 0:
        return None
    key = observation_key(path)
    seen = runs.get_observation(db, key)
    unchanged = seen is None or (seen.size == st.st_size and seen.mtime_ns == st.st_mtime_ns)
    modified = datetime.fromtimestamp(st.st_mtime_ns / 1e9, tz=now.tzinfo or None)
    if unchanged and now - modified >= timedelta(seconds=settle_seconds):
        return None
    wait = f"it is read once unchanged for {settle_seconds} seconds"
    if seen is None or seen.size != st.st_size or seen.mtime_ns != st.st_mtime_ns:
        runs.record_observation(db, key, st.st_size, st.st_mtime_ns, iso(now))
        if seen is None:
            return f"new - {wait} (it may still be being copied)"
        return f"still being written (changed since the last look) - {wait}"
    first = datetime.fromisoformat(seen.first_seen_at)
    if now - first >= timedelta(seconds=settle_seconds):
        return None
    return f"unchanged for less than {settle_seconds} seconds - read on the next look"


# --------------------------------------------------------------------------- moving


def free_name(folder: Path, name: str) -> str:
    """``name``, or ``stem-2.ext``, ``stem-3.ext``... so nothing in ``folder`` (the file or
    its ``.error.txt``) is overwritten."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = name, 1
    while os.path.lexists(folder / candidate) or os.path.lexists(folder / f"{candidate}.error.txt"):
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    return candidate


def move_into(src: Path, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / free_name(folder, name or src.name)
    shutil.move(str(src), str(target))
    return target


def error_note(
    name: str, reason: str, fix: str | None, *, imports: Path, when: str, moved: bool
) -> str:
    """The ``<name>.error.txt`` beside a refused file: what happened, why, what to do."""
    where = (
        f"Moved here from {imports}" if moved else f"Could not be moved: it is still in {imports}"
    )
    steps = fix or (
        "Correct what is described above in the workbook, or ask the contractor for a"
        f" corrected export, then put the corrected file in {imports}."
    )
    why = "\n".join("  " + for_terminal(line.strip()) for line in reason.splitlines())
    return (
        "riskboard did not import this file. Nothing from it was added to the database.\n"
        "\n"
        f"File:  {quote_name(name)}\n"
        f"When:  {when}\n"
        f"Where: {where}\n"
        "\n"
        f"Why:\n{why}\n"
        "\n"
        "What to do:\n"
        f"  1. {steps}\n"
        "  2. The next scheduler run imports it ('riskboard scheduler --once' runs one now).\n"
        "  3. This copy and this note can then be deleted.\n"
    )
