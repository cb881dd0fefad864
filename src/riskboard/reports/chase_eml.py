"""The owner emails written as ``.eml`` drafts: one file per owner, ready to open in
Outlook (``X-Unsent: 1``: it opens in the compose window) or Thunderbird, check and send.

Files are named ``chase-YYYY-MM-<owner>.eml`` (ASCII letters, digits and hyphens:
``chase_mail.file_slug``) and written atomically (``safe_write.atomic_path``), so a
crash leaves the earlier draft whole. A draft is written for an owner without an
address too, with no To (the plan lists them); flagged risks with no owner are in no
draft and are listed. When the whole month is written, drafts of the same month left
by an earlier run for owners no longer flagged are removed, so the folder never offers
a reminder that no longer applies.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field

from riskboard.config import Config
from riskboard.reports.chase_mail import EML_POLICY, assign_slugs, build_message
from riskboard.reports.chase_plan import ChasePlan
from riskboard.reports.safe_write import atomic_path


class DraftsWritten(BaseModel):
    folder: Path
    files: list[Path]  # in plan order (one per mail)
    removed: list[Path] = Field(default_factory=list)  # earlier drafts no longer flagged


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
    ``whole_month``: the plan covers every owner (no ``--owner``), so earlier drafts of
    the month for other owners are removed. Raises StoreUnavailable naming the file
    when the folder or the disk refuses (drafts already written stay)."""
    folder = Path(folder)
    assign_slugs(plan)
    files = []
    for mail in plan.mails:
        target = folder / eml_name(plan, mail.slug)
        data = build_message(mail, plan, config, now=now, draft=True).as_bytes(policy=EML_POLICY)
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)
        files.append(target)
    removed = []
    if whole_month:
        keep = {p.name for p in files}
        for old in sorted(folder.glob(f"chase-{plan.month}-*.eml")):
            if old.name not in keep and old.is_file() and not old.is_symlink():
                old.unlink()
                removed.append(old)
    return DraftsWritten(folder=folder, files=files, removed=removed)
