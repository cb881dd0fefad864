"""Schema, as sqlite-utils migrations. Add new steps at the end; never edit applied ones."""

from __future__ import annotations

import sqlite_utils

migrations = sqlite_utils.Migrations("riskboard")


@migrations(name="0001_wal", transactional=False)
def m0001_wal(db: sqlite_utils.Database) -> None:
    if str(db.execute("PRAGMA database_list").fetchone()[2]):  # not :memory:
        db.enable_wal()


_RISK_COLUMNS = """
    title TEXT, description TEXT, cause TEXT, effect TEXT, annex TEXT, category TEXT,
    owner TEXT,
    inherent_likelihood INTEGER, inherent_impact INTEGER, inherent_score INTEGER,
    current_likelihood INTEGER, current_impact INTEGER, current_score INTEGER,
    target_likelihood INTEGER, target_impact INTEGER, target_score INTEGER,
    strategy TEXT, strategy_text TEXT, status TEXT, trend TEXT, controls TEXT,
    exposure REAL, early_warning_ref TEXT, compensation_event_ref TEXT
"""


@migrations(name="0002_register")
def m0002_register(db: sqlite_utils.Database) -> None:
    db.executescript(
        f"""
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            file_name TEXT NOT NULL,
            file_path TEXT,
            sha256 TEXT NOT NULL UNIQUE,
            month TEXT NOT NULL,            -- YYYY-MM board month
            report_date TEXT,               -- ISO date from the title block, if any
            sheets TEXT NOT NULL DEFAULT '[]',   -- JSON list of sheet names read
            risk_count INTEGER NOT NULL DEFAULT 0,
            action_count INTEGER NOT NULL DEFAULT 0,
            warning_count INTEGER NOT NULL DEFAULT 0,
            warnings TEXT NOT NULL DEFAULT '[]', -- JSON list of strings
            source TEXT NOT NULL DEFAULT 'cli',  -- cli / scheduler / demo
            imported_at TEXT NOT NULL
        );
        CREATE INDEX imports_month ON imports(month);

        -- one row per risk per board month, as exported (upsert on month+ref)
        CREATE TABLE risk_snapshots (
            id INTEGER PRIMARY KEY,
            month TEXT NOT NULL,
            ref TEXT NOT NULL,
            {_RISK_COLUMNS},
            report_date TEXT,
            import_id INTEGER NOT NULL REFERENCES imports(id),
            source_file TEXT, source_sheet TEXT, source_row INTEGER,
            UNIQUE (month, ref)
        );
        CREATE INDEX risk_snapshots_ref ON risk_snapshots(ref, month);

        -- the actions of a risk in a month; replaced whole when the risk is re-imported
        CREATE TABLE action_snapshots (
            id INTEGER PRIMARY KEY,
            month TEXT NOT NULL,
            risk_ref TEXT NOT NULL,
            seq INTEGER NOT NULL,           -- order within the risk
            action_ref TEXT, text TEXT, owner TEXT, due TEXT, progress TEXT,
            last_updated TEXT, status TEXT,
            import_id INTEGER NOT NULL REFERENCES imports(id),
            source_file TEXT, source_sheet TEXT, source_row INTEGER
        );
        CREATE INDEX action_snapshots_risk ON action_snapshots(month, risk_ref);

        -- computed flags for a month, replaced whole on every recompute
        CREATE TABLE flag_results (
            month TEXT NOT NULL,
            ref TEXT NOT NULL,
            code TEXT NOT NULL,
            details TEXT NOT NULL DEFAULT '{{}}',  -- JSON evidence
            PRIMARY KEY (month, ref, code)
        );
        """
    )


