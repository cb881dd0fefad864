"""Start-up: ``riskboard --help`` answers without loading the services' libraries, and
a command loads its own module only. (Behaviour, not timing: which modules a fresh
process has imported when it is done.)"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from riskboard.cli import COMMANDS, build_parser

HEAVY = ("pydantic", "sqlite_utils", "openpyxl", "textual", "python_calamine", "apscheduler")

PROBE = """
import json, sys
from riskboard.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print("\\n@@" + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_after(*argv: str, cwd: Path | None = None) -> tuple[str, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    modules = json.loads(proc.stderr.rsplit("@@", 1)[1])
    return proc.stdout, set(modules)


@pytest.mark.parametrize("argv", [["--help"], [], ["--version"], ["bogus"]])
def test_help_loads_no_service_library(argv: list[str]) -> None:
    out, modules = _modules_after(*argv)
    if argv == ["--help"]:
        assert "show" in out and "one risk with its month-by-month history" in out
    assert not [m for m in modules if m.split(".")[0] in HEAVY]
    assert not [m for m in modules if m.startswith("riskboard.cli.")]
    assert "riskboard.config" not in modules


def test_a_command_help_loads_its_own_module_only() -> None:
    out, modules = _modules_after("show", "--help")
    assert "REF" in out and "--json" in out
    cli = {m for m in modules if m.startswith("riskboard.cli.")}
    assert cli == {"riskboard.cli.register"}


def _registered() -> dict[str, str | None]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {a.dest: a.help for a in sub._choices_actions}


def test_the_command_table_matches_what_the_modules_register() -> None:
    assert _registered() == {name: help_text for name, (_m, help_text) in COMMANDS.items()}
    # and each command's module really registers it
    for name, (module, _help) in COMMANDS.items():
        parser = build_parser(name)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        assert sub.choices[name].get_default("stand_in") is None, (name, module)


def test_a_misguessed_command_is_parsed_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # "--config flags": the first word naming a command is the config's path, not the
    # command; the line is still parsed as a "show" command (here: no such database).
    from riskboard.cli import main

    (tmp_path / "flags").write_text(f'[paths]\ndatabase = "{tmp_path / "none.db"}"\n')
    monkeypatch.chdir(tmp_path)
    code = main(["--config", "flags", "show", "HM-001"])
    err = capsys.readouterr().err
    assert code == 1 and "none.db" in err
