"""Changing a clause library safely: drafting a new version, approving it, retiring an old one.

Each operation edits only the front matter lines it owns (``version``,
``status``, ``effective``, ``replaces``, ``approved_by``, ``approved_on``,
``retired_on``, ``replaced_by`` and one new changelog entry), line by line,
so comments, key order and the clause text stay exactly as they were.  The
result is parsed again and compared with what was intended before anything
is written; files are written atomically.

Approval records the clause's content hash in the library's
``approved.yaml``.  Retirement keeps that hash valid: the lines it changes
are the ones :func:`assembler.library.clause_sha256` leaves out.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assembler._dates import parse_date
from assembler._files import read_text, write_files_atomically
from assembler.errors import AssemblerError, LibraryError, Location, Problem, UsageError, ValidationFailed
from assembler.library.load import ClauseVersion, Library, clause_sha256, load_library
from assembler.library.sources import parse_yaml, split_front_matter
from assembler.library.versions import Version
from assembler.library.workspace import acting_person, check_four_eyes, writable_library

BUMPS = ("major", "minor", "patch")
APPROVED_HEADER = ("# The sha256 of every approved clause version, written by `assembler clauses approve`.\n"
                   "# Approved versions never change; `assembler validate` checks every file against this list.\n")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:")
_COMMENT_TAIL = re.compile(r"([ \t]+#.*)$")


@dataclass(frozen=True)
class Change:
    """What a lifecycle operation did: the version it concerns, the files written, and warnings."""

    ref: str
    files: tuple[Path, ...]
    warnings: tuple[str, ...] = ()
    sha256: str = ""


def parse_clause_ref(text: str, *, need_version: bool) -> tuple[str, Version | None]:
    """Return (clause id, version or None) of ``id`` or ``id@1.2.3``; raise UsageError otherwise."""
    ident, sep, ver = str(text).strip().partition("@")
    if not ident:
        raise UsageError(f"'{text}' names no clause: write it as clause-id@1.2.3")
    if not sep:
        if need_version:
            raise UsageError(f"'{text}' names no version: write it as {ident}@1.2.3")
        return ident, None
    try:
        return ident, Version.parse(ver)
    except ValueError:
        raise UsageError(f"'{ver}' in '{text}' is not a version: write it as {ident}@1.2.3") from None


def iso_date(value: str | _dt.date | None, option: str = "date") -> str:
    """Return an ISO date: the given one (checked), or today; ``option`` names the parameter in an error."""
    return parse_date(value, option=option).isoformat()


def yaml_scalar(value: str) -> str:
    """Return ``value`` written as a YAML scalar that reads back as the same string."""
    if any(ord(c) < 32 for c in value):
        raise UsageError(f"'{value!r}' contains a line break or control character")
    plain = value.strip() == value and value != "" and "#" not in value
    if plain:
        try:  # read back the way the library reads it (dates stay ISO text)
            plain = parse_yaml(f"k: {value}", "value").data == {"k": value}
        except AssemblerError:
            plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def library_root(library: Path | str | None) -> Path:
    """Return the library folder to write into; the bundled library is read-only."""
    return writable_library(library)


class FrontMatter:
    """The lines of a clause file, with line-level edits of its top-level front matter keys."""

    def __init__(self, text: str, file: str) -> None:
        self.file = file
        # A file written on Windows keeps its CRLF line ends, edited lines included.
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.lines = text.split(self.newline)
        self.end = split_front_matter(self.lines, file)

    def text(self) -> str:
        """Return the file's text with the edits made so far."""
        return self.newline.join(self.lines)

    def data(self) -> dict[str, Any]:
        """Return the front matter, parsed."""
        doc = parse_yaml("\n".join(self.lines[1:self.end]), self.file, line_offset=1)
        if not isinstance(doc.data, dict):
            raise LibraryError("the front matter must be a set of fields", Location(self.file, 2, 1), code="library.front-matter")
        return doc.data

    def find(self, key: str) -> int | None:
        """Return the index of the line where top-level ``key`` starts, or None."""
        for i in range(1, self.end):
            m = _TOP_KEY.match(self.lines[i])
            if m and m.group(1) == key:
                return i
        return None

    def set(self, key: str, value: str, after: tuple[str, ...] = ()) -> None:
        """Give top-level ``key`` the scalar ``value`` (already YAML), keeping a trailing comment.

        A missing key is inserted after the first of ``after`` that exists,
        else at the end of the front matter.
        """
        i = self.find(key)
        if i is not None:
            if self._block_end(i) != i + 1:
                raise LibraryError(f"'{key}' spans several lines; edit it by hand",
                                     Location(self.file, i + 1, 1, key), code="lifecycle.hand-edit")
            tail = _COMMENT_TAIL.search(self.lines[i].split(":", 1)[1])
            self.lines[i] = f"{key}: {value}{tail.group(1) if tail else ''}"
            return
        at = self.end
        for anchor in after:
            j = self.find(anchor)
            if j is not None:
                at = self._block_end(j)
                break
        self.lines.insert(at, f"{key}: {value}")
        self.end += 1

    def replace_value(self, key: str, old: str, new: str) -> None:
        """Replace the value ``old`` of a one-line key by ``new``, leaving the rest of the line as it is."""
        i = self.find(key)
        pattern = re.compile(rf"^({re.escape(key)}[ \t]*:[ \t]*){re.escape(old)}\b")
        if i is None or not pattern.match(self.lines[i]):
            raise LibraryError(f"expected '{key}: {old}' in the front matter", Location(self.file, 1, 1, key),
                               code="lifecycle.hand-edit")
        self.lines[i] = pattern.sub(lambda m: m.group(1) + new, self.lines[i], count=1)

    def remove(self, key: str) -> None:
        """Remove a one-line top-level key, if present."""
        i = self.find(key)
        if i is None:
            return
        end = self._block_end(i)
        del self.lines[i:end]
        self.end -= end - i

    def append_to_list(self, key: str, item: dict[str, str]) -> None:
        """Append a mapping of plain values to the block list under top-level ``key``.

        The entry is written in the style of the list's first entry: flow
        (``- {version: 1.1.0, text: …}``) or block (one key per line).
        """
        i = self.find(key)
        if i is None:
            raise LibraryError(f"the front matter has no '{key}'", Location(self.file, 1, 1, key), code="lifecycle.hand-edit")
        rest = _COMMENT_TAIL.sub("", self.lines[i].split(":", 1)[1]).strip()
        if rest not in ("", "[]"):
            raise LibraryError(f"'{key}' is written inline; write it as a block list to add to it",
                                 Location(self.file, i + 1, 1, key), code="lifecycle.hand-edit")
        end = i + 1 if rest else self._block_end(i)
        body = [j for j in range(i + 1, end) if self.lines[j].strip() and not self.lines[j].lstrip().startswith("#")]
        first = next((self.lines[j] for j in body if self.lines[j].lstrip().startswith("- ")), "  - {")
        indent = first[: len(first) - len(first.lstrip())]
        if first.lstrip()[2:].lstrip().startswith("{"):
            # Inside braces a plain scalar may not hold , [ ] { }: JSON strings are safe YAML there.
            pairs = ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False) if k == 'text' else v}" for k, v in item.items())
            entry = [f"{indent}- {{{pairs}}}"]
        else:
            entry = [f"{indent}{'- ' if n == 0 else '  '}{k}: {yaml_scalar(v)}" for n, (k, v) in enumerate(item.items())]
        if rest:
            self.lines[i] = f"{key}:"
        at = (body[-1] + 1) if body else i + 1
        self.lines[at:at] = entry
        self.end += len(entry)

    def _block_end(self, i: int) -> int:
        """Return the index after the last line that belongs to the key starting at line ``i``."""
        j = i + 1
        while j < self.end and not _TOP_KEY.match(self.lines[j]):
            j += 1
        # Trailing blank lines and comments belong to what follows.
        while j - 1 > i and (not self.lines[j - 1].strip() or self.lines[j - 1].startswith("#")):
            j -= 1
        return j