@migrations(name="0003_board")
def m0003_board(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            organisation TEXT NOT NULL,     -- contractor / directorate / corporate / other
            role TEXT,
            lead_officer INTEGER NOT NULL DEFAULT 1,
            active INTEGER NOT NULL DEFAULT 1
        );

        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            meeting_date TEXT NOT NULL,
            month TEXT NOT NULL,            -- board month reviewed, YYYY-MM
            chair TEXT,
            minute_taker TEXT,
            status TEXT NOT NULL DEFAULT 'draft',  -- draft / in_progress / closed
            declarations TEXT,              -- declarations of interest
            aob TEXT,                       -- any other business
            next_meeting_date TEXT,
            previous_meeting_id INTEGER REFERENCES meetings(id),
            previous_minutes_note TEXT,
            created_at TEXT NOT NULL,
            opened_at TEXT,
            closed_at TEXT,
            close_forced_reason TEXT,
            approved_at TEXT,               -- minutes approved as a correct record
            approved_by_meeting_id INTEGER REFERENCES meetings(id),
            content_hash TEXT               -- sha256 of the record at approval
        );

        CREATE TABLE attendance (
            meeting_id INTEGER NOT NULL REFERENCES meetings(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            status TEXT NOT NULL,           -- present / apologies
            role TEXT,
            PRIMARY KEY (meeting_id, person_id)
        );

        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            meeting_id INTEGER NOT NULL REFERENCES meetings(id),
            ref TEXT NOT NULL,
            strategy TEXT,
            rationale TEXT,
            review_by TEXT,
            note TEXT,                      -- discussion
            decision TEXT,                  -- "RESOLVED: ..."
            reviewed INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (meeting_id, ref)
        );

        -- actions arising, numbered across all meetings, never reused
        CREATE TABLE board_actions (
            number INTEGER PRIMARY KEY AUTOINCREMENT,
            meeting_id INTEGER NOT NULL REFERENCES meetings(id),
            text TEXT NOT NULL,
            owner TEXT,
            due TEXT,
            revised_due TEXT,
            status TEXT NOT NULL DEFAULT 'open',  -- open / in progress / closed
            progress TEXT,
            risk_ref TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            closed_at TEXT,
            closed_meeting_id INTEGER REFERENCES meetings(id)
        );

        -- what happened to an action at a meeting (the action log review)
        CREATE TABLE action_updates (
            id INTEGER PRIMARY KEY,
            action_number INTEGER NOT NULL REFERENCES board_actions(number),
            meeting_id INTEGER REFERENCES meetings(id),
            status TEXT, progress TEXT, revised_due TEXT,
            at TEXT NOT NULL
        );

        CREATE TABLE escalations (
            id INTEGER PRIMARY KEY,
            meeting_id INTEGER NOT NULL REFERENCES meetings(id),
            ref TEXT NOT NULL,
            target TEXT NOT NULL,           -- EscalationTarget value
            direction TEXT NOT NULL DEFAULT 'escalate',  -- escalate / de-escalate
            reason TEXT,
            exposure REAL,
            proposed_owner TEXT,
            status TEXT NOT NULL DEFAULT 'proposed',  -- proposed / accepted / declined
            decided_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX escalations_target ON escalations(target, status);

        -- append-only: every meeting change writes one row in the same transaction
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            meeting_id INTEGER,
            actor TEXT,
            entity TEXT NOT NULL,
            entity_id TEXT,
            change TEXT NOT NULL,
            before TEXT,                    -- JSON
            after TEXT                      -- JSON
        );
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        """
    )


@migrations(name="0004_scheduler")
def m0004_scheduler(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE scheduler_runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            trigger TEXT NOT NULL,          -- nightly / once / catch-up
            files_seen INTEGER NOT NULL DEFAULT 0,
            imported INTEGER NOT NULL DEFAULT 0,
            refused INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            unsettled INTEGER NOT NULL DEFAULT 0,
            outcome TEXT NOT NULL DEFAULT 'running',  -- running / ok / partial / failed / interrupted
            error TEXT,
            details TEXT NOT NULL DEFAULT '[]'  -- JSON list of {file, result, message}
        );
        """
    )


