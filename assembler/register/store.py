"""The agreement register: every issued agreement, its parties, clause versions and files, in SQLite or PostgreSQL.

SQLite is the default, one file a legal unit keeps beside its agreements;
PostgreSQL (a ``postgresql://`` URL, through psycopg 3) serves a unit that
shares one register between several people.  Every write is one
transaction keyed on unique columns, so two batch runs writing at once
neither lose nor duplicate a record: SQLite takes the write lock up front
(``BEGIN IMMEDIATE``) and waits for it (busy timeout, WAL journal);
PostgreSQL upserts on the same keys.
"""

from __future__ import annotations

import datetime as _dt
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assembler.assembly.issued import Issued, builder
from assembler.errors import AssemblerError, RegisterError, UsageError
from assembler.register.schema import LATEST, MIGRATIONS, SERIAL, VERSION_TABLE

STATUSES = ("issued", "sent", "returned", "signed", "terminated")
_BUSY_MS = 60_000  # a batch run holds the write lock for milliseconds at a time; waiting a minute is never normal
_LOCK_KEY = 7_441_016  # PostgreSQL advisory lock taken while migrating, so two first uses do not race


def is_url(location: str) -> bool:
    """Whether a register location is a PostgreSQL URL rather than a SQLite file."""
    return location.startswith(("postgresql://", "postgres://"))


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _journal_in_wal(conn: sqlite3.Connection) -> None:
    """Put the register's journal in WAL mode, waiting as long as for any lock.

    Switching needs the file to itself, and SQLite reports a clash with
    another process opening the register at the same moment (two batch runs
    creating it) as "database is locked" at once, without waiting for the
    busy timeout: it is tried again until the timeout has passed.
    """
    deadline = time.monotonic() + _BUSY_MS / 1000
    pause = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def record_id(issued: Issued) -> str:
    """Return an issued agreement's key: the SHA-256 of its manifest (same inputs, same agreement)."""
    return issued.manifest_sha256


@dataclass(frozen=True)
class Registered:
    """An agreement as the register holds it; ``clauses``, ``files`` and ``events`` are filled by ``show``."""

    id: str
    reference: str
    agreement: str
    agreement_version: str
    language: str
    assembled: str
    draft: bool
    source: str
    built_by: str
    built_at: str
    status: str
    status_date: str | None
    parties: tuple[tuple[str, str, str], ...] = ()  # (role, name, orgnr)
    clauses: tuple[tuple[str, str, str], ...] = ()  # (id, version, sha256)
    files: tuple[tuple[str, str, str, int], ...] = ()  # (path, format, sha256, size)
    events: tuple[tuple[str, str, str, str], ...] = ()  # (status, date, recorded_by, recorded_at)

    def to_dict(self) -> dict[str, Any]:
        """Return the record as JSON-ready data."""
        return {"id": self.id, "reference": self.reference, "agreement": self.agreement,
                "agreement_version": self.agreement_version, "language": self.language, "assembled": self.assembled,
                "draft": self.draft, "source": self.source, "built_by": self.built_by, "built_at": self.built_at,
                "status": self.status, "status_date": self.status_date,
                "parties": [{"role": r, "name": n, "orgnr": o} for r, n, o in self.parties],
                "clauses": [{"id": i, "version": v, "sha256": s} for i, v, s in self.clauses],
                "files": [{"path": p, "format": f, "sha256": s, "size": z} for p, f, s, z in self.files],
                "events": [{"status": s, "date": d, "recorded_by": b, "recorded_at": a} for s, d, b, a in self.events]}


_HITS = "SELECT agreement_id, version FROM clauses WHERE clause_id = ?"
_SUMMARY = ("id, reference, agreement, agreement_version, language, assembled, draft, source, built_by, built_at, "
            "status, status_date")