def checked_text(fm: FrontMatter, expected: dict[str, Any]) -> str:
    """Return the edited text after checking its front matter parses to exactly ``expected``."""
    after = fm.data()
    if after != expected:
        changed = sorted(k for k in set(after) | set(expected) if after.get(k) != expected.get(k))
        raise LibraryError(f"editing the front matter would also change {', '.join(changed)}; "
                             "nothing was written (edit the file by hand)", Location(fm.file, 1, 1), code="lifecycle.hand-edit")
    return fm.text()


def _approved_record(root: Path, additions: dict[str, str]) -> tuple[Path, bytes]:
    """Return approved.yaml with ``additions`` inserted in sorted place, comments and order kept."""
    path = root / "approved.yaml"
    text = read_text(path, "record of approved versions") if path.is_file() else APPROVED_HEADER
    old = parse_yaml(text, str(path)).data or {}
    if not isinstance(old, dict):
        raise LibraryError("approved.yaml must map id@version to a sha256", Location(str(path), 1, 1),
                           code="library.approved-file")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for key, sha in sorted(additions.items()):
        if key in old:
            raise LibraryError(f"approved.yaml already records {key}; a version number is never reused",
                                 parse_yaml(text, str(path)).locate((key,)), code="lifecycle.version-reused")
        entry = f"{key}: {sha}"
        entries = [(i, m.group(1)) for i, line in enumerate(lines) if (m := re.match(r"^([^#\s][^:]*?)[ \t]*:", line))]
        later = next((i for i, k in entries if k > key), None)
        if later is not None:
            lines.insert(later, entry)
        elif entries:
            lines.insert(entries[-1][0] + 1, entry)
        else:
            lines.append(entry)
    new_text = "\n".join(lines) + "\n"
    if parse_yaml(new_text, str(path)).data != {**old, **additions}:
        raise LibraryError("approved.yaml could not be updated safely; nothing was written", Location(str(path), 1, 1),
                           code="lifecycle.write-failed")
    return path, new_text.encode("utf-8")


