"""The register's tables, as numbered migrations applied in order and recorded in ``schema_version``.

A migration is never edited once released: a change to the tables is a new
migration with the next number, so that a register made by an older
version is brought up to date on first use, in one transaction.
``{serial}`` is the dialect's auto-numbered key.
"""

from __future__ import annotations

SERIAL = {"sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT", "postgresql": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"}

VERSION_TABLE = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"

MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, (
        # One row per issued agreement.  The id is the SHA-256 of its manifest: the same answers, library and
        # date give the same agreement, so building it again updates the record instead of adding a second one.
        """CREATE TABLE agreements (
            id TEXT PRIMARY KEY,
            reference TEXT NOT NULL,
            agreement TEXT NOT NULL,
            agreement_version TEXT NOT NULL,
            blueprint_sha256 TEXT NOT NULL,
            language TEXT NOT NULL,
            assembled TEXT NOT NULL,
            answers_sha256 TEXT NOT NULL,
            draft INTEGER NOT NULL,
            tool_version TEXT NOT NULL,
            source TEXT NOT NULL,
            built_by TEXT NOT NULL,
            built_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'issued',
            status_date TEXT
        )""",
        "CREATE INDEX agreements_reference ON agreements (reference)",
        """CREATE TABLE parties (
            agreement_id TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            role TEXT NOT NULL,
            name TEXT NOT NULL,
            orgnr TEXT NOT NULL,
            PRIMARY KEY (agreement_id, position)
        )""",
        "CREATE INDEX parties_orgnr ON parties (orgnr)",
        """CREATE TABLE clauses (
            agreement_id TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
            clause_id TEXT NOT NULL,
            version TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (agreement_id, clause_id, version)
        )""",
        "CREATE INDEX clauses_use ON clauses (clause_id, version)",
        # A path holds the file last written there: a later build to the same path moves the row to its agreement.
        """CREATE TABLE files (
            path TEXT PRIMARY KEY,
            agreement_id TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
            format TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            written_at TEXT NOT NULL
        )""",
        "CREATE INDEX files_agreement ON files (agreement_id)",
        "CREATE INDEX files_sha256 ON files (sha256)",
        # Every change of status, with who said so and when: the agreements row holds the latest.
        """CREATE TABLE events (
            id {serial},
            agreement_id TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            date TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        )""",
        "CREATE INDEX events_agreement ON events (agreement_id)",
    )),
    (2, (
        # where-used reads one clause version's agreements, their files and their parties: indexes that hold every
        # column those reads need answer them from the index alone, without a lookup in the table per row.
        "CREATE INDEX clauses_use_agreement ON clauses (clause_id, version, agreement_id)",
        "DROP INDEX clauses_use",
        "CREATE INDEX files_agreement_path ON files (agreement_id, format, path)",
        "DROP INDEX files_agreement",
        "CREATE INDEX parties_name ON parties (agreement_id, position, name)",
    )),
)

LATEST = MIGRATIONS[-1][0]
