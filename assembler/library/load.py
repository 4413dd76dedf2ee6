"""Loading a clause library: library.yaml, blueprints and clause fragments, with positions."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assembler._files import bundled_dir, inside, read_text
from assembler._limits import LIMITS
from assembler.errors import AssemblerError, LibraryError, Location, Problem, UsageError
from assembler.library.schemas import bundled_schema_dir, validate_sourced
from assembler.library.sources import Sourced, front_matter_end, parse_yaml, split_front_matter
from assembler.library.versions import Version, VersionRange, parse_reference
from assembler.model import Labels

_LANG_HEADING = re.compile(r"^#[ \t]+([a-z]{2})[ \t]*$")
_RETIREMENT_LINE = re.compile(r"^(retired_on|replaced_by)[ \t]*:")
_RETIRED_STATUS = re.compile(r"^(status[ \t]*:[ \t]*)retired\b")


def bundled_library_dir() -> Path:
    """Return the folder of the clause library shipped with the package."""
    return bundled_dir("clauses")


@dataclass(frozen=True)
class ClauseVersion:
    """One version of one clause: its front matter and its text per language."""

    id: str
    version: Version
    status: str
    effective: str
    title: dict[str, str]
    summary: str
    path: Path
    sha256: str
    bodies: dict[str, str]
    body_lines: dict[str, int]  # file line of each language section's first body line
    meta: dict[str, Any] = field(compare=False)
    front: Sourced = field(compare=False)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def numbering(self) -> str:
        return str(self.meta.get("numbering", "paragraphs"))

    @property
    def defines(self) -> list[dict[str, Any]]:
        return list(self.meta.get("defines") or [])

    @property
    def sources(self) -> list[dict[str, Any]]:
        return list(self.meta.get("sources") or [])


@dataclass(frozen=True)
class Variant:
    """A clause reference with an optional condition."""

    clause_id: str
    range: VersionRange
    when: str | None
    location: Location


@dataclass(frozen=True)
class Section:
    """One place in a blueprint: a clause, or a choice between variants."""

    variants: tuple[Variant, ...]
    when: str | None
    location: Location
    one_of: bool = False


@dataclass(frozen=True)
class Guard:
    """A blueprint rule: fires when ``when`` is true."""

    id: str
    level: str
    when: str
    field: str | None
    message: dict[str, str]
    location: Location


@dataclass(frozen=True)
class AppendixSpec:
    """An appendix a blueprint may include."""

    id: str
    title: dict[str, str]
    when: str | None
    location: Location
    file_required: str | None = None  # an expression: when true, the answers must attach a file


@dataclass(frozen=True)
class Blueprint:
    """An agreement type: which clauses, in which order, under which rules."""

    id: str
    version: Version
    title: dict[str, str]
    answers_schema: Path
    computed: tuple[tuple[str, str, Location], ...]
    sections: tuple[Section, ...]
    guards: tuple[Guard, ...]
    appendices: tuple[AppendixSpec, ...]
    path: Path
    sha256: str
    meta: dict[str, Any] = field(compare=False)
    doc: Sourced = field(compare=False)


@dataclass(frozen=True)
class Library:
    """A loaded clause library."""

    root: Path
    name: str
    languages: tuple[str, ...]
    defaults: dict[str, Any]
    labels: dict[str, Labels]
    disclaimer: dict[str, str]
    clauses: dict[str, tuple[ClauseVersion, ...]]  # versions in ascending order
    blueprints: dict[str, Blueprint]
    approved: dict[str, str]  # "id@version" -> sha256 recorded at approval
    schema_dir: Path
    problems: tuple[Problem, ...] = ()  # what was skipped while loading leniently
    # Earlier versions of blueprints, kept as agreements/<id>/<version>.yaml so that agreements made with
    # them rebuild exactly: agreement id -> version -> blueprint.
    archived_blueprints: dict[str, dict[str, Blueprint]] = field(default_factory=dict)
    default_approver: str = ""  # library.yaml approved_by: for versions that name none

    def approver(self, cv: ClauseVersion) -> str:
        """Return who approved a version: its own approved_by, else the library's default ('' for a draft)."""
        if cv.status == "draft":
            return ""
        return str(cv.meta.get("approved_by") or self.default_approver)

    def clause(self, clause_id: str, version: str | Version) -> ClauseVersion | None:
        """Return one clause version, or None."""
        wanted = version if isinstance(version, Version) else Version.parse(str(version))
        for cv in self.clauses.get(clause_id, ()):
            if cv.version == wanted:
                return cv
        return None

    def blueprint(self, agreement_id: str) -> Blueprint:
        """Return the blueprint of an agreement type; raise if the library has none."""
        try:
            return self.blueprints[agreement_id]
        except KeyError:
            known = ", ".join(sorted(self.blueprints)) or "none"
            raise LibraryError(f"the library has no agreement type '{agreement_id}' (it has: {known})") from None

    def blueprint_version(self, agreement_id: str, version: str | None) -> Blueprint:
        """Return the blueprint of an agreement type at ``version`` (the current one when None or equal)."""
        current = self.blueprint(agreement_id)
        if version is None or str(current.version) == str(version):
            return current
        archived = self.archived_blueprints.get(agreement_id, {})
        if str(version) in archived:
            return archived[str(version)]
        kept = ", ".join([str(current.version)] + sorted(archived))
        raise LibraryError(f"the library does not keep version {version} of the agreement type '{agreement_id}' "
                           f"(it has: {kept}); add agreements/{agreement_id}/{version}.yaml",
                           code="library.blueprint.version-missing")