def _load(root: Path) -> Library:
    return load_library(root, collect=True)


def _clause(lib: Library, clause_id: str, version: Version) -> ClauseVersion:
    """Return one clause version, or raise naming the problems that kept its file from loading."""
    cv = lib.clause(clause_id, version)
    if cv is not None:
        return cv
    path = lib.root / "fragments" / clause_id / f"{version}.md"
    if path.is_file():
        problems = tuple(p for p in lib.problems if p.location and p.location.file == str(path))
        first = problems[0] if problems else Problem("the file cannot be read", Location(str(path)))
        raise ValidationFailed(first.message, first.location, problems or (first,))
    known = ", ".join(str(c.version) for c in lib.clauses.get(clause_id, ())) or "none"
    raise UsageError(f"the library has no {clause_id}@{version} (versions: {known})")


def _highest_version(folder: Path, clause_id: str) -> Version:
    """Return the highest version among a clause folder's files."""
    stems = []
    for f in folder.glob("*.md"):
        try:
            stems.append(Version.parse(f.stem))
        except ValueError:
            continue
    if not stems:
        raise UsageError(f"the library has no clause '{clause_id}' (no files in {folder})", code="lifecycle.no-clause")
    return max(stems)


def _draft_text(latest: ClauseVersion, target: Path, entry: dict[str, str], effective: str, *, author: str = "",
                wording: str | None = None) -> str:
    """Return the text of a new draft: the latest version's file (or ``wording``, the same clause edited in
    Word) with its front matter moved on to ``entry`` and its author recorded."""
    fm = FrontMatter(wording if wording is not None else read_text(latest.path, "clause file"), str(target))
    before = fm.data()
    dropped = ("approved_by", "approved_on", "retired_on", "replaced_by", "drafted_by")
    fm.set("version", entry["version"])
    fm.set("status", "draft")
    fm.set("effective", effective)
    fm.set("replaces", latest.ref, after=("effective", "status", "version"))
    for key in dropped:
        fm.remove(key)
    if author:
        fm.set("drafted_by", yaml_scalar(author), after=("replaces",))
    fm.append_to_list("changelog", entry)
    expected = {k: v for k, v in before.items() if k not in dropped}
    expected.update(version=entry["version"], status="draft", effective=effective, replaces=latest.ref,
                    changelog=list(before.get("changelog") or []) + [entry])
    if author:
        expected["drafted_by"] = author
    return checked_text(fm, expected)


