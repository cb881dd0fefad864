"""Opening the database (the review of issue 10, findings 5, 6 and 7): reading commands
work in a read-only folder; another application's SQLite file is never touched; nothing
is created at a mistyped path by a refused import; processes creating one database at
the same moment all succeed."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from riskboard.cli import main
from riskboard.errors import NotFound, StoreUnavailable
from riskboard.store import open_db
from workbooks import register_rows, write_xlsx


@pytest.fixture()
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _config(root: Path, database: str) -> None:
    (root / "config.toml").write_text(f'[paths]\ndatabase = "{database}"\n', encoding="utf-8")


# ---------------------------------------------------------- another application's file


def test_another_applications_database_is_refused_and_left_untouched(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = here / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE invoices (id INTEGER, total REAL)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    _config(here, "other.db")
    for argv in (["risks"], ["flags"], ["scheduler", "status"]):
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert f"database {other} is not a riskboard database" in err
        assert "invoices" in err and len(err.strip().splitlines()) == 1
    write_xlsx(here / "joint.xlsx", {"Register": register_rows()})
    assert main(["import", "joint.xlsx"]) == 1
    assert "is not a riskboard database" in capsys.readouterr().err
    assert other.read_bytes() == before  # no tables added, not switched to WAL
    assert not (here / "other.db-wal").exists()


def test_an_empty_file_is_no_database_to_a_reading_command(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (here / "empty.db").touch()
    _config(here, "empty.db")
    assert main(["risks"]) == 1
    assert f"no riskboard database at {here / 'empty.db'}: the file is empty" in (
        capsys.readouterr().err
    )
    assert (here / "empty.db").stat().st_size == 0
    with pytest.raises(NotFound):
        open_db(here / "empty.db", create=False)


# ------------------------------------------------------------------- mistyped paths


def test_a_refused_import_creates_nothing_at_a_mistyped_path(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(here, "typo/sub/riskboard.db")
    (here / "notes_2022-08.xlsx").write_text("Risk Ref,Title\nHM-1,x\n", encoding="utf-8")
    assert main(["import", "notes_2022-08.xlsx"]) == 1
    assert "not an Excel workbook" in capsys.readouterr().err
    assert not (here / "typo").exists()
    # a good file creates it
    write_xlsx(here / "joint.xlsx", {"Register": register_rows()})
    assert main(["import", "joint.xlsx"]) == 0
    assert (here / "typo" / "sub" / "riskboard.db").is_file()


def test_nothing_here_messages_name_the_database(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(here, "rb.db")
    open_db(here / "rb.db").conn.close()  # an empty riskboard database
    assert main(["meeting", "new", "--chair", "X"]) == 1
    assert f"no register imported yet into database {here / 'rb.db'}" in capsys.readouterr().err
    assert main(["export", "register", "--to", "corporate"]) == 1
    err = capsys.readouterr().err
    assert f"no register has been imported yet into database {here / 'rb.db'}" in err
    assert not list(here.glob("exports/*.xlsx"))
    write_xlsx(here / "joint.xlsx", {"Register": register_rows()})
    assert main(["import", "joint.xlsx"]) == 0
    capsys.readouterr()
    assert main(["export", "register", "--to", "corporate"]) == 0
    out = capsys.readouterr().out
    assert "Nothing to transfer to the Corporate" in out
    assert f"in database {here / 'rb.db'}; no file written" in out


# ----------------------------------------------------------- creating one database at once


def test_threads_creating_one_database_at_once_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_it() -> None:
        try:
            start.wait()
            open_db(path).conn.close()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db = open_db(path, create=False)
    names = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations")]
    assert len(names) == len(set(names))  # every migration applied once
    db.conn.close()


@pytest.mark.slow
def test_four_imports_into_a_database_that_does_not_exist_yet(tmp_path: Path) -> None:
    """The review ran 3-4 ``riskboard import`` at once into a new database: the losers
    failed with raw SQL errors (UNIQUE constraint failed: _sqlite_migrations...)."""
    _config(tmp_path, "fresh/riskboard.db")
    files = []
    for i in range(4):
        rows = register_rows(month_day=f"1{i}/08/2022")  # four different files, one month
        files.append(write_xlsx(tmp_path / f"annex{i}_2022-08.xlsx", {"Register": rows}))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "riskboard", "import", str(f)],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    assert not any("constraint" in err or "already exists" in err for _out, err in outs)


# ------------------------------------------------------------------ a read-only folder


def _read_only_mount(folder: Path, commands: list[list[str]]) -> list[subprocess.CompletedProcess]:
    """Run riskboard commands with ``folder`` bind-mounted read-only (a user and mount
    namespace: the folder really is read-only, for root too)."""
    if not shutil.which("unshare"):
        pytest.skip("unshare is not available")
    results = []
    for argv in commands:
        cmd = [
            "unshare", "-rm", "sh", "-c",
            'mount --bind -o ro "$1" "$1" && cd "$1" && shift && exec "$@"', "sh",
            str(folder), sys.executable, "-m", "riskboard", *argv,
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if "unshare:" in proc.stderr or "mount:" in proc.stderr:
            pytest.skip(f"no user/mount namespace here: {proc.stderr.strip()}")
        results.append(proc)
    return results


@pytest.mark.slow
def test_reading_commands_work_in_a_read_only_folder(here: Path) -> None:
    write_xlsx(here / "joint.xlsx", {"Register": register_rows()})
    assert main(["import", "joint.xlsx"]) == 0
    risks, show, aob = _read_only_mount(
        here, [["risks"], ["show", "HM-001"], ["meeting", "new", "--chair", "X"]]
    )
    assert risks.returncode == 0 and "HM-001" in risks.stdout, risks.stderr
    assert show.returncode == 0, show.stderr
    assert aob.returncode == 1
    assert "is read-only" in aob.stderr and "Traceback" not in aob.stderr


def test_a_write_refused_in_a_read_only_folder_says_read_only(tmp_path: Path) -> None:
    from riskboard.store.db import store_error

    folder = tmp_path / "ro"
    folder.mkdir()
    err = store_error(sqlite3.OperationalError("unable to open database file"), folder / "x.db")
    assert "cannot open" in str(err)  # a writable folder: the generic words
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("os.access", lambda *_a, **_k: False)
        err = store_error(sqlite3.OperationalError("unable to open database file"), folder / "x.db")
    assert isinstance(err, StoreUnavailable) and "read-only folder" in str(err)