def clause_sha256(text: str) -> str:
    """Return the content hash of a clause file's text: the hash it had when it was approved.

    Retiring a version edits three front matter lines (``status: retired``,
    ``retired_on``, ``replaced_by``; see ``lifecycle.retire``).  Those edits
    are undone before hashing, so the hash recorded at approval and in every
    manifest stays valid and retired versions still rebuild byte-identical.
    Any other change to the file changes the hash; line endings do not count.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    end = front_matter_end(lines)
    if end is not None:
        front = [_RETIRED_STATUS.sub(r"\1approved", line) for line in lines[1:end]
                 if not _RETIREMENT_LINE.match(line)]
        lines = lines[:1] + front + lines[end:]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


class _Loader:
    """Loads a library, either stopping at the first problem or collecting them all."""

    def __init__(self, root: Path, collect: bool) -> None:
        self.root = root
        self.collect = collect
        self.problems: list[Problem] = []

    def problem(self, message: str, location: Location | None, code: str = "library.invalid") -> None:
        if not self.collect:
            raise LibraryError(message, location, code=code)
        self.problems.append(Problem(message, location, code=code))

    def schema_problems(self, doc: Sourced, schema: str) -> bool:
        found = validate_sourced(doc, bundled_schema_dir() / schema)
        for p in found:
            self.problem(p.message, p.location, p.code)
        return not found

    def read(self, path: Path, what: str) -> str:
        """Return a library file's text: inside the library after resolving symlinks, a regular file, bounded."""
        return read_text(inside(path, self.root, what), what, LIMITS.library_file_bytes, "library-file-bytes")

    def load(self) -> Library:
        root = self.root
        if not (root / "library.yaml").is_file():
            raise UsageError(f"'{root}' is not a clause library: it has no library.yaml")
        lib_doc = parse_yaml(self.read(root / "library.yaml", "library file"), str(root / "library.yaml"))
        self.schema_problems(lib_doc, "library.schema.json")
        data = lib_doc.data if isinstance(lib_doc.data, dict) else {}
        languages = tuple(data.get("languages") or ("sv", "en"))
        labels = {lang: Labels(**(data.get("labels") or {}).get(lang, {})) for lang in languages
                  if isinstance((data.get("labels") or {}).get(lang), dict)}
        clauses = self.load_fragments(languages)
        blueprints = self.load_blueprints()
        archived = self.load_archived_blueprints()
        approved: dict[str, str] = {}
        approved_path = root / "approved.yaml"
        if approved_path.exists() or approved_path.is_symlink():  # a pipe or a link out is refused, not skipped
            doc = parse_yaml(self.read(approved_path, "record of approved versions"), str(approved_path))
            if isinstance(doc.data, dict):
                approved = {str(k): str(v) for k, v in doc.data.items()}
            elif doc.data is not None:
                self.problem("approved.yaml must map id@version to a sha256", Location(str(approved_path), 1, 1),
                             "library.approved-file")
        return Library(
            root=root, name=str(data.get("name", root.name)), languages=languages,
            defaults=dict(data.get("defaults") or {}), labels=labels,
            disclaimer=dict(data.get("disclaimer") or {}), clauses=clauses, blueprints=blueprints,
            approved=approved, schema_dir=_schema_dir_for(root), problems=tuple(self.problems),
            archived_blueprints=archived,
            default_approver=str(data.get("approved_by") or ""),
        )

    def load_fragments(self, languages: tuple[str, ...]) -> dict[str, tuple[ClauseVersion, ...]]:
        found: dict[str, list[ClauseVersion]] = {}
        fragments = self.root / "fragments"
        if fragments.exists():
            inside(fragments, self.root, "fragments folder")
        for path in sorted(fragments.glob("*/*.md")):
            try:
                cv = self.load_fragment(path, languages)
            except AssemblerError as exc:
                if not self.collect:
                    raise
                self.problems.append(Problem(exc.message, exc.location, code=exc.code))
                continue
            if cv is not None:
                found.setdefault(cv.id, []).append(cv)
        return {k: tuple(sorted(v, key=lambda c: c.version)) for k, v in sorted(found.items())}

    def load_fragment(self, path: Path, languages: tuple[str, ...]) -> ClauseVersion | None:
        # Line endings do not count: a Windows checkout must hash and parse the same.
        text = self.read(path, "clause file").replace("\r\n", "\n")
        lines = text.split("\n")
        try:
            end = split_front_matter(lines, str(path))
        except LibraryError as exc:
            self.problem(exc.message, exc.location, exc.code)
            return None
        front = parse_yaml("\n".join(lines[1:end]), str(path), line_offset=1)
        if not isinstance(front.data, dict):
            self.problem("the front matter must be a set of fields", Location(str(path), 2, 1), "library.front-matter")
            return None
        if not self.schema_problems(front, "clause.schema.json"):
            return None
        meta = front.data
        folder, stem = path.parent.name, path.stem
        if meta["id"] != folder:
            self.problem(f"the id '{meta['id']}' differs from the folder name '{folder}'", front.locate(("id",)),
                         "library.clause-name")
        if meta["version"] != stem:
            self.problem(f"the version '{meta['version']}' differs from the file name '{stem}.md'",
                         front.locate(("version",)), "library.clause-name")
        bodies: dict[str, str] = {}
        body_lines: dict[str, int] = {}
        current: str | None = None
        chunk: list[str] = []
        for i in range(end + 1, len(lines)):
            m = _LANG_HEADING.match(lines[i])
            if m:
                if current is not None:
                    bodies[current] = "\n".join(chunk)
                current = m.group(1)
                if current in bodies:
                    self.problem(f"the language section '# {current}' appears twice", Location(str(path), i + 1, 1),
                                 "library.language-section")
                body_lines[current] = i + 2
                chunk = []
            elif current is not None:
                chunk.append(lines[i])
            elif lines[i].strip():
                self.problem("text before the first language heading ('# sv')", Location(str(path), i + 1, 1),
                             "library.language-section")
        if current is not None:
            bodies[current] = "\n".join(chunk)
        for lang in languages:
            if lang not in bodies:
                self.problem(f"the clause has no '# {lang}' section", Location(str(path), end + 2, 1),
                             "library.language-section")
            elif not bodies[lang].strip():
                self.problem(f"the '# {lang}' section is empty", Location(str(path), body_lines[lang] - 1, 1),
                             "library.language-section")
        return ClauseVersion(
            id=meta["id"], version=Version.parse(meta["version"]), status=meta["status"],
            effective=str(meta["effective"]), title=dict(meta["title"]), summary=meta["summary"],
            path=path, sha256=clause_sha256(text),
            bodies=bodies, body_lines=body_lines, meta=meta, front=front,
        )

    def load_blueprints(self) -> dict[str, Blueprint]:
        out: dict[str, Blueprint] = {}
        if (self.root / "agreements").exists():
            inside(self.root / "agreements", self.root, "agreements folder")
        for path in sorted((self.root / "agreements").glob("*.yaml")):
            try:
                bp = self.load_blueprint(path)
            except AssemblerError as exc:
                if not self.collect:
                    raise
                self.problems.append(Problem(exc.message, exc.location, code=exc.code))
                continue
            if bp is not None:
                out[bp.id] = bp
        return out

    def load_archived_blueprints(self) -> dict[str, dict[str, Blueprint]]:
        out: dict[str, dict[str, Blueprint]] = {}
        for path in sorted((self.root / "agreements").glob("*/*.yaml")):
            bp = self.load_blueprint(path)
            if bp is None:
                continue
            if bp.id != path.parent.name or str(bp.version) != path.stem:
                raise LibraryError(f"an archived blueprint must be agreements/<id>/<version>.yaml; this file holds "
                                   f"{bp.id} {bp.version}", Location(str(path), 1, 1),
                                   code="library.blueprint.archive-name")
            out.setdefault(bp.id, {})[str(bp.version)] = bp
        return out

    def load_blueprint(self, path: Path) -> Blueprint | None:
        text = self.read(path, "blueprint")
        doc = parse_yaml(text, str(path))
        if not self.schema_problems(doc, "agreement.schema.json"):
            return None
        d = doc.data
        sections: list[Section] = []
        for i, s in enumerate(d["sections"]):
            loc = doc.locate(("sections", i))
            if "one_of" in s:
                variants = tuple(self.variant(doc, v, ("sections", i, "one_of", j)) for j, v in enumerate(s["one_of"]))
                sections.append(Section(variants, s.get("when"), loc, one_of=True))
            else:
                # A plain section's condition belongs to the section, not to its one variant.
                only = self.variant(doc, {"clause": s["clause"]}, ("sections", i))
                sections.append(Section((only,), s.get("when"), loc))
        guards = tuple(Guard(g["id"], g["level"], g["when"], g.get("field"), dict(g["message"]),
                             doc.locate(("guards", i, "when"))) for i, g in enumerate(d.get("guards") or []))
        appendices = tuple(AppendixSpec(a["id"], dict(a["title"]), a.get("when"), doc.locate(("appendices", i)),
                                        a.get("file_required"))
                           for i, a in enumerate(d.get("appendices") or []))
        computed = tuple((name, expr, doc.locate(("computed", name)))
                         for name, expr in (d.get("computed") or {}).items())
        return Blueprint(
            id=d["id"], version=Version.parse(d["version"]), title=dict(d["title"]),
            answers_schema=_answers_schema(self.root, str(d["answers_schema"])), computed=computed,
            sections=tuple(sections), guards=guards, appendices=appendices, path=path,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), meta=d, doc=doc,
        )

    def variant(self, doc: Sourced, data: dict[str, Any], path: tuple[Any, ...]) -> Variant:
        loc = doc.locate(path + ("clause",))
        try:
            ident, rng = parse_reference(data["clause"])
        except ValueError as exc:
            raise LibraryError(f"bad version range: {exc}", loc) from None
        return Variant(ident, rng, data.get("when"), loc)