def new_version(library: Path | str | None, ref: str, *, bump: str = "minor",
                effective: str | _dt.date | None = None, message: str | None = None,
                today: str | _dt.date | None = None, by: str | None = None, wording: str | None = None) -> Change:
    """Write the next version of a clause as a draft copy of the latest; return what was written.

    ``ref`` is ``id`` (copy the highest version) or ``id@1.2.3`` (copy that
    one, e.g. to continue a lower major line).  The version copied must not
    itself be a draft (edit that one instead).
    The copy gets ``status: draft``, its new ``version``, ``replaces`` the
    latest, an ``effective`` date (given, else the later of today and the
    latest's) and a changelog entry; approval and retirement lines are
    dropped.  The draft records its author in ``drafted_by``: ``by``, else
    the workspace's ``user``.  ``wording`` is the text to draft from instead
    of the copied version's file (the same clause, edited in Word).  An
    existing file is never overwritten.
    """
    if bump not in BUMPS:
        raise UsageError(f"'{bump}' is not one of {', '.join(BUMPS)}", code="usage.choice", option="bump")
    clause_id, base = parse_clause_ref(ref, need_version=False)
    root = library_root(library)
    author = acting_person(root, by, "drafting")
    lib = _load(root)
    folder = root / "fragments" / clause_id
    latest = _clause(lib, clause_id, base or _highest_version(folder, clause_id))
    if latest.status == "draft":
        raise LibraryError(f"{latest.ref} is still a draft: edit it, or approve it before drafting another version",
                             Location(str(latest.path)), code="lifecycle.draft-pending")
    today_iso = iso_date(today, "today")
    eff = iso_date(effective, "effective") if effective is not None else max(today_iso, latest.effective)
    if eff < latest.effective:
        raise UsageError(f"{eff} is before {latest.ref} takes effect ({latest.effective}); "
                         "effective dates never go backwards", code="lifecycle.effective-order", option="effective")
    new = latest.version.bump(bump)
    target = folder / f"{new}.md"
    if target.exists():
        raise LibraryError(f"{target} already exists; it is never overwritten", Location(str(target)), code="lifecycle.exists")
    entry = {"version": str(new), "date": today_iso, "text": message or f"New version drafted from {latest.version}."}
    text = _draft_text(latest, target, entry, eff, author=author, wording=wording)
    if target.exists():  # checked again: someone may have written it meanwhile
        raise LibraryError(f"{target} already exists; it is never overwritten", Location(str(target)), code="lifecycle.exists")
    warnings = []
    recorded = lib.approved.get(latest.ref)
    if latest.status != "draft" and recorded is not None and recorded != latest.sha256:
        # The user edited an approved file in place: the draft carries that edit, where it belongs.
        warnings.append(f"{latest.path}: {latest.ref} has changed since it was approved, and the draft carries "
                        "that change; restore the approved file (e.g. from version control), or "
                        "`assembler validate` keeps failing")
    write_files_atomically({target: text.encode("utf-8")})
    return Change(f"{clause_id}@{new}", (target,), tuple(warnings))


def _blocking_problems(root: Path, cv: ClauseVersion) -> list[Problem]:
    """Return the validation errors in one clause file that approval must not paper over."""
    from assembler.library.lint import validate_library
    # Approval is what records the hash: its absence is not a reason to refuse.
    return [p for p in validate_library(root).problems
            if p.level == "error" and p.location is not None and p.location.file == str(cv.path)
            and p.code != "library.approved-unrecorded"]


def approve(library: Path | str | None, ref: str, *, by: str | None = None,
            date: str | _dt.date | None = None) -> Change:
    """Approve a clause version: set its status, approver and date, and record its hash; return what was written.

    A draft is approved; an approved version that was never recorded (a
    library written by hand) gets its record.  Refused when the file has
    validation errors, when its effective date is before an earlier version's,
    or when the version is already recorded, changed or retired.  Four eyes:
    refused when the approver (``by``, else the workspace's ``user``) drafted
    the version, unless the workspace allows self-approval.
    """
    clause_id, version = parse_clause_ref(ref, need_version=True)
    assert version is not None
    on = iso_date(date)
    root = library_root(library)
    name = acting_person(root, by, "approving")
    if not name:
        raise UsageError("is needed: the name of the person approving (or 'user' in the workspace's "
                         "assembler.toml)",
                         option="by", code="lifecycle.approver-missing")
    lib = _load(root)
    cv = _clause(lib, clause_id, version)
    check_four_eyes(root, cv, name)
    recorded = lib.approved.get(cv.ref)
    where = Location(str(cv.path))
    if cv.status == "retired":
        raise LibraryError(f"{cv.ref} is retired; it cannot be approved again", where, code="lifecycle.retired")
    if recorded is not None:
        if cv.status == "approved" and recorded == cv.sha256:
            who = cv.meta.get("approved_by")
            raise LibraryError(f"{cv.ref} is already approved" + (f" (by {who}, {cv.meta.get('approved_on')})"
                                                                     if who else ""), where, code="lifecycle.already-approved")
        raise LibraryError(f"{cv.ref} was approved before with other content (approved.yaml); approved versions "
                             "never change and a version number is never reused: draft a new version", where,
        code="lifecycle.hash-conflict")
    problems = _blocking_problems(root, cv)
    if problems:
        raise ValidationFailed(f"{cv.ref} cannot be approved: {problems[0].message}", problems[0].location,
                               tuple(problems))
    for other in lib.clauses.get(clause_id, ()):
        if other.version < cv.version and other.version.major == cv.version.major and other.status != "draft" \
                and cv.effective < other.effective:
            raise LibraryError(f"{cv.ref} takes effect {cv.effective}, before {other.ref} ({other.effective}); "
                                 "effective dates never go backwards: change 'effective' first",
                                 cv.front.locate(("effective",)), code="lifecycle.effective-order")
    fm = FrontMatter(read_text(cv.path, "clause file"), str(cv.path))
    before = fm.data()
    if cv.status == "draft":
        fm.replace_value("status", "draft", "approved")
    fm.set("approved_by", yaml_scalar(name), after=("status",))
    fm.set("approved_on", on, after=("approved_by",))
    text = checked_text(fm, {**before, "status": "approved", "approved_by": name, "approved_on": on})
    sha = clause_sha256(text)
    record_path, record = _approved_record(root, {cv.ref: sha})
    written = write_files_atomically({cv.path: text.encode("utf-8"), record_path: record})
    return Change(cv.ref, tuple(written), sha256=sha)


