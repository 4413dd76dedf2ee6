"""Where-used: which issued agreements carry a clause, read from the manifests embedded in DOCX and PDF files.

A folder of agreements is a record kept for years: files get renamed,
re-saved by Word, scanned, or are not ours at all.  Every such file is named
and counted, and the scan goes on.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from assembler._files import read_bytes
from assembler.errors import AssemblerError, UsageError
from assembler.library.lifecycle import parse_clause_ref
from assembler.library.load import Library, load_library
from assembler.library.versions import Version
from assembler.readers import read_embedded_manifest, sniff
from assembler.readers.quick_manifest import quick_file_view
from assembler.register.store import Register

SUFFIXES = (".docx", ".pdf")


@dataclass(frozen=True)
class Usage:
    """One agreement that uses the clause; ``path`` is its file (as text: a register answers with thousands)."""

    path: str
    agreement: str
    agreement_version: str
    reference: str
    parties: tuple[str, ...]
    assembled: str
    language: str
    version: str
    draft: bool
    superseded_by: str | None = None  # why the version is superseded, when the library says it is
    status: str | None = None  # sent, signed … as the register records it (None from a folder scan)
    status_date: str | None = None

    @property
    def file(self) -> Path:
        """The agreement's file."""
        return Path(self.path)

    def to_dict(self, folder: Path) -> dict[str, Any]:
        """Return the usage as JSON-ready data, the file relative to ``folder``; the status when the register knows it."""
        out = {"file": _relative(self.path, folder), "agreement": self.agreement,
               "agreement_version": self.agreement_version, "reference": self.reference,
               "parties": list(self.parties), "assembled": self.assembled, "language": self.language,
               "version": self.version, "draft": self.draft, "superseded_by": self.superseded_by}
        if self.status is not None:
            out |= {"status": self.status, "status_date": self.status_date}
        return out


