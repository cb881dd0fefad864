"""When the database or the disk fails (issue 10, kind 6): a write lock held by another
process past the busy timeout, a read-only database file, a full disk during meeting
writes, exports and the scheduler's lock file. Each is one line naming the database or
file and what to do - never a traceback - and nothing already recorded is lost.

The full disk is real where the machine allows: a 2 MB tmpfs mounted in a private
mount namespace (``unshare -rm``). Else a file-size limit (RLIMIT_FSIZE) stands in.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from board_helpers import seeded_db
from riskboard.cli import main
from riskboard.store import db as store_db
from riskboard.store import open_db

PY = sys.executable


BOARD = [("Carl Contractor", "contractor"), ("Dee Directorate", "directorate"),
         ("Cora Corporate", "corporate")]  # fmt: skip


def quorate_by_cli() -> None:
    """One lead officer of each side present: the board does business only when quorate."""
    for name, org in BOARD:
        assert main(["meeting", "attend", name, "--org", org]) == 0


@pytest.fixture()
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    monkeypatch.chdir(tmp_path)
    seeded_db(tmp_path / "rb.db").conn.close()
    assert main(["meeting", "new", "--date", "14/09/2022", "--chair", "Al"]) == 0
    quorate_by_cli()
    assert main(["meeting", "aob", "Recorded before the trouble"]) == 0
    return tmp_path


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def aob(path: Path) -> list[str]:
    db = open_db(path)
    try:
        return json.loads(db.execute("SELECT aob FROM meetings WHERE id = 1").fetchone()[0])
    finally:
        db.conn.close()


# ------------------------------------------------------------------ locked


@pytest.mark.parametrize(
    "argv",
    [
        ["review", "HM-001", "--note", "x"],
        ["action", "add", "Patch", "--owner", "Carl", "--due", "2022-10-31"],
        ["meeting", "aob", "y"],
        ["scheduler", "--once"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_lock_held_past_the_busy_timeout_is_one_line(
    workspace: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)  # 30 s in use
    capsys.readouterr()
    other = sqlite3.connect(workspace / "rb.db")
    other.execute("BEGIN IMMEDIATE")  # another process writing and not letting go
    try:
        assert main(argv) == 1
    finally:
        other.rollback()
        other.close()
    line = one_line(capsys.readouterr().err)
    assert f"database {workspace / 'rb.db'} is busy" in line
    assert "nothing was changed - try again when it has finished" in line
    assert aob(workspace / "rb.db") == ["Recorded before the trouble"]
    assert main(argv) in (0, 3)  # and once the lock is gone it goes through


# --------------------------------------------------------------- read-only


def as_other_user(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI so that file permissions apply (root ignores them: a user namespace
    maps this user to an ordinary one)."""
    cmd = [PY, "-m", "riskboard", *argv]
    if os.geteuid() == 0:
        if not shutil.which("unshare"):
            pytest.skip("running as root without unshare: permissions cannot be tested")
        cmd = ["unshare", "-U", "--map-user=1000", "--map-group=1000", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=cwd)
    if "unshare failed" in proc.stderr or "unshare:" in proc.stderr:
        pytest.skip(f"no user namespaces here: {proc.stderr.strip()}")
    return proc


@pytest.mark.slow  # child processes
def test_a_read_only_database_is_one_line_and_reading_still_works(workspace: Path) -> None:
    (workspace / "imports").mkdir()
    db_file = workspace / "rb.db"
    open_db(db_file).conn.close()
    db_file.chmod(0o444)
    try:
        for argv in (
            ["meeting", "aob", "z"],
            ["review", "HM-001", "--note", "x"],
            ["meeting", "attend", "Bea", "--org", "other"],
            ["scheduler", "--once"],
        ):
            proc = as_other_user(argv, workspace)
            assert proc.returncode == 1, (argv, proc.stdout, proc.stderr)
            line = one_line(proc.stderr)
            assert f"database {db_file} is read-only" in line, line
            assert "nothing was changed - make both writable" in line or "read-only" in line
        flags = as_other_user(["flags"], workspace)
        assert flags.returncode == 0, flags.stderr
        assert "Flags for August 2022" in flags.stdout
    finally:
        db_file.chmod(0o644)
    assert aob(db_file) == ["Recorded before the trouble"]


# ---------------------------------------------------------------- full disk

FULL_DISK_SCRIPT = """\
set -u
mount -t tmpfs -o size=2m tmpfs "$DISK" || exit 77
cp "$WS/rb.db" "$WS/config.toml" "$DISK/"
mkdir -p "$DISK/imports" "$DISK/exports"
cd "$DISK"
run() { name=$1; shift; "$PY" -m riskboard "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.rc"; }
run minutes-ok export minutes --format md
# another reader keeps the database open (its WAL index stays), as the meeting app would
"$PY" -c "import sqlite3, time; c = sqlite3.connect('rb.db'); c.execute('SELECT 1 FROM meetings').fetchall(); time.sleep(300)" &
holder=$!
sleep 1
dd if=/dev/zero of="$DISK/filler" bs=16k 2>/dev/null || true
run aob meeting aob "$(cat "$OUT/big.txt")"
run review review HM-001 --note "$(cat "$OUT/big.txt")"
run xlsx export minutes --format xlsx
run docx export minutes --format docx
run md export minutes --format md
run csv export register --to corporate --format csv
run once scheduler --once
kill $holder
rm -f "$DISK/filler"
"$PY" -m riskboard meeting show --json >"$OUT/after.json"
ls -a "$DISK/exports" >"$OUT/exports.txt"
"""


