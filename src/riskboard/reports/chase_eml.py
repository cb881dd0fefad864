"""The owner emails written as ``.eml`` drafts: one file per owner, ready to open in
Outlook (``X-Unsent: 1``: it opens in the compose window) or Thunderbird, check and send.

Files are named ``chase-YYYY-MM-<owner>.eml`` (ASCII letters, digits and hyphens:
``chase_mail.file_slug``) and written atomically (``safe_write.atomic_path``), so a
crash leaves the earlier draft whole. A draft is written for an owner without an
address too, with no To (the plan lists them); flagged risks with no owner are in no
draft and are listed.

What riskboard wrote is recorded in the folder (``.riskboard-drafts.json``: each
file's name, month and content hash). Only those files are ever replaced or removed,
and only while their content is what riskboard wrote: an officer's own file that
happens to match ``chase-YYYY-MM-*.eml``, or a draft edited since, is never touched.
When the whole month is written, riskboard's unedited drafts of that month for owners
no longer flagged are removed, so the folder never offers a reminder that no longer
applies; edited ones are kept and listed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from riskboard.config import Config
from riskboard.errors import Remedy, RiskboardError, StoreUnavailable
from riskboard.reports.chase_mail import EML_POLICY, assign_slugs, build_message
from riskboard.reports.chase_plan import ChasePlan
from riskboard.reports.safe_write import atomic_path
from riskboard.safe_text import quote_name

MANIFEST = ".riskboard-drafts.json"
KEEP_HASHES = 4  # the contents riskboard last wrote under one name (a crash between
# recording a new one and writing it leaves the file with an earlier one)


class DraftsWritten(BaseModel):
    folder: Path
    files: list[Path]  # in plan order (one per mail)
    removed: list[Path] = Field(default_factory=list)  # earlier drafts no longer flagged
    kept: list[Path] = Field(default_factory=list)  # ...edited since, so left alone


def eml_name(plan: ChasePlan, slug: str) -> str:
    return f"chase-{plan.month}-{slug}.eml"


def write_drafts(
    plan: ChasePlan,
    config: Config,
    folder: Path,
    *,
    now: datetime,
    whole_month: bool = True,
) -> DraftsWritten:
    """Write one ``.eml`` per mail of ``plan`` into ``folder`` (created if missing).
    ``whole_month``: the plan covers every owner (no ``--owner``), so riskboard's
    earlier drafts of the month for other owners are removed (unless edited since).
    Refused before anything is written (RiskboardError naming the files) when a file
    to be written exists and riskboard did not write it, or it was edited since.
    Raises StoreUnavailable naming the file when the folder or the disk refuses
    (drafts already written stay)."""
    folder = Path(folder)
    assign_slugs(plan)
    records = _read_manifest(folder)
    data = {
        eml_name(plan, m.slug): build_message(m, plan, config, now=now, draft=True).as_bytes(
            policy=EML_POLICY
        )
        for m in plan.mails
    }
    foreign = [n for n in data if _state(folder / n, records) == "foreign"]
    if foreign:
        raise RiskboardError(
            f"{', '.join(quote_name(n) for n in foreign)} in {quote_name(str(folder))}"
            f" {'was' if len(foreign) == 1 else 'were'} not written by riskboard, or"
            " edited since it wrote them; nothing was written - move them out of the"
            " folder (or delete them), or give --eml another folder",
            remedy=Remedy.MAKE_WRITABLE,
        )
    for name, content in data.items():
        entry = records.setdefault(name, {"month": plan.month, "sha256": []})
        entry["month"] = plan.month
        entry["sha256"] = ([_sha(content)] + [h for h in entry["sha256"] if h != _sha(content)])[
            :KEEP_HASHES
        ]
    if data:
        _write_manifest(folder, records)  # before the drafts: a crash never orphans one
    files = []
    for name, content in data.items():
        with atomic_path(folder / name) as tmp:
            tmp.write_bytes(content)
        files.append(folder / name)
    removed: list[Path] = []
    kept: list[Path] = []
    if whole_month:
        for name in sorted(records):
            if records[name].get("month") != plan.month or name in data:
                continue
            path = folder / name
            state = _state(path, records)
            if state == "ours":
                try:
                    path.unlink()
                except OSError as exc:
                    raise StoreUnavailable(
                        f"cannot remove {quote_name(str(path))}, an earlier draft for an owner"
                        f" with nothing flagged now: {exc.strerror or exc}",
                        remedy=Remedy.MAKE_WRITABLE,
                    ) from None
                removed.append(path)
            elif state == "foreign":
                kept.append(path)
            del records[name]  # gone, or no longer riskboard's to remove
        if removed or kept:
            _write_manifest(folder, records)
    return DraftsWritten(folder=folder, files=files, removed=removed, kept=kept)


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _state(path: Path, records: dict[str, dict[str, Any]]) -> str:
    """ "missing", "ours" (riskboard wrote it and it is unchanged) or "foreign"."""
    if not path.exists() and not path.is_symlink():
        return "missing"
    if path.is_symlink() or not path.is_file():
        return "foreign"
    known = records.get(path.name, {}).get("sha256") or []
    try:
        return "ours" if _sha(path.read_bytes()) in known else "foreign"
    except OSError:
        return "foreign"


def _read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """What riskboard wrote in ``folder``; empty when there is no record (or it cannot
    be read: then nothing there is treated as riskboard's)."""
    path = folder / MANIFEST
    if path.is_symlink() or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
        return {
            str(n): {"month": str(r["month"]), "sha256": [str(h) for h in r["sha256"]]}
            for n, r in files.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write_manifest(folder: Path, records: dict[str, dict[str, Any]]) -> None:
    text = json.dumps(
        {
            "about": "the owner email drafts riskboard wrote here; only these, unedited,"
            " are ever replaced or removed by riskboard",
            "files": dict(sorted(records.items())),
        },
        indent=1,
    )
    with atomic_path(folder / MANIFEST) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