@migrations(name="0005_board_record")
def m0005_board_record(db: sqlite_utils.Database) -> None:
    """What a meeting's record needs to stay the same after the meeting: the attendee's
    name/organisation and the risk's title/score as they were that day (so a later
    re-import or people-list edit cannot change approved minutes), the owner on each
    action update, which meeting decided an escalation, and the quorum rule in force."""
    db.executescript(
        """
        ALTER TABLE attendance ADD COLUMN name TEXT;
        ALTER TABLE attendance ADD COLUMN organisation TEXT;
        ALTER TABLE attendance ADD COLUMN lead_officer INTEGER;
        ALTER TABLE reviews ADD COLUMN risk_title TEXT;
        ALTER TABLE reviews ADD COLUMN risk_annex TEXT;
        ALTER TABLE reviews ADD COLUMN risk_owner TEXT;
        ALTER TABLE reviews ADD COLUMN risk_score INTEGER;
        ALTER TABLE action_updates ADD COLUMN owner TEXT;
        ALTER TABLE escalations ADD COLUMN source TEXT;
        ALTER TABLE escalations ADD COLUMN decided_meeting_id INTEGER REFERENCES meetings(id);
        ALTER TABLE escalations ADD COLUMN decision_note TEXT;
        ALTER TABLE escalations ADD COLUMN risk_title TEXT;
        ALTER TABLE escalations ADD COLUMN risk_score INTEGER;
        ALTER TABLE meetings ADD COLUMN quorum_rule TEXT;
        CREATE INDEX action_updates_action ON action_updates(action_number, meeting_id);
        CREATE INDEX board_actions_meeting ON board_actions(meeting_id);
        CREATE INDEX escalations_meeting ON escalations(meeting_id);
        CREATE INDEX audit_log_meeting ON audit_log(meeting_id);
        """
    )


@migrations(name="0005_scheduler_observations")
def m0005_scheduler_observations(db: sqlite_utils.Database) -> None:
    # what the scheduler saw of each waiting workbook: it reads a file only once its
    # size and mtime have been unchanged for schedule.settle_seconds
    db.executescript(
        """
        CREATE TABLE scheduler_file_observations (
            path TEXT PRIMARY KEY,          -- absolute path in the imports folder
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            first_seen_at TEXT NOT NULL     -- UTC ISO time this size+mtime was first seen
        );
        """
    )


@migrations(name="0006_board_integrity")
def m0006_board_integrity(db: sqlite_utils.Database) -> None:
    """A board record an auditor can trust (issue 11):
    - audit rows chained by hash (existing rows chained here, in id order) and marked
      with where the change came from (the meeting app, the command line);
    - ``approvals``: one append-only row per approval - the hash and record version
      stored, the quorum as it stood, any amendment - backfilled from approved meetings;
    - actions can be withdrawn (with a reason, kept on each recorded state);
    - a review records which month's snapshot it was made against (a risk missing from
      the board month's export is reviewed against its last known snapshot);
    - ``form_drafts``: what is typed in the meeting app's open forms, kept as it is typed;
    - triggers refusing changes to an approved meeting's record and to approvals."""
    from riskboard.store.integrity import (
        ADDED_IN_0012,
        PROTECTIVE_TRIGGERS,
        chain_existing_rows,
        create_triggers,
    )

    db.executescript(
        """
        ALTER TABLE audit_log ADD COLUMN origin TEXT;
        ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
        ALTER TABLE audit_log ADD COLUMN row_hash TEXT;
        ALTER TABLE board_actions ADD COLUMN withdrawn_reason TEXT;
        ALTER TABLE action_updates ADD COLUMN withdrawn_reason TEXT;
        ALTER TABLE reviews ADD COLUMN risk_month TEXT;

        CREATE TABLE approvals (
            id INTEGER PRIMARY KEY,
            meeting_id INTEGER NOT NULL UNIQUE REFERENCES meetings(id),  -- approved
            approving_meeting_id INTEGER NOT NULL REFERENCES meetings(id),
            approved_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,     -- sha256 of the record at approval
            record_version INTEGER NOT NULL,  -- the record layout that was hashed
            amendment TEXT,
            quorum TEXT                     -- JSON quorum at approval (NULL before 0006)
        );
        CREATE INDEX approvals_approving ON approvals(approving_meeting_id);

        CREATE TABLE form_drafts (
            key TEXT PRIMARY KEY,           -- meeting and form, e.g. "3:review-note:HM-001"
            meeting_id INTEGER,
            form TEXT NOT NULL,             -- the form's title
            fields TEXT NOT NULL,           -- JSON {field: value as typed}
            base TEXT NOT NULL,             -- JSON {field: value shown when it opened}
            seq INTEGER NOT NULL,           -- keystroke order: older writes never win
            saved_at TEXT NOT NULL
        );

        INSERT INTO approvals (meeting_id, approving_meeting_id, approved_at, content_hash,
                               record_version)
            SELECT id, approved_by_meeting_id, approved_at, content_hash, 1
            FROM meetings
            WHERE approved_at IS NOT NULL AND content_hash IS NOT NULL
              AND approved_by_meeting_id IS NOT NULL
            ORDER BY approved_at, id;
        """
    )
    chain_existing_rows(db)
    # the triggers of that time (later ones guard tables their own migration creates)
    create_triggers(db, [n for n in PROTECTIVE_TRIGGERS if n not in ADDED_IN_0012])


