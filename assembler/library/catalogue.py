"""Reading a clause library: the list of clauses, one version in full, and each clause's history.

Everything here returns plain dataclasses with a ``to_dict`` for ``--json``;
the command line decides how to print them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assembler.errors import UsageError
from assembler.library.load import ClauseVersion, Library
from assembler.library.versions import Version


@dataclass(frozen=True)
class Use:
    """A blueprint that refers to a clause, and the range it asks for."""

    blueprint: str
    range: str

    def __str__(self) -> str:
        return f"{self.blueprint} ({self.range})"


@dataclass(frozen=True)
class ClauseSummary:
    """One line of the catalogue: a clause and its latest approved version."""

    id: str
    title: dict[str, str]
    latest: str | None  # the highest approved version; None when nothing is approved
    status: str  # the status of the version described: approved, or draft/retired when none is approved
    effective: str
    languages: tuple[str, ...]
    used_by: tuple[Use, ...]
    pending_draft: str | None  # a draft above the latest approved version, waiting for approval
    versions: int

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-ready data."""
        return {"id": self.id, "title": self.title, "latest": self.latest, "status": self.status,
                "effective": self.effective, "languages": list(self.languages),
                "used_by": [{"blueprint": u.blueprint, "range": u.range} for u in self.used_by],
                "pending_draft": self.pending_draft, "versions": self.versions}


@dataclass(frozen=True)
class WordChange:
    """How many words one language's text gained and lost against the previous version."""

    added: int
    removed: int


@dataclass(frozen=True)
class HistoryEntry:
    """One version in a clause's history."""

    version: str
    status: str
    effective: str
    approved_by: str
    approved_on: str
    retired_on: str
    replaced_by: str
    changelog: tuple[dict[str, str], ...]  # the entries about this version
    previous: str | None
    words: dict[str, WordChange]  # per language, against ``previous``
    path: Path
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as JSON-ready data."""
        return {"version": self.version, "status": self.status, "effective": self.effective,
                "approved_by": self.approved_by or None, "approved_on": self.approved_on or None,
                "retired_on": self.retired_on or None, "replaced_by": self.replaced_by or None,
                "changelog": [dict(e) for e in self.changelog], "previous": self.previous,
                "words": {lang: {"added": w.added, "removed": w.removed} for lang, w in self.words.items()},
                "file": str(self.path), "sha256": self.sha256}


@dataclass(frozen=True)
class ClauseDetail:
    """One clause version in full: metadata, text per language, changelog, sources."""

    clause: ClauseVersion
    languages: tuple[str, ...]  # the languages shown
    recorded_sha256: str | None  # from approved.yaml
    used_by: tuple[Use, ...]
    other_versions: tuple[str, ...] = field(default=())
    approver: str = ""  # its own approved_by, else the library's default

    @property
    def unchanged(self) -> bool | None:
        """Return whether the file still matches its recorded hash (None when nothing is recorded)."""
        return None if self.recorded_sha256 is None else self.recorded_sha256 == self.clause.sha256

    def to_dict(self) -> dict[str, Any]:
        """Return the clause version as JSON-ready data."""
        cv = self.clause
        meta = cv.meta
        return {"id": cv.id, "version": str(cv.version), "status": cv.status, "effective": cv.effective,
                "title": {lang: cv.title.get(lang, "") for lang in self.languages}, "summary": cv.summary,
                "approved_by": self.approver or None, "approved_on": meta.get("approved_on"),
                "drafted_by": meta.get("drafted_by"),
                "retired_on": meta.get("retired_on"), "replaced_by": meta.get("replaced_by"),
                "replaces": meta.get("replaces"), "numbering": cv.numbering,
                "file": str(cv.path), "sha256": cv.sha256, "recorded_sha256": self.recorded_sha256,
                "unchanged": self.unchanged,
                "text": {lang: cv.bodies.get(lang, "").strip("\n") for lang in self.languages},
                "changelog": list(meta.get("changelog") or []), "sources": cv.sources,
                "defines": [d.get("id") for d in cv.defines],
                "used_by": [{"blueprint": u.blueprint, "range": u.range} for u in self.used_by],
                "versions": list(self.other_versions)}


def uses_of(library: Library, clause_id: str) -> tuple[Use, ...]:
    """Return every blueprint reference to a clause, in blueprint and section order."""
    out: list[Use] = []
    for bp in library.blueprints.values():
        for section in bp.sections:
            for v in section.variants:
                use = Use(bp.id, str(v.range))
                if v.clause_id == clause_id and use not in out:
                    out.append(use)
    return tuple(out)


def _versions(library: Library, clause_id: str) -> tuple[ClauseVersion, ...]:
    """Return a clause's versions, or raise UsageError suggesting the nearest ids."""
    versions = library.clauses.get(clause_id)
    if versions:
        return versions
    near = difflib.get_close_matches(clause_id, list(library.clauses), n=3)
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    raise UsageError(f"the library has no clause '{clause_id}'{hint}")


