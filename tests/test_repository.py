"""The checkout itself: no build output in git, the venv runs this checkout's code, and
the documentation a user is pointed to is in the repository."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import riskboard
from riskboard.ingest import headers

ROOT = Path(__file__).resolve().parents[1]
# what a build, a venv, a test or an editor leaves behind - never tracked
BUILD_OUTPUT = re.compile(
    r"(^|/)(\.venv|venv|__pycache__|\.mypy_cache|\.pytest_cache|\.ruff_cache|\.hypothesis"
    r"|node_modules|dist|build|[^/]+\.egg-info)/"
    r"|\.(pyc|pyo|so|db|db-wal|db-shm)$"
)


def tracked_files() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [p for p in out.split("\0") if p]


def test_no_build_output_is_tracked() -> None:
    files = tracked_files()
    assert len(files) > 50  # the listing worked
    built = [p for p in files if BUILD_OUTPUT.search(p)]
    assert built == [], f"build output tracked in git (git rm -r --cached it): {built[:10]}"


def test_the_pattern_catches_what_was_once_tracked() -> None:
    for path in (
        ".venv/pyvenv.cfg",
        ".venv/lib/python3.11/site-packages/_editable_impl_riskboard.pth",
        "src/riskboard/__pycache__/config.cpython-311.pyc",
        "riskboard.egg-info/PKG-INFO",
        "demo/riskboard.db",
    ):
        assert BUILD_OUTPUT.search(path), path
    for path in ("src/riskboard/config.py", "tests/conftest.py", "docs/registers.md"):
        assert not BUILD_OUTPUT.search(path), path


def test_riskboard_is_imported_from_this_checkout() -> None:
    module = Path(riskboard.__file__).resolve()
    assert ROOT / "src" in module.parents, f"riskboard imported from {module}, not {ROOT}/src"


# ----------------------------------------------------------------------------- docs

DOCS = [ROOT / "README.md", ROOT / "config.toml", ROOT / "CHANGELOG.md", *ROOT.glob("docs/*.md")]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")  # markdown [text](target)
MENTION = re.compile(r"(?<![\w/.])((?:\.\./|docs/|bench/)[\w./-]+\.(?:md|toml|py))")


def test_every_pointer_in_the_docs_resolves_inside_the_repository() -> None:
    broken = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        targets = LINK.findall(text) + MENTION.findall(text)
        for target in targets:
            if re.match(r"[a-z]+:", target):  # http:, mailto:
                continue
            resolved = (doc.parent / target).resolve()
            if ROOT not in resolved.parents or not resolved.exists():
                broken.append(f"{doc.name}: {target}")
    assert broken == []


def test_the_pointer_check_sees_a_broken_link(tmp_path: Path) -> None:
    text = "see [the list](../shared/DOMAIN.md) and docs/registers.md"
    assert LINK.findall(text) == ["../shared/DOMAIN.md"]
    assert MENTION.findall(text) == ["../shared/DOMAIN.md", "docs/registers.md"]


def test_every_built_in_header_name_is_documented() -> None:
    doc = (ROOT / "docs" / "registers.md").read_text(encoding="utf-8")
    names: dict[str, list[str]] = {}
    for table in (headers._SPECIFIC, headers._GENERIC, headers.ACTION_CONTEXT):
        for field, variants in table.items():
            names.setdefault(field, []).extend(variants)
    for table in (headers._LEVEL_PREFIXES, headers._PART_SUFFIXES):
        for level, words in table.items():
            names.setdefault(level, []).extend(words)
    missing = [
        f"{field}: {name}"
        for field, variants in names.items()
        for name in [field, *variants]
        if f"`{name}`" not in doc
    ]
    assert missing == [], "add these to docs/registers.md"
    for prefix in headers.ACTION_PREFIXES:
        assert f"`{prefix.capitalize()}`" in doc or f"`{prefix}`" in doc, prefix
    for synonym in headers.FIELD_SYNONYMS:
        assert f"`{synonym}`" in doc, synonym


def test_every_early_warning_header_name_is_documented() -> None:
    from riskboard.early_warning import _STATUS_WORDS
    from riskboard.ingest import ew_headers

    doc = (ROOT / "docs" / "registers.md").read_text(encoding="utf-8")
    section = doc[doc.index("## The NEC early warning register") :]
    section = section[: section.index("\n## ", 10)]
    missing = [
        f"{field}: {name}"
        for table in (ew_headers.EW_SPECIFIC, ew_headers.EW_GENERIC)
        for field, variants in table.items()
        for name in [ew_headers.SHOWN.get(field, field), *variants]
        if f"`{name}`" not in section
    ]
    assert missing == [], "add these to the early warning section of docs/registers.md"
    for synonym in ew_headers.EW_FIELD_SYNONYMS:
        assert f"`{synonym}`" in section, synonym
    # every status word a register may use, by its key (case and punctuation ignored)
    documented = {
        " ".join(re.findall(r"[^\W_]+", word.casefold()))
        for word in re.findall(r"`([^`]+)`", section)
    }
    assert set(_STATUS_WORDS) - documented == set() or _undocumented_are_variants(
        set(_STATUS_WORDS) - documented
    )


def _undocumented_are_variants(words: set[str]) -> bool:
    """Status words left out of the table are inflections of one that is in it."""
    variants = {"keep open", "remain open", "re opened", "remove", "close",
                "closed removed", "removed closed", "became a ce", "became compensation event",
                "converted to compensation event", "notified as a ce",
                "notified as compensation event", "now ce", "closed ce",
                "closed compensation event", "closed became ce", "compensation event notified"}  # fmt: skip
    return words <= variants