@migrations(name="0007_snapshot_unreadable_and_ref_key")
def m0007_snapshot_unreadable_and_ref_key(db: sqlite_utils.Database) -> None:
    """Issue 9: the cells of a risk that could not be read (JSON list, NULL for none),
    and the key that matches a reference month to month ignoring case, spaces,
    invisible characters and the kind of dash (``domain.ref_key``)."""
    from riskboard.domain import ref_key

    have = set(db["risk_snapshots"].columns_dict)
    for column in ("unreadable", "ref_key"):
        if column not in have:  # a test's legacy database may carry them already
            db.execute(f"ALTER TABLE risk_snapshots ADD COLUMN {column} TEXT")
    rows = db.execute("SELECT id, ref FROM risk_snapshots WHERE ref_key IS NULL").fetchall()
    db.conn.executemany(
        "UPDATE risk_snapshots SET ref_key = ? WHERE id = ?", [(ref_key(r), i) for i, r in rows]
    )
    db.execute("CREATE INDEX risk_snapshots_ref_key ON risk_snapshots(ref_key, month)")


@migrations(name="0008_chase_mail")
def m0008_chase_mail(db: sqlite_utils.Database) -> None:
    """Issue 15, the owner emails: an email address on the people list; one row per
    email sent (or being sent, or failed) so a month's emails go once; one row per
    month the nightly job prepared them for."""
    db.executescript(
        """
        ALTER TABLE people ADD COLUMN email TEXT;

        CREATE TABLE chase_mail_sends (
            id INTEGER PRIMARY KEY,
            month TEXT NOT NULL,            -- board month chased, YYYY-MM
            owner_key TEXT NOT NULL,        -- email_address.owner_key of the owner
            owner TEXT NOT NULL,            -- as the register writes it
            address TEXT NOT NULL,
            subject TEXT NOT NULL,
            board_date TEXT NOT NULL,       -- ISO date of the meeting chased for
            risks INTEGER NOT NULL,
            message_id TEXT,
            status TEXT NOT NULL,           -- sending / sent / failed
            error TEXT,
            origin TEXT NOT NULL,           -- command line / scheduler
            started_at TEXT NOT NULL,       -- UTC ISO
            finished_at TEXT
        );
        CREATE INDEX chase_mail_sends_month ON chase_mail_sends(month, owner_key);

        CREATE TABLE chase_mail_runs (
            month TEXT PRIMARY KEY,         -- the nightly job prepares a month's emails once
            board_date TEXT NOT NULL,
            mode TEXT NOT NULL,             -- drafts / send
            outcome TEXT NOT NULL,          -- done / partial (sending failed for some)
            detail TEXT NOT NULL,
            folder TEXT,
            done_at TEXT NOT NULL
        );
        """
    )