@pytest.mark.slow  # child processes in a private mount namespace
def test_a_full_disk_is_one_line_and_loses_nothing(workspace: Path) -> None:
    if not shutil.which("unshare"):
        pytest.skip("no unshare here: see the RLIMIT_FSIZE test")
    disk, out = workspace / "disk", workspace / "out"
    disk.mkdir()
    out.mkdir()
    (out / "big.txt").write_text("x" * 100_000)
    # a risk to transfer: with nothing to transfer, export register writes no file
    assert main(["escalate", "HM-001", "--to", "corporate", "--reason", "Score 16"]) == 0
    script = FULL_DISK_SCRIPT
    proc = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        env={**os.environ, "DISK": str(disk), "WS": str(workspace), "OUT": str(out), "PY": PY},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode == 77 or "unshare" in proc.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    assert (out / "minutes-ok.rc").read_text().strip() == "0"
    for name in ("aob", "review", "xlsx", "docx", "md", "csv"):
        rc = (out / f"{name}.rc").read_text().strip()
        assert rc == "1", (name, (out / f"{name}.err").read_text())
        line = one_line((out / f"{name}.err").read_text())
        assert "full" in line and "free some space" in line, (name, line)
    assert "disk holding database" in (out / "aob.err").read_text()
    assert "exports is full" in (out / "xlsx.err").read_text()
    once = (out / "once.err").read_text() + (out / "once.out").read_text()
    assert "Traceback" not in once
    # the review: tracebacks, then "ok" and exit 0 - something could not be done here
    assert (out / "once.rc").read_text().strip() in ("1", "3"), once
    record = json.loads((out / "after.json").read_text())
    assert record["aob"] == ["Recorded before the trouble"]  # nothing lost, nothing half-done
    leftovers = [n for n in (out / "exports.txt").read_text().split() if n.endswith(".part")]
    assert leftovers == []


@pytest.mark.slow  # a child process
def test_a_file_size_limit_stands_in_for_a_full_disk(workspace: Path) -> None:
    """Where no tmpfs can be mounted: RLIMIT_FSIZE makes every write past the limit fail
    (EFBIG) - the database and the exports must say so in one line all the same."""
    resource = pytest.importorskip("resource")
    code = textwrap.dedent(
        """
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = int(sys.argv[1])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        from riskboard.cli import main
        sys.exit(main(sys.argv[2:]))
        """
    )
    proc = subprocess.run(
        [PY, "-c", code, str(64 * 1024), "meeting", "aob", "y" * 100_000],
        capture_output=True, text=True, timeout=120, cwd=workspace,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    line = one_line(proc.stderr)
    assert f"database {workspace / 'rb.db'}" in line and "full" in line, line
    assert aob(workspace / "rb.db") == ["Recorded before the trouble"]
    assert resource is not None


def test_the_lock_file_on_a_full_disk_still_locks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing who holds the lock fails on a full disk: the OS lock is held all the same."""
    from riskboard.schedule import lock

    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lock.os, "write", full)
    with lock.SchedulerLock(tmp_path / "rb.db"):
        monkeypatch.setattr(lock.os, "write", real_write)
        assert lock.lock_holder(tmp_path / "rb.db") == {}  # held, holder unknown
    assert lock.lock_holder(tmp_path / "rb.db") is None


def test_no_room_for_the_lock_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskboard.errors import StoreUnavailable
    from riskboard.schedule import lock

    def full(*args: object, **kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lock.os, "open", full)
    with pytest.raises(
        StoreUnavailable,
        match=r"rb\.db\.scheduler\.lock: No space left on device;.* free some space",
    ):
        lock.SchedulerLock(tmp_path / "rb.db").acquire()


def test_an_export_library_hiding_the_full_disk_in_its_own_errors(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """openpyxl on a full disk: lxml raises its own error with the OSError inside the
    chain (seven tracebacks on main). One line, and the earlier file is untouched."""
    import openpyxl

    assert main(["export", "minutes", "--format", "xlsx"]) == 0
    filed = next((workspace / "exports").glob("*.xlsx"))
    before = filed.read_bytes()

    class SerialisationError(Exception):  # what lxml raises around the OSError
        pass

    def full(self: object, filename: str) -> None:
        Path(filename).write_bytes(b"PK half")
        try:
            raise OSError(28, "No space left on device")
        except OSError as exc:
            raise SerialisationError("IO_WRITE") from exc

    monkeypatch.setattr(openpyxl.Workbook, "save", full)
    capsys.readouterr()
    assert main(["export", "minutes", "--format", "xlsx"]) == 1
    line = one_line(capsys.readouterr().err)
    assert f"the disk holding {workspace / 'exports'} is full (No space left on device)" in line
    assert f"{filed.name} was not written (an earlier copy is untouched)" in line
    assert filed.read_bytes() == before
    assert [p.name for p in (workspace / "exports").iterdir()] == [filed.name]  # no .part