def _answers_schema(root: Path, name: str) -> Path:
    """Return a blueprint's answers schema file, which must lie inside the library's schema folder."""
    folder = _schema_dir_for(root)
    inside(folder / name, folder, "answers schema")
    return folder / name


def _schema_dir_for(root: Path) -> Path:
    """Return where a library's answers schemas live: its own schemas/ folder, else the bundled one."""
    for candidate in (root / "schemas", root.parent / "schemas"):
        if (candidate / "answers").is_dir():
            return candidate
    return bundled_schema_dir()


_CACHE: dict[Path, tuple[tuple[tuple[str, int, int], ...], Library]] = {}


def library_files(root: Path) -> list[Path]:
    """Return every file a library is made of, in a fixed order."""
    files = [root / "library.yaml", root / "approved.yaml"]
    files += sorted((root / "agreements").glob("*.yaml")) + sorted((root / "agreements").glob("*/*.yaml"))
    files += sorted((root / "fragments").glob("*/*.md"))
    schemas = _schema_dir_for(root)
    files += sorted(schemas.glob("*.json")) + sorted((schemas / "answers").glob("*.json"))
    return files


def _stat_signature(files: list[Path]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        out.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(out)


def load_library(root: Path | str | None = None, *, collect: bool = False) -> Library:
    """Load the clause library at ``root`` (the bundled one when None).

    With ``collect`` the loader skips broken files and lists their problems in
    ``Library.problems``; otherwise the first problem raises.  Strict loads
    are cached in the process while no file's size or time changes (never on
    disk: a cache file is something another program could have written).
    """
    path = Path(root).resolve() if root is not None else bundled_library_dir()
    if not path.is_dir():
        raise UsageError(f"the library folder '{path}' does not exist")
    if collect:
        return _Loader(path, collect=True).load()
    for folder in ("fragments", "agreements"):
        if (path / folder).exists():
            inside(path / folder, path, f"{folder} folder")
    files = library_files(path)
    signature = _stat_signature(files)
    hit = _CACHE.get(path)
    if hit and hit[0] == signature:
        return hit[1]
    lib = _Loader(path, collect=False).load()
    _CACHE[path] = (signature, lib)
    return lib