@migrations(name="0009_board_record_rigour")
def m0009_board_record_rigour(db: sqlite_utils.Database) -> None:
    """What the review of issue 11 found the record still needed:
    - ``attendance.left_at``: someone who left during the meeting stays on the record as
      present until then (quorum for later business counts only who is still there);
    - ``approvals.chain_head``: the audit log's last row and hash when the minutes were
      approved, so each approval pins the log written before it;
    - drafts belong to one meeting app session (``form_drafts.session``, ``slot`` = the
      meeting and form), and ``app_sessions`` says which sessions are still running, so
      one app never offers or deletes another live app's typing."""
    db.executescript(
        """
        ALTER TABLE attendance ADD COLUMN left_at TEXT;
        ALTER TABLE approvals ADD COLUMN chain_head TEXT;   -- JSON {"id": N, "hash": H}
        ALTER TABLE form_drafts ADD COLUMN slot TEXT;       -- meeting and form
        ALTER TABLE form_drafts ADD COLUMN session TEXT;    -- the app session typing it
        UPDATE form_drafts SET slot = key WHERE slot IS NULL;
        CREATE INDEX form_drafts_slot ON form_drafts(slot);

        CREATE TABLE app_sessions (
            session TEXT PRIMARY KEY,       -- the meeting app's session id
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            seen_at TEXT NOT NULL,          -- heartbeat, UTC ISO
            ended_at TEXT                   -- the app exited cleanly
        );
        """
    )


@migrations(name="0010_chase_mail_items")
def m0010_chase_mail_items(db: sqlite_utils.Database) -> None:
    """Issue 15 review: what each owner email covered, risk by risk and owner by owner,
    so a later run sends what was not sent - a shared mailbox emailed for one of its
    owners (``--owner``) still gets the others' risks. Sends recorded before this have
    one row per send with no risk (it covered every risk of its owner)."""
    db.executescript(
        """
        CREATE TABLE chase_mail_items (
            id INTEGER PRIMARY KEY,
            send_id INTEGER NOT NULL REFERENCES chase_mail_sends(id),
            owner_key TEXT NOT NULL,        -- email_address.owner_key of the risk's owner
            owner TEXT NOT NULL,            -- as the register writes it
            ref TEXT,                       -- the risk; NULL: every risk of the owner
            actions TEXT NOT NULL DEFAULT '[]'  -- JSON: the actions asked about
        );
        CREATE INDEX chase_mail_items_send ON chase_mail_items(send_id);
        CREATE INDEX chase_mail_items_owner ON chase_mail_items(owner_key, ref);

        INSERT INTO chase_mail_items (send_id, owner_key, owner, ref)
            SELECT id, owner_key, owner, NULL FROM chase_mail_sends;
        """
    )


@migrations(name="0011_review_risk_facts")
def m0011_review_risk_facts(db: sqlite_utils.Database) -> None:
    """``reviews.risk_facts``: what the minutes print about a reviewed risk (likelihood x
    impact, direction of travel, flags, the export's strategy...) as the board saw it at
    the review, JSON - so a later re-import of the month cannot rewrite held minutes."""
    db.executescript("ALTER TABLE reviews ADD COLUMN risk_facts TEXT;")