def _replacement(lib: Library, cv: ClauseVersion, replaced_by: str | None) -> str | None:
    """Return the checked ref of the version that replaces ``cv``, or None when none is named."""
    if replaced_by is None:
        return None
    rid, rver = parse_clause_ref(replaced_by, need_version=True)
    assert rver is not None
    found = lib.clause(rid, rver)
    if found is None:
        raise UsageError(f"{replaced_by}: the library has no such version", code="lifecycle.replacement-unknown",
                         option="replaced_by")
    if found.status != "approved":
        raise UsageError(f"{found.ref} is {found.status}: only an approved version can replace one",
                         code="lifecycle.replacement-unapproved", option="replaced_by")
    if found.ref == cv.ref:
        raise UsageError("a version cannot replace itself")
    return found.ref


def _pin_warnings(lib: Library, cv: ClauseVersion) -> list[str]:
    """Return warnings for blueprints that pin ``cv`` exactly or have no other approved version in range."""
    warnings = []
    for bp in lib.blueprints.values():
        for section in bp.sections:
            for v in section.variants:
                if v.clause_id != cv.id or not v.range.contains(cv.version):
                    continue
                if v.range.bounds == (("=", cv.version),):
                    warnings.append(f"{v.location}: the blueprint '{bp.id}' pins {cv.ref} exactly; "
                                    "`assembler validate` fails until it names another version")
                elif not any(o.status == "approved" and o.ref != cv.ref and v.range.contains(o.version)
                             for o in lib.clauses.get(cv.id, ())):
                    warnings.append(f"{v.location}: no other approved version of '{cv.id}' matches "
                                    f"{v.range} in the blueprint '{bp.id}'")
    return warnings


def retire(library: Path | str | None, ref: str, *, replaced_by: str | None = None,
           date: str | _dt.date | None = None) -> Change:
    """Retire an approved clause version from ``date`` (default today); return what was written.

    Agreements made before stay untouched and still rebuild: the version's
    content hash does not change.  Warnings name blueprints that still pin
    the version exactly, or whose range no longer matches an approved version.
    """
    clause_id, version = parse_clause_ref(ref, need_version=True)
    assert version is not None
    on = iso_date(date)
    root = library_root(library)
    lib = _load(root)
    cv = _clause(lib, clause_id, version)
    where = Location(str(cv.path))
    if cv.status == "draft":
        raise LibraryError(f"{cv.ref} is a draft and was never in use: delete the file instead of retiring it", where,
                           code="lifecycle.retire-draft")
    if cv.status == "retired":
        raise LibraryError(f"{cv.ref} is already retired (from {cv.meta.get('retired_on', 'an unknown date')})",
                             where, code="lifecycle.already-retired")
    recorded = lib.approved.get(cv.ref)
    if recorded is None:
        raise LibraryError(f"{cv.ref} has no recorded hash in approved.yaml: approve it first", where,
                           code="lifecycle.not-approved")
    if recorded != cv.sha256:
        raise LibraryError(f"{cv.ref} has changed since it was approved; restore it before retiring it", where,
                           code="library.approved-changed")
    replacement = _replacement(lib, cv, replaced_by)
    fm = FrontMatter(read_text(cv.path, "clause file"), str(cv.path))
    before = fm.data()
    fm.replace_value("status", "approved", "retired")
    fm.set("retired_on", on, after=("status",))
    expected = {**before, "status": "retired", "retired_on": on}
    if replacement:
        fm.set("replaced_by", replacement, after=("retired_on",))
        expected["replaced_by"] = replacement
    text = checked_text(fm, expected)
    if clause_sha256(text) != cv.sha256:
        raise LibraryError("retiring would change the clause's content hash; nothing was written", where,
                           code="lifecycle.hash-conflict")
    warnings = _pin_warnings(lib, cv)
    written = write_files_atomically({cv.path: text.encode("utf-8")})
    return Change(cv.ref, tuple(written), tuple(warnings), cv.sha256)