class Register:
    """An open register.  Use as a context manager, or call ``close``."""

    def __init__(self, location: str | Path) -> None:
        self.location = str(location)
        self.dialect = "postgresql" if is_url(self.location) else "sqlite"
        self._conn: Any = self._connect()
        self._migrate()

    def _connect(self) -> Any:
        if self.dialect == "postgresql":
            try:
                import psycopg
                return psycopg.connect(self.location, autocommit=True, connect_timeout=10)
            except ImportError:
                raise RegisterError("a PostgreSQL register needs psycopg: pip install 'psycopg[binary]'") from None
            except Exception as exc:  # noqa: BLE001 - psycopg.OperationalError and URL parse errors alike
                raise RegisterError(f"cannot connect to the register at {_redact(self.location)}: "
                                    f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}") from None
        path = Path(self.location)
        if path.is_dir():
            raise RegisterError(f"the register '{path}' is a folder: give a file name such as {path / 'register.sqlite3'}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=_BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
            _journal_in_wal(conn)  # readers never wait for a batch run that is writing
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            # A register of 100,000 agreements is a file of hundreds of MB read at random places by where-used:
            # mapped into memory, a page read is a memory access instead of a system call.
            conn.execute("PRAGMA mmap_size = 1073741824")
        except (OSError, sqlite3.Error) as exc:
            raise RegisterError(f"cannot open the register '{path}': {exc}") from None
        return conn

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _q(self, sql: str) -> str:
        return sql if self.dialect == "sqlite" else sql.replace("?", "%s")

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._errors():
            return [tuple(r) for r in self._conn.execute(self._q(sql), tuple(params)).fetchall()]

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn a database failure (locked past the timeout, server gone, disk full) into a RegisterError."""
        try:
            yield
        except AssemblerError:
            raise
        except Exception as exc:
            if isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("psycopg"):
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise RegisterError(f"the register '{_redact(self.location)}' failed: {first}",
                                    code="register.failed") from None
            raise

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._errors():
            if self.dialect == "postgresql":
                with self._conn.transaction():
                    with self._conn.cursor() as cur:
                        yield cur
                return
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def _migrate(self) -> None:
        with self._transaction() as cur:
            if self.dialect == "postgresql":
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            cur.execute(VERSION_TABLE)
            cur.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version")
            current = int(cur.fetchone()[0])
            if current > LATEST:
                raise RegisterError(f"the register '{_redact(self.location)}' has schema version {current}, newer than "
                                    f"this assembler knows ({LATEST}): upgrade assembler", code="register.schema")
            for version, statements in MIGRATIONS:
                if version <= current:
                    continue
                for statement in statements:
                    cur.execute(statement.replace("{serial}", SERIAL[self.dialect]))
                cur.execute(self._q("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"), (version, _now()))

    @property
    def schema_version(self) -> int:
        return int(self._all("SELECT MAX(version) FROM schema_version")[0][0])

    def record(self, issued: Issued) -> str:
        """Record one issued agreement (again: the same agreement updates its record); return its id."""
        return self.record_many([issued])[0]

    def record_many(self, batch: Sequence[Issued]) -> list[str]:
        """Record issued agreements in one transaction (all or none); return their ids, in order.

        A batch run records its agreements a few dozen at a time: one
        transaction (one lock, one sync) each time instead of one per agreement.
        """
        ids = [record_id(issued) for issued in batch]
        now = _now()
        agreements, parties, clauses, files = [], [], [], []
        for ident, issued in zip(ids, batch):
            m = issued.manifest
            agreements.append((ident, m.reference, m.agreement, m.agreement_version, m.blueprint_sha256, m.language,
                               m.assembled, m.answers_sha256, int(m.draft), m.tool_version, issued.label,
                               issued.built_by, now))
            parties += [(ident, i, p.role, p.name, p.orgnr) for i, p in enumerate(issued.parties)]
            clauses += [(ident, c.id, c.version, c.sha256) for c in m.clauses]
            files += [(str(f.path), ident, f.format, f.sha256, f.size, now) for f in issued.files]
        with self._transaction() as cur:
            cur.executemany(self._q(
                "INSERT INTO agreements (id, reference, agreement, agreement_version, blueprint_sha256, language, "
                "assembled, answers_sha256, draft, tool_version, source, built_by, built_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "source = excluded.source, built_by = excluded.built_by, built_at = excluded.built_at"), agreements)
            cur.executemany(self._q("INSERT INTO parties (agreement_id, position, role, name, orgnr) VALUES "
                                    "(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"), parties)
            cur.executemany(self._q("INSERT INTO clauses (agreement_id, clause_id, version, sha256) VALUES "
                                    "(?, ?, ?, ?) ON CONFLICT DO NOTHING"), clauses)
            cur.executemany(self._q(
                "INSERT INTO files (path, agreement_id, format, sha256, size, written_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (path) DO UPDATE SET agreement_id = excluded.agreement_id, format = excluded.format, "
                "sha256 = excluded.sha256, size = excluded.size, written_at = excluded.written_at"), files)
        return ids

    def agreements(self, *, status: str | None = None, reference: str | None = None) -> list[Registered]:
        """Return the registered agreements, newest assembly first, with their parties."""
        where, params = [], []
        if status:
            where.append("status = ?")
            params.append(status)
        if reference:
            where.append("reference = ?")
            params.append(reference)
        sql = f"SELECT {_SUMMARY} FROM agreements" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self._all(sql + " ORDER BY assembled DESC, reference, id", params)
        parties: dict[str, list[tuple[str, str, str]]] = {}
        for ident, role, name, orgnr in self._all("SELECT agreement_id, role, name, orgnr FROM parties "
                                                  "ORDER BY agreement_id, position"):
            parties.setdefault(ident, []).append((role, name, orgnr))
        return [_summary(r, tuple(parties.get(r[0], ()))) for r in rows]

    def find(self, ref: str) -> list[Registered]:
        """Return the agreements a REF names: an exact reference (every issue of it, newest first) or an id prefix."""
        rows = self._all(f"SELECT {_SUMMARY} FROM agreements WHERE reference = ? ORDER BY built_at DESC, id", (ref,))
        if not rows and len(ref) >= 6 and all(c in "0123456789abcdef" for c in ref.lower()):
            rows = self._all(f"SELECT {_SUMMARY} FROM agreements WHERE id LIKE ? ORDER BY id", (ref.lower() + "%",))
        return [self._detail(r) for r in rows]

    def _detail(self, row: tuple[Any, ...]) -> Registered:
        ident = row[0]
        parties = self._all("SELECT role, name, orgnr FROM parties WHERE agreement_id = ? ORDER BY position", (ident,))
        clauses = self._all("SELECT clause_id, version, sha256 FROM clauses WHERE agreement_id = ? "
                            "ORDER BY clause_id", (ident,))
        files = self._all("SELECT path, format, sha256, size FROM files WHERE agreement_id = ? ORDER BY path", (ident,))
        events = self._all("SELECT status, date, recorded_by, recorded_at FROM events WHERE agreement_id = ? "
                           "ORDER BY id", (ident,))
        base = _summary(row, tuple(parties))  # type: ignore[arg-type]
        return Registered(**{**base.__dict__, "clauses": tuple(clauses), "files": tuple(files),  # type: ignore[arg-type]
                             "events": tuple(events)})

    def mark(self, ref: str, status: str, date: str | None = None) -> Registered:
        """Set the status of the agreement REF names (its latest issue) and log the change; return it updated."""
        if status not in STATUSES:
            raise UsageError(f"the status must be one of {', '.join(STATUSES)}", code="usage.status", option="status")
        when = date or _dt.date.today().isoformat()
        try:
            _dt.date.fromisoformat(when)
        except ValueError:
            raise UsageError(f"'{when}' is not a date: write it as YYYY-MM-DD", code="usage.date", option="date") from None
        found = self.find(ref)
        if not found:
            raise UsageError(f"the register has no agreement '{ref}'", code="register.unknown")
        target = found[0]
        # Sent, returned and signed are things that have happened; a termination may take effect later.
        if status != "terminated" and _dt.date.fromisoformat(when) > _dt.date.today() + _dt.timedelta(days=1):
            raise UsageError(f"{when} is in the future: mark an agreement {status} when it has been",
                             code="usage.date", option="date")
        with self._transaction() as cur:
            cur.execute(self._q("UPDATE agreements SET status = ?, status_date = ? WHERE id = ?"), (status, when, target.id))
            cur.execute(self._q("INSERT INTO events (agreement_id, status, date, recorded_by, recorded_at) "
                                "VALUES (?, ?, ?, ?, ?)"), (target.id, status, when, builder(), _now()))
        return self.find(target.id)[0]

    def uses(self, clause_id: str, version: str | None = None, folder: Path | None = None) -> list[tuple[Any, ...]]:
        """Return (file, agreement, version, reference, assembled, language, draft, status, status_date, clause
        version, id) for each DOCX and PDF of an agreement that uses the clause, under ``folder`` when given."""
        # The agreements using the clause come first from the covering index, then each is looked up once: told
        # as a materialized CTE so that neither planner starts from the files or agreements tables instead.
        sql = (f"WITH hits AS MATERIALIZED ({_HITS}{' AND version = ?' if version is not None else ''}) "
               "SELECT f.path, a.agreement, a.agreement_version, a.reference, a.assembled, a.language, a.draft, "
               "a.status, a.status_date, h.version, a.id FROM hits h JOIN agreements a ON a.id = h.agreement_id "
               "JOIN files f ON f.agreement_id = h.agreement_id AND f.format IN ('docx', 'pdf')")
        params: list[Any] = [clause_id] + ([version] if version is not None else [])
        if folder is not None:
            sql += " WHERE f.path LIKE ? ESCAPE '\\'"
            params.append(str(folder).rstrip("/").replace("%", r"\%").replace("_", r"\_") + "/%")
        return self._all(sql + " ORDER BY f.path", params)

    def parties_using(self, clause_id: str, version: str | None = None) -> dict[str, tuple[str, ...]]:
        """Return the party names, in order, of each agreement that uses the clause (version)."""
        sql = (f"WITH hits AS MATERIALIZED ({_HITS}{' AND version = ?' if version is not None else ''}) "
               "SELECT DISTINCT p.agreement_id, p.position, p.name FROM hits h "
               "JOIN parties p ON p.agreement_id = h.agreement_id ORDER BY p.agreement_id, p.position")
        out: dict[str, list[str]] = {}
        for ident, _position, name in self._all(sql, [clause_id] + ([version] if version is not None else [])):
            out.setdefault(ident, []).append(name)
        return {k: tuple(v) for k, v in out.items()}

    def parties_of(self, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """Return the party names of each agreement id, in order."""
        out: dict[str, list[str]] = {}
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            marks = ", ".join("?" for _ in chunk)
            for ident, name in self._all(f"SELECT agreement_id, name FROM parties WHERE agreement_id IN ({marks}) "
                                         "ORDER BY agreement_id, position", chunk):
                out.setdefault(ident, []).append(name)
        return {k: tuple(v) for k, v in out.items()}

    def known_paths(self, folder: Path) -> set[str]:
        """Return the paths of every registered file under ``folder``."""
        prefix = str(folder).rstrip("/").replace("%", r"\%").replace("_", r"\_") + "/%"
        return {r[0] for r in self._all("SELECT path FROM files WHERE path LIKE ? ESCAPE '\\'", (prefix,))}


def _summary(row: tuple[Any, ...], parties: tuple[tuple[str, str, str], ...]) -> Registered:
    return Registered(str(row[0]), row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7], row[8], row[9],
                      row[10], row[11], parties)


def _redact(location: str) -> str:
    """Return a URL without its password, for messages."""
    if "@" in location and "://" in location:
        scheme, rest = location.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else location
    return location


DEFAULT_FILE = "register.sqlite3"  # a workspace's register when its settings name none


def workspace_register(start: Path | None = None, *, existing_only: bool = False) -> str | None:
    """Return the register of the workspace at or above ``start`` (default: the current folder), or None.

    The workspace's ``register`` setting names it (a SQLite path relative to
    the workspace, or a PostgreSQL URL); when the setting is empty the
    workspace keeps ``register.sqlite3`` in its folder, created on first use.
    With ``existing_only`` (for commands that only read, such as where-used)
    a SQLite file that does not exist yet counts as no register, so that they
    fall back to reading the files.  None outside a workspace.
    """
    from assembler.library.workspace import find_workspace, load_settings
    root = find_workspace(start)
    if root is None:
        return None
    location = load_settings(root).register.strip() or DEFAULT_FILE
    if is_url(location):
        return location
    path = Path(location).expanduser()
    path = path if path.is_absolute() else root.resolve() / path
    return None if existing_only and not path.exists() else str(path)


def open_register(location: str | Path, *, create: bool = True) -> Register:
    """Open (and create or migrate on first use) the register at a SQLite path or PostgreSQL URL.

    ``create=False`` is for commands that only read or mark: a SQLite file
    that is not there is then an error (a mistyped path), not a new, empty
    register that reports no agreements.
    """
    text = str(location)
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", text)
    if scheme and not is_url(text):
        if scheme.group(1).lower() != "sqlite":
            raise RegisterError(f"'{_redact(text)}' is not a register: give a SQLite file path, or a PostgreSQL URL "
                                "(postgresql://user@host/database)")
        if not text.lower().startswith("sqlite:///"):
            raise RegisterError(f"'{text}' is not a SQLite URL: write sqlite:///relative/path or sqlite:////absolute/path")
        location = text[len("sqlite:///"):]  # SQLAlchemy's form: three slashes, then the path
    if not create and not is_url(str(location)) and not Path(location).exists():
        raise RegisterError(f"there is no register at '{location}' (a register is made by the first build recorded "
                            "into it: check the path)")
    return Register(location)