class _Stamp(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...


class Stamped(Protocol):
    """What where-used reads of a manifest: a :class:`Manifest`, or the ``ManifestView`` a scan decodes."""

    @property
    def agreement(self) -> str: ...
    @property
    def agreement_version(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def parties(self) -> tuple[str, ...]: ...
    @property
    def assembled(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def draft(self) -> bool: ...
    @property
    def clauses(self) -> Sequence[_Stamp]: ...


@dataclass(frozen=True)
class Unreadable:
    """A file that could not be read as an agreement of ours, and why."""

    file: Path
    reason: str


@dataclass(frozen=True)
class WhereUsed:
    """The outcome of a where-used scan."""

    clause_id: str
    version: str | None
    folder: Path
    scanned: int  # DOCX and PDF files looked at
    agreements: int  # of which carried a manifest
    uses: tuple[Usage, ...]
    unreadable: tuple[Unreadable, ...]
    superseded_only: bool = False
    source: str = "scan"  # "register": answered from the agreement register; "scan": the files were read
    unregistered: tuple[Path, ...] = ()  # agreements found by a scan that the register does not know

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {"clause": self.clause_id, "version": self.version, "folder": str(self.folder), "source": self.source,
                "superseded_only": self.superseded_only, "scanned": self.scanned, "agreements": self.agreements,
                "uses": [u.to_dict(self.folder) for u in self.uses],
                "unreadable": [{"file": _relative(u.file, self.folder), "reason": u.reason} for u in self.unreadable],
                "unregistered": [_relative(p, self.folder) for p in self.unregistered]}


def _relative(path: Path | str, folder: Path) -> str:
    text, base = str(path), str(folder).rstrip("/") + "/"
    return text[len(base):] if text.startswith(base) and len(text) > len(base) else text


def agreement_files(folder: Path, follow_symlinks: bool = False) -> list[str]:
    """Return the path of every DOCX and PDF regular file under ``folder``, recursively, sorted as paths sort.

    Paths are text: a scan lists ten thousand files, and a Path for each
    costs more than reading its manifest.  Walks with an explicit stack (a
    tree may be deeper than Python's recursion limit).  A symbolic link is
    followed only when it stays inside ``folder``, unless
    ``follow_symlinks``; a folder is never entered twice.
    """
    root = os.path.realpath(folder)
    out: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack = [os.fspath(Path(folder))]  # as a Path spells it, so the files are named as before
    while stack:
        current = stack.pop()
        try:
            st = os.stat(current)
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        for entry in entries:
            try:
                if entry.is_symlink() and not follow_symlinks and not _within(entry.path, root):
                    continue
                if entry.is_dir():
                    stack.append(entry.path)
                elif entry.is_file() and os.path.splitext(entry.name)[1].lower() in SUFFIXES:
                    out.append(entry.path)
            except OSError:
                continue
    out.sort(key=lambda path: path.split(os.sep))  # component by component, as Path objects compare
    return out


def _within(path: str, root: str) -> bool:
    resolved = os.path.realpath(path)
    return resolved == root or resolved.startswith(root.rstrip(os.sep) + os.sep)


def read_agreement(path: str) -> tuple[Stamped | None, str | None]:
    """Return the manifest a file carries and None, or None and why it is not an agreement of ours.

    The quick reader answers for files shaped as ours are (with a
    ``ManifestView``); any other file is read in full, which says precisely
    what is wrong with it.
    """
    try:
        try:
            kind, manifest = quick_file_view(path)
        except OSError:
            kind, manifest = "unsure", None  # the full reading below words the refusal
        if manifest is not None:
            return manifest, None
        if kind is None:
            return None, "neither a DOCX nor a PDF file"
        data = read_bytes(Path(path), "agreement")
        if sniff(data) is None:
            return None, "neither a DOCX nor a PDF file"
        return read_embedded_manifest(data), None
    except AssemblerError as exc:
        return None, exc.message
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    except Exception as exc:  # noqa: BLE001 - zip and PDF parsers raise many kinds on corrupt input; one bad file must not stop the scan
        return None, f"unreadable ({type(exc).__name__}: {exc})"


# A use as a scan finds it: path, agreement, agreement version, reference, parties, assembled, language, the version
# of the clause used, draft.  Plain text and tuples: what a worker process sends back is small and quick to pickle.
_Row = tuple[str, str, str, str, tuple[str, ...], str, str, str, bool]
_PARALLEL_FROM = 400  # files; below this a second process costs more than it saves


def scan_files(paths: Sequence[str], clause_id: str,
               version: str | None) -> tuple[list[_Row], list[str], list[tuple[str, str]]]:
    """Read ``paths``; return the uses of the clause (any version, or ``version``), the files that are agreements
    of ours, and the files that are not, each with the reason."""
    wanted = Version.parse(version) if version is not None else None
    rows: list[_Row] = []
    agreements: list[str] = []
    bad: list[tuple[str, str]] = []
    for path in paths:
        m, reason = read_agreement(path)
        if m is None:
            bad.append((path, reason or "unreadable"))
            continue
        agreements.append(path)
        for stamp in m.clauses:
            if stamp.id == clause_id and (wanted is None or _same(stamp.version, wanted)):
                rows.append((path, m.agreement, m.agreement_version, m.reference, m.parties, m.assembled, m.language,
                             stamp.version, m.draft))
    return rows, agreements, bad


def _leave_interrupts_to_the_parent() -> None:
    """Ignore Ctrl-C in a worker: the parent stops the scan and reports once, with no worker's traceback."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Scan:
    """A scan of files, in ``jobs`` worker processes when there are enough files, started on entering.

    The caller loads the library while the workers read (the two take about
    as long for a few thousand files).  Workers are forked, so they start at
    once with everything imported; where fork is unavailable the scan runs
    in this process.  What they send back is only the text of
    :func:`scan_files`'s result, made by our own code in our own child
    process, never anything read from a file.
    """

    def __init__(self, paths: list[str], clause_id: str, version: str | None, jobs: int) -> None:
        self.args = (paths, clause_id, version)
        self.jobs = min(jobs, len(paths) // (_PARALLEL_FROM // 2) or 1)
        self.pool: Any = None
        self.futures: list[Any] = []

    def __enter__(self) -> _Scan:
        if self.jobs <= 1:
            return self
        import multiprocessing  # here: a one-process scan (most folders) does without its import
        if "fork" in multiprocessing.get_all_start_methods():
            from concurrent.futures import ProcessPoolExecutor
            paths, clause_id, version = self.args
            self.pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_leave_interrupts_to_the_parent)
            size = -(-len(paths) // (self.jobs * 4))  # a few chunks a worker: an even finish whatever the mix
            self.futures = [self.pool.submit(scan_files, paths[i:i + size], clause_id, version)
                            for i in range(0, len(paths), size)]
        return self

    def result(self) -> tuple[list[_Row], list[str], list[tuple[str, str]]]:
        """Return the scan's result, in the order of the paths."""
        if self.pool is None:
            return scan_files(*self.args)
        from concurrent.futures.process import BrokenProcessPool
        rows: list[_Row] = []
        agreements: list[str] = []
        bad: list[tuple[str, str]] = []
        try:
            for future in self.futures:
                r, a, b = future.result()
                rows += r
                agreements += a
                bad += b
        except BrokenProcessPool:  # a worker was killed (out of memory, a signal): read everything here instead
            return scan_files(*self.args)
        return rows, agreements, bad

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def superseded_by(library: Library, clause_id: str, version: str) -> str | None:
    """Return what supersedes a clause version, or None while it is current.

    Superseded: retired, or a later approved version of the same major line
    exists (the one a ``^N`` range now chooses).
    """
    try:
        cv = library.clause(clause_id, version)
    except ValueError:
        return None
    if cv is None:
        return None
    if cv.status == "retired":
        instead = cv.meta.get("replaced_by")
        return str(instead) if instead else f"retired {cv.meta.get('retired_on', '')}".strip()
    newer = [o for o in library.clauses.get(clause_id, ()) if o.status == "approved"
             and o.version.major == cv.version.major and o.version > cv.version]
    return f"{clause_id}@{max(newer, key=lambda o: o.version).version}" if newer else None


def _library_or_none(library: Library | Path | str | None, needed: bool) -> Library | None:
    if isinstance(library, Library):
        return library
    try:
        return load_library(library)
    except AssemblerError:
        if needed:
            return load_library(library, collect=True)
        return None  # where-used reads the agreements; the library only adds what supersedes them


def where_used(folder: Path | str | None, ref: str, *, library: Library | Path | str | None = None,
               superseded_only: bool = False, register: Register | None = None, rescan: bool = False,
               follow_symlinks: bool = False, jobs: int = 1) -> WhereUsed:
    """Return the agreements under ``folder`` that use the clause ``ref`` (``id`` or ``id@version``).

    With a ``register`` (and not ``rescan``) the register answers, for the
    files under ``folder`` or everywhere when it is None; otherwise the
    folder is scanned, and files the register does not know are listed.
    With ``superseded_only``, only agreements whose version of the clause
    has been superseded in the library.  Unreadable and foreign files are
    listed in the result, never raised.  Symbolic links leading out of
    ``folder`` are not followed unless ``follow_symlinks``.  With ``jobs``
    above 1 a scan of many files is shared among that many forked worker
    processes (the command line's choice; a server calling this keeps the
    default, one process).
    """
    clause_id, version = parse_clause_ref(ref, need_version=False)
    root = Path(folder) if folder is not None else None
    if root is not None and not root.is_dir():
        raise UsageError(f"the folder '{root}' does not exist" if not root.exists() else f"'{root}' is not a folder")
    if register is not None and not rescan:
        return _from_register(register, root, clause_id, version, _library_or_none(library, superseded_only),
                              superseded_only)
    if root is None:
        raise UsageError("name a folder to search, or a register (--register)", code="usage.where-used")
    files = agreement_files(root, follow_symlinks)
    with _Scan(files, clause_id, str(version) if version is not None else None, jobs) as running:
        # The library says which versions are superseded: loaded while workers read, else only if a file uses one.
        lib = _library_or_none(library, superseded_only) if running.pool is not None else None
        rows, agreements, bad = running.result()
    if running.pool is None and (rows or superseded_only):
        lib = _library_or_none(library, superseded_only)
    uses = []
    verdicts: dict[str, str | None] = {}  # thousands of agreements use a few versions: ask the library once each
    for row in rows:
        used = row[7]
        if used not in verdicts:
            verdicts[used] = superseded_by(lib, clause_id, used) if lib is not None else None
        if superseded_only and verdicts[used] is None:
            continue
        uses.append(Usage(*row, superseded_by=verdicts[used]))
    unknown: tuple[Path, ...] = ()
    if register is not None:
        known = register.known_paths(root.resolve())
        unknown = tuple(Path(p) for p in agreements if os.path.realpath(p) not in known)
    return WhereUsed(clause_id, str(version) if version else None, root, len(files), len(agreements), tuple(uses),
                     tuple(Unreadable(Path(p), why) for p, why in bad), superseded_only, "scan", unknown)


def _from_register(register: Register, root: Path | None, clause_id: str, version: Version | None,
                   lib: Library | None, superseded_only: bool) -> WhereUsed:
    rows = register.uses(clause_id, str(version) if version is not None else None,
                         root.resolve() if root is not None else None)
    parties = register.parties_using(clause_id, str(version) if version is not None else None)
    uses = []
    verdicts: dict[str, str | None] = {}  # a register holds thousands of uses of a few versions: ask once each
    for path, agreement, agreement_version, reference, assembled, language, draft, status, status_date, used, ident in rows:
        if used not in verdicts:
            verdicts[used] = superseded_by(lib, clause_id, used) if lib is not None else None
        why = verdicts[used]
        if superseded_only and why is None:
            continue
        uses.append(Usage(path, agreement, agreement_version, reference, parties.get(ident, ()), assembled,
                          language, used, bool(draft), why, status, status_date))
    folder = root.resolve() if root is not None else Path.cwd()
    return WhereUsed(clause_id, str(version) if version else None, folder, 0, len({r[10] for r in rows}),
                     tuple(uses), (), superseded_only, "register")


def _same(text: str, version: Version) -> bool:
    try:
        return Version.parse(text) == version
    except ValueError:
        return False