@migrations(name="0012_early_warnings")
def m0012_early_warnings(db: sqlite_utils.Database) -> None:
    """Issue 14: the NEC early warning register beside the risk register.
    - ``ew_snapshots`` / ``ew_action_snapshots``: each month's early warning register as
      imported, with provenance (file, sheet, row), like the risk snapshots;
    - ``imports.ew_count``: early warnings an import brought in;
    - ``ew_decisions``: what a meeting decided on an early warning (keep open, remove with
      a reason, became a compensation event with its CE ref), frozen once the meeting's
      minutes are approved;
    - ``board_actions.ew_ref``: an action arising on an early warning (one action log);
    - ``ew_notices``: early warning notices drafted by the council, each reserving its
      reference."""
    from riskboard.store.integrity import ADDED_IN_0012, create_triggers

    db.executescript(
        """
        ALTER TABLE imports ADD COLUMN ew_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE board_actions ADD COLUMN ew_ref TEXT;

        CREATE TABLE ew_snapshots (
            id INTEGER PRIMARY KEY,
            month TEXT NOT NULL,            -- board month, YYYY-MM
            ref TEXT NOT NULL,              -- the EW reference as the register writes it
            ref_key TEXT NOT NULL,          -- domain.ref_key(ref)
            date_notified TEXT, notified_by TEXT, description TEXT, linked_risk TEXT,
            meeting_date TEXT, decision TEXT,
            status TEXT,                    -- open / removed / compensation event / NULL
            compensation_event_ref TEXT,
            report_date TEXT,
            import_id INTEGER NOT NULL REFERENCES imports(id),
            source_file TEXT, source_sheet TEXT, source_row INTEGER,
            unreadable TEXT,                -- JSON list of cells that could not be read
            UNIQUE (month, ref)
        );
        CREATE INDEX ew_snapshots_ref_key ON ew_snapshots(ref_key, month);

        CREATE TABLE ew_action_snapshots (
            id INTEGER PRIMARY KEY,
            month TEXT NOT NULL,
            ew_ref TEXT NOT NULL,
            seq INTEGER NOT NULL,
            action_ref TEXT, text TEXT, owner TEXT, due TEXT, progress TEXT,
            last_updated TEXT, status TEXT,
            import_id INTEGER NOT NULL REFERENCES imports(id),
            source_file TEXT, source_sheet TEXT, source_row INTEGER
        );
        CREATE INDEX ew_action_snapshots_ew ON ew_action_snapshots(month, ew_ref);

        CREATE TABLE ew_decisions (
            id INTEGER PRIMARY KEY,
            meeting_id INTEGER NOT NULL REFERENCES meetings(id),
            ew_ref TEXT NOT NULL,
            decision TEXT NOT NULL,         -- keep_open / remove / compensation_event
            reason TEXT,
            ce_ref TEXT,
            -- the early warning as the board saw it that day
            ew_month TEXT, ew_description TEXT, ew_status TEXT, ew_linked_risk TEXT,
            ew_date_notified TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (meeting_id, ew_ref)
        );
        CREATE INDEX ew_decisions_ref ON ew_decisions(ew_ref);

        CREATE TABLE ew_notices (
            id INTEGER PRIMARY KEY,
            ew_ref TEXT NOT NULL UNIQUE,    -- the reference the notice gives (reserved)
            ref_key TEXT NOT NULL,
            risk_ref TEXT,
            escalation_id INTEGER REFERENCES escalations(id),
            meeting_id INTEGER REFERENCES meetings(id),
            matter TEXT,
            proposed_meeting TEXT,
            drafted_by TEXT,
            drafted_at TEXT NOT NULL,
            file_name TEXT
        );
        """
    )
    create_triggers(db, list(ADDED_IN_0012))


@migrations(name="0013_month_major_snapshot_index")
def m0013_month_major_snapshot_index(db: sqlite_utils.Database) -> None:
    """Issue 13, ten years of history: the snapshot indexes led by the reference
    (``(ref, month)``, ``(ref_key, month)``) took each month's ~2,000 new rows into
    every leaf page of an index holding every month, so the pages an import wrote grew
    with the history (575 WAL frames at month 2, 3,599 at month 120; the import 1.8x
    slower). Led by the month, a month's rows go into new pages at the end. Lookups of
    one risk across months name the months (``month IN (SELECT month FROM imports)``)
    and seek once per month (``store.register.HISTORY_MONTHS``). The annex names stored
    (``store.register.annex_names``, read by every import) were a scan of every month's
    rows (~0.2 s at month 120): ``(annex, month)`` answers them with a seek per annex."""
    db.executescript(
        """
        DROP INDEX IF EXISTS risk_snapshots_ref;
        DROP INDEX IF EXISTS risk_snapshots_ref_key;
        CREATE INDEX IF NOT EXISTS risk_snapshots_month_key ON risk_snapshots(month, ref_key);
        CREATE INDEX IF NOT EXISTS risk_snapshots_annex ON risk_snapshots(annex, month);
        """
    )


@migrations(name="0014_ew_register_due_frozen")
def m0014_ew_register_due_frozen(db: sqlite_utils.Database) -> None:
    """Issue 14 review F23: the date the revised early warning register is due, and the
    days it was set from, frozen when the meeting closes (part of the sealed record), so
    re-exported approved minutes never follow a later change to the config."""
    db.executescript(
        """
        ALTER TABLE meetings ADD COLUMN ew_register_due TEXT;
        ALTER TABLE meetings ADD COLUMN ew_register_due_days INTEGER;
        """
    )