def latest_approved(versions: tuple[ClauseVersion, ...]) -> ClauseVersion | None:
    """Return the highest approved version, or None."""
    approved = [cv for cv in versions if cv.status == "approved"]
    return max(approved, key=lambda c: c.version) if approved else None


def list_clauses(library: Library) -> list[ClauseSummary]:
    """Return one summary per clause of the library, sorted by id."""
    out = []
    for clause_id, versions in sorted(library.clauses.items()):
        latest = latest_approved(versions)
        shown = latest or versions[-1]
        drafts = [cv for cv in versions if cv.status == "draft" and (latest is None or cv.version > latest.version)]
        out.append(ClauseSummary(
            id=clause_id, title=dict(shown.title), latest=str(latest.version) if latest else None,
            status=shown.status, effective=shown.effective,
            languages=tuple(lang for lang in library.languages if shown.bodies.get(lang, "").strip()),
            used_by=uses_of(library, clause_id), pending_draft=str(drafts[-1].version) if drafts else None,
            versions=len(versions)))
    return out


def show_clause(library: Library, clause_id: str, version: Version | None = None,
                language: str | None = None) -> ClauseDetail:
    """Return one clause version in full: the one asked for, else the latest approved (else the latest)."""
    versions = _versions(library, clause_id)
    if version is None:
        cv = latest_approved(versions) or versions[-1]
    else:
        found = library.clause(clause_id, version)
        if found is None:
            known = ", ".join(str(v.version) for v in versions)
            raise UsageError(f"the library has no {clause_id}@{version} (versions: {known})")
        cv = found
    if language is not None and language not in cv.bodies:
        raise UsageError(f"{language}: {cv.ref} has the languages {', '.join(cv.bodies)}", code="usage.language",
                         option="lang")
    languages = (language,) if language else tuple(lang for lang in library.languages if lang in cv.bodies)
    return ClauseDetail(cv, languages, library.approved.get(cv.ref), uses_of(library, clause_id),
                        tuple(str(v.version) for v in versions), library.approver(cv))


def word_changes(before: str, after: str) -> WordChange:
    """Return how many words were added and removed going from ``before`` to ``after``."""
    a, b = before.split(), after.split()
    added = removed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            removed += i2 - i1
        if op in ("replace", "insert"):
            added += j2 - j1
    return WordChange(added, removed)


def _predecessor(cv: ClauseVersion, versions: tuple[ClauseVersion, ...]) -> ClauseVersion | None:
    """Return the version ``cv`` is compared with: the one it says it replaces, else the one before it
    in its major line, else the one before it."""
    ident, _, ver = str(cv.meta.get("replaces") or "").partition("@")
    for other in versions:
        if ident == cv.id and str(other.version) == ver and other.version < cv.version:
            return other
    lower = [o for o in versions if o.version < cv.version]
    same_line = [o for o in lower if o.version.major == cv.version.major]
    candidates = same_line or lower
    return candidates[-1] if candidates else None


def clause_history(library: Library, clause_id: str) -> list[HistoryEntry]:
    """Return every version of a clause, oldest first, each compared with the version it follows."""
    out = []
    versions = _versions(library, clause_id)
    for cv in versions:
        previous = _predecessor(cv, versions)
        meta = cv.meta
        entries = tuple({k: str(v) for k, v in e.items()} for e in (meta.get("changelog") or [])
                        if str(e.get("version")) == str(cv.version))
        words = {}
        if previous is not None:
            for lang in library.languages:
                if lang in cv.bodies and lang in previous.bodies:
                    words[lang] = word_changes(previous.bodies[lang], cv.bodies[lang])
        out.append(HistoryEntry(
            version=str(cv.version), status=cv.status, effective=cv.effective,
            approved_by=library.approver(cv), approved_on=str(meta.get("approved_on") or ""),
            retired_on=str(meta.get("retired_on") or ""), replaced_by=str(meta.get("replaced_by") or ""),
            changelog=entries, previous=str(previous.version) if previous else None, words=words,
            path=cv.path, sha256=cv.sha256))
    return out


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def catalogue_markdown(library: Library) -> str:
    """Return the library's catalogue as Markdown: every clause, its variants, condition and sources.

    ``docs/clauses.md`` is this text for the bundled library; a test keeps the two in step.
    """
    out = [f"# Clause catalogue: {library.name}", "",
           ("Generated by `assembler clauses catalogue`; do not edit by hand. Every legal reference is "
            "marked unconfirmed until a lawyer has checked it against the current text."), ""]
    for bp in library.blueprints.values():
        out += [f"## Agreement `{bp.id}` {bp.version}: {_cell(bp.title.get('sv', ''))} / {_cell(bp.title.get('en', ''))}",
                "", "| # | clause | title | included when |", "|---|---|---|---|"]
        for n, section in enumerate(bp.sections, 1):
            for k, v in enumerate(section.variants):
                versions = library.clauses.get(v.clause_id, ())
                latest = latest_approved(versions)
                title = latest.title if latest else (versions[-1].title if versions else {})
                condition = " and ".join(f"`{_cell(c)}`" for c in (section.when, v.when) if c)
                if section.one_of:
                    condition = (f"variant {k + 1} of {len(section.variants)}: " + (condition or "otherwise"))
                out.append(f"| {n if k == 0 else ''} | `{v.clause_id}@{v.range}` | "
                           f"{_cell(title.get('sv', ''))} / {_cell(title.get('en', ''))} | {condition or 'always'} |")
        if bp.guards:
            out += ["", "### Guards", "", "| guard | level | fires when | message |", "|---|---|---|---|"]
            out += [f"| `{g.id}` | {g.level} | `{_cell(g.when)}` | {_cell(g.message.get('en', ''))} |" for g in bp.guards]
        if bp.appendices:
            out += ["", "### Appendices", "", "| appendix | title | included when |", "|---|---|---|"]
            out += [f"| `{a.id}` | {_cell(a.title.get('sv', ''))} / {_cell(a.title.get('en', ''))} | "
                    f"{'`' + _cell(a.when) + '`' if a.when else 'always'} |" for a in bp.appendices]
        out.append("")
    out += ["## Clauses", ""]
    for clause_id, versions in library.clauses.items():
        latest = latest_approved(versions) or versions[-1]
        out += [f"### `{clause_id}` — {_cell(latest.title.get('sv', ''))} / {_cell(latest.title.get('en', ''))}", "",
                _cell(latest.summary), "",
                "Versions: " + ", ".join(f"{cv.version} ({cv.status}, effective {cv.effective})" for cv in versions), ""]
        sources = latest.sources
        if sources:
            out.append("Sources:")
            out += [f"- {_cell(s['ref'])} — {'confirmed' if s.get('confirmed') else 'not yet confirmed'}"
                    + (f": {_cell(s['note'])}" if s.get("note") else "") for s in sources]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def pending_drafts(library: Library) -> list[tuple[ClauseVersion, ClauseVersion | None]]:
    """Return every draft waiting for approval with the approved version it is read against (or None)."""
    out: list[tuple[ClauseVersion, ClauseVersion | None]] = []
    for versions in library.clauses.values():
        for cv in versions:
            if cv.status != "draft":
                continue
            ident, _, ver = str(cv.meta.get("replaces") or "").partition("@")
            try:
                base = library.clause(ident, ver) if ident == cv.id and ver else None
            except ValueError:  # a malformed 'replaces' is validate's to report
                base = None
            if base is None:
                earlier = [o for o in versions if o.version < cv.version and o.status != "draft"]
                base = earlier[-1] if earlier else None
            out.append((cv, base))
    return out
