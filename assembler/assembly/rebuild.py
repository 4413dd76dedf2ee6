"""Exact regeneration: rebuild an issued agreement from its manifest and say whether it is byte-identical.

The manifest names everything that made the agreement: the blueprint and
its hash, each clause version and its content hash, the answers (their hash
and their text), the language, the assembly date, the draft flag and the tool
version.  Rebuild checks each of those against what is at hand, assembles
again with exactly the pinned clause versions, and compares the bytes with
the original, in the original's format.  When they differ it says why, as
precisely as the inputs allow.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from assembler._files import read_bytes
from assembler._limits import LIMITS
from assembler._version import __version__
from assembler.assembly.answers import canonical_text_of
from assembler.assembly.pipeline import assemble
from assembler.errors import AssemblerError, Location, UsageError
from assembler.library.house_style import load_house_style
from assembler.library.load import Blueprint, Library, load_library
from assembler.library.sources import parse_yaml
from assembler.manifest import manifest_from_json
from assembler.model import HouseStyle, Manifest
from assembler.readers import read_embedded_manifest, sniff
from assembler.readers.pdf import pdf_a_part
from assembler.writers import writer_for

SIBLING_MANIFEST = ".manifest.json"  # what `build --manifest` writes beside the output


@dataclass(frozen=True)
class Difference:
    """One reason a rebuild is not the original: ``kind`` is clause, blueprint, answers, tool, build,
    manifest or bytes."""

    kind: str
    message: str


@dataclass(frozen=True)
class Rebuilt:
    """The outcome of a rebuild."""

    source: Path
    format: str | None  # the format compared, or None when the source is a manifest file
    manifest: Manifest  # the original's
    identical: bool
    differences: tuple[Difference, ...]
    data: dict[str, bytes] = field(default_factory=dict, compare=False)  # rebuilt bytes per format
    notes: tuple[str, ...] = ()  # how inputs were found, when the manifest could not say

    def to_dict(self) -> dict[str, Any]:
        """Return the outcome as JSON-ready data."""
        m = self.manifest
        return {"file": str(self.source), "format": self.format, "identical": self.identical,
                "agreement": m.agreement, "agreement_version": m.agreement_version, "language": m.language,
                "assembled": m.assembled, "reference": m.reference,
                "clauses": [f"{c.id}@{c.version}" for c in m.clauses],
                "differences": [asdict(d) for d in self.differences], "notes": list(self.notes)}


def read_source(path: Path) -> tuple[str | None, bytes | None, Manifest]:
    """Return (format, original bytes, manifest) of an agreement file or a manifest file.

    DOCX, PDF and HTML carry their manifest inside; Markdown and plain text
    use the ``<name>.manifest.json`` that ``build --manifest`` writes beside
    them.  A manifest file alone gives (None, None, manifest).
    """
    data = read_bytes(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".md", ".txt") and sniff(data) is None:
            sibling = path.with_name(path.stem + SIBLING_MANIFEST)
            if not sibling.is_file():
                raise UsageError(f"a {suffix} file carries no manifest and '{sibling.name}' is not beside it: "
                                 "rebuild from a DOCX, PDF or HTML file, or from the manifest written by "
                                 "`build --manifest`", code="manifest.missing")
            return suffix[1:], data, manifest_from_json(read_bytes(sibling, "manifest", LIMITS.manifest_bytes, "manifest-bytes"))
        manifest = read_embedded_manifest(data, suffix)
    except UsageError:
        raise
    except AssemblerError as exc:
        raise type(exc)(exc.message, Location(str(path)), code=exc.code) from None
    kind = sniff(data) or ("html" if suffix in (".html", ".htm") else None)
    return kind, (data if kind else None), manifest


def _short(sha: str) -> str:
    return sha[:12] + "…" if sha else "(none)"


def _blueprint_for(library: Library, manifest: Manifest) -> Blueprint | None:
    """Return the blueprint version the manifest names if the library keeps it, else the current one."""
    current = library.blueprints.get(manifest.agreement)
    if current is None:
        return None
    try:
        return library.blueprint_version(manifest.agreement, manifest.agreement_version)
    except AssemblerError:
        return current


def check_inputs(manifest: Manifest, library: Library, answers: bytes, answers_name: str) -> list[Difference]:
    """Return every input that is not what the manifest recorded: tool, blueprint, answers, clause files."""
    out: list[Difference] = []
    m = manifest
    if m.tool_version != __version__:
        out.append(Difference("tool", f"the agreement was made with assembler {m.tool_version}; "
                                      f"this is assembler {__version__}"))
    bp = _blueprint_for(library, m)
    if bp is None:
        out.append(Difference("blueprint", f"the library {library.root} has no agreement type '{m.agreement}'"))
    elif str(bp.version) != m.agreement_version:
        out.append(Difference("blueprint", f"{bp.path}: the blueprint is at version {bp.version}; the agreement "
                                           f"was made with version {m.agreement_version}"))
    elif m.blueprint_sha256 and bp.sha256 != m.blueprint_sha256:
        out.append(Difference("blueprint", f"{bp.path}: the blueprint file changed since the agreement was made "
                                           f"(version {bp.version} both times; sha256 recorded "
                                           f"{_short(m.blueprint_sha256)}, now {_short(bp.sha256)})"))
    try:
        given = answers if m.answers_form == "text" else canonical_text_of(answers, answers_name).encode()
    except AssemblerError:
        given = answers  # unreadable answers: the hashes differ, and the build says why
    sha = hashlib.sha256(given).hexdigest()
    if sha != m.answers_sha256:
        out.append(Difference("answers", f"{answers_name}: the answers differ from the recorded hash "
                                         f"(recorded {_short(m.answers_sha256)}, given {_short(sha)})"))
    for stamp in m.clauses:
        ref = f"{stamp.id}@{stamp.version}"
        try:
            cv = library.clause(stamp.id, stamp.version)
        except ValueError:
            cv = None
        if cv is None:
            missing = library.root / "fragments" / stamp.id / f"{stamp.version}.md"
            out.append(Difference("clause", f"{missing}: {ref} is not in the library"))
        elif cv.sha256 != stamp.sha256:
            out.append(Difference("clause", f"{cv.path}: the clause file changed since the agreement was made "
                                            f"({ref}: sha256 recorded {_short(stamp.sha256)}, now {_short(cv.sha256)})"))
    return out


def compare_manifests(original: Manifest, rebuilt: Manifest) -> list[Difference]:
    """Return each field in which the rebuilt manifest differs from the original."""
    out = []
    before, after = asdict(original), asdict(rebuilt)
    for key in before:
        if before[key] == after[key]:
            continue
        if key == "clauses":
            was = {f"{c.id}@{c.version}" for c in original.clauses}
            now = {f"{c.id}@{c.version}" for c in rebuilt.clauses}
            parts = [f"only in the original: {', '.join(sorted(was - now))}" if was - now else "",
                     f"only in the rebuild: {', '.join(sorted(now - was))}" if now - was else ""]
            detail = "; ".join(p for p in parts if p) or "the same versions, other content hashes or order"
            out.append(Difference("manifest", f"clauses differ: {detail}"))
        elif key == "answers":
            out.append(Difference("manifest", "the answer text differs"))
        else:
            out.append(Difference("manifest", f"{key}: recorded {before[key]!r}, rebuilt {after[key]!r}"))
    return out


def _byte_detail(fmt: str, original: bytes, rebuilt: bytes) -> str:
    """Return where two files of one format differ, as precisely as the format allows."""
    if fmt == "docx":
        try:
            with zipfile.ZipFile(io.BytesIO(original)) as a, zipfile.ZipFile(io.BytesIO(rebuilt)) as b:
                names = sorted(set(a.namelist()) | set(b.namelist()))
                parts = [n for n in names if n not in a.namelist() or n not in b.namelist() or a.read(n) != b.read(n)]
            if parts:
                return "the parts " + ", ".join(parts) + " differ"
            return "every part is the same; the zip packaging differs (the file was saved again by another program?)"
        except (zipfile.BadZipFile, OSError, KeyError):
            pass
    at = next((i for i, (x, y) in enumerate(zip(original, rebuilt)) if x != y), min(len(original), len(rebuilt)))
    return f"{len(original)} bytes originally, {len(rebuilt)} rebuilt; the first difference is at byte {at}"


def relative_appendix_files(answers: bytes) -> list[Path]:
    """Return the appendix files an answer file names by a path relative to itself."""
    try:
        data = parse_yaml(answers.decode("utf-8"), "answers").data
    except (AssemblerError, UnicodeDecodeError):
        return []
    entries = data.get("appendices") if isinstance(data, dict) else None
    files = [Path(str(e["file"])) for e in entries or [] if isinstance(e, dict) and e.get("file")]
    return [f for f in files if not f.is_absolute()]


def find_appendix_folder(relative: list[Path], source: Path) -> Path | None:
    """Return the first folder that holds every one of ``relative``, or None.

    The manifest does not record where the answer file was, so the folders
    looked at are the agreement's folder and its three nearest parents, the
    current folder, and the sub-folders of each (``examples/`` beside ``out/``).
    """
    here = source.resolve().parent
    bases: list[Path] = []
    for base in (here, *list(here.parents)[:3], Path.cwd()):
        if base not in bases:
            bases.append(base)
    for base in bases:
        try:
            subfolders = sorted(p for p in base.iterdir() if p.is_dir())
        except OSError:
            subfolders = []
        for folder in (base, *subfolders):
            if all((folder / r).is_file() for r in relative):
                return folder
    return None


def _answers_input(source: Path, manifest: Manifest, answers: Path | str | None) -> tuple[bytes, str]:
    """Return the answer text to rebuild from and how to name it: the file given, else the manifest's."""
    if answers is not None:
        return read_bytes(Path(answers), "answer file", LIMITS.answers_bytes, "answers-bytes"), str(answers)
    if manifest.answers:
        return manifest.answers.encode("utf-8"), "the answers recorded in the manifest"
    raise UsageError(f"'{source}' does not carry its answer file: give the answer file", code="rebuild.no-answers",
                     option="answers")


@dataclass(frozen=True)
class HouseFiles:
    """The house-style files a rebuild may use: given explicitly, or the workspace's reference DOCX."""

    reference_docx: Path | None = None
    pdf_fonts: tuple[Path, ...] = ()
    workspace_reference: Path | None = None


def rebuild(path: Path | str, *, library: Library | Path | str | None = None, answers: Path | str | None = None,
            formats: tuple[str, ...] = (), house: HouseFiles = HouseFiles()) -> Rebuilt:
    """Rebuild the agreement a file or manifest describes; return whether it is byte-identical and why not.

    ``answers`` replaces the answer text carried in the manifest.  The
    original's own format is always rebuilt; ``formats`` asks for others too
    (in ``Rebuilt.data``).  A house style the manifest records is looked for
    in ``house``, then beside the agreement, and checked by its SHA-256.
    Raises UsageError when the source cannot be read or no answers are
    available; every other mismatch is a Difference.
    """
    source = Path(path)
    fmt, original, manifest = read_source(source)
    lib = library if isinstance(library, Library) else load_library(library)
    answer_bytes, answers_name = _answers_input(source, manifest, answers)
    differences = check_inputs(manifest, lib, answer_bytes, answers_name)
    style, missing, notes = house_style_of(manifest, fmt, original, source, house)
    if missing:
        return Rebuilt(source, fmt, manifest, False, tuple(differences + missing), {}, tuple(notes))
    wanted = tuple(dict.fromkeys(((fmt,) if fmt else ()) + tuple(formats)))
    data: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="assembler-rebuild-") as tmp:
        if answers is None:
            answers_path = Path(tmp) / f"{source.stem}.answers.yaml"
            answers_path.write_bytes(answer_bytes)
            relative = [r for r in relative_appendix_files(answer_bytes) if ".." not in r.parts]
            found = find_appendix_folder(relative, source) if relative else None
            if found is not None:
                notes.append(f"the appendix files were taken from {found} (the manifest does not say where the "
                             "answer file was; give the answer file to be sure)")
        # Appendices named by the recorded answers come only from the folder found beside the
        # agreement (or the temporary folder, holding nothing): never from an absolute path or a
        # '..' a forged manifest may carry.
        folder = Path(answers).parent if answers is not None else found or Path(tmp)
        try:
            assembly = _assemble_pinned(answers if answers is not None else answers_path, lib, manifest, style, folder)
            for f in wanted:
                data[f] = writer_for(f)(assembly.agreement)
        except AssemblerError as exc:
            hint = (" (an appendix file is given by a relative path: pass the answer file at its original place "
                    "as well)" if answers is None and exc.code.startswith("appendix.") else "")
            differences.append(Difference("build", f"the agreement cannot be rebuilt: {exc}{hint}"))
            return Rebuilt(source, fmt, manifest, False, tuple(differences), data, tuple(notes))
    differences += compare_manifests(manifest, assembly.agreement.manifest)
    if fmt is not None and original is not None:
        identical = data[fmt] == original
        if not identical:
            differences.append(Difference("bytes", f"the rebuilt {fmt.upper()} differs from {source.name}: "
                                                   + _byte_detail(fmt, original, data[fmt])))
    else:
        identical = not differences
    return Rebuilt(source, fmt, manifest, identical, tuple(differences), data, tuple(notes))


def _assemble_pinned(answers: Path | str, lib: Library, manifest: Manifest, style: HouseStyle | None,
                     folder: Path) -> Any:
    """Assemble again with exactly what the manifest pins: clause versions, blueprint version, date, language."""
    kept = _blueprint_for(lib, manifest)
    return assemble(answers, library=lib, as_of=manifest.assembled, draft=manifest.draft,
                    language=manifest.language, pins={c.id: c.version for c in manifest.clauses},
                    blueprint_version=str(kept.version) if kept is not None else None,
                    embed_text=manifest.answers_form == "text", house_style=style, appendix_dir=folder)


def house_style_of(manifest: Manifest, fmt: str | None, original: bytes | None, source: Path,
                   house: HouseFiles) -> tuple[HouseStyle | None, list[Difference], list[str]]:
    """Return the house style to rebuild with, what of it is missing or different, and notes on where it was found.

    The manifest records each file's name and SHA-256; a file is taken only
    when its hash matches.  An agreement from before the record was kept is
    rebuilt as PDF/A when the PDF itself says it is one (XMP pdfaid).
    """
    stamp = manifest.house_style
    if stamp is None:
        pdf_a = fmt == "pdf" and bool(original) and bool(pdf_a_part(original or b""))
        return (HouseStyle(pdf_a=True) if pdf_a else None), [], []
    missing: list[Difference] = []
    notes: list[str] = []
    reference = None
    if stamp.reference_docx:
        places = [house.workspace_reference] if house.workspace_reference is not None else []
        reference = _house_file("reference DOCX", stamp.reference_docx, stamp.reference_docx_sha256,
                                house.reference_docx, places + _beside(stamp.reference_docx, source), missing, notes)
    fonts = [_house_file("PDF font", name, sha, house.pdf_fonts[i] if i < len(house.pdf_fonts) else None,
                         _beside(name, source), missing, notes) for i, (name, sha) in enumerate(stamp.fonts)]
    if missing:
        return None, missing, notes
    style = load_house_style(reference, [f for f in fonts if f is not None], stamp.pdf_a)
    return (replace(style, stamp=stamp) if style is not None else None), [], notes


def _beside(name: str, source: Path) -> list[Path]:
    """Return where a house-style file of this name is looked for when none is given: beside the agreement, here."""
    return list(dict.fromkeys([source.resolve().parent / name, Path.cwd() / name]))


def _house_file(what: str, name: str, sha: str, given: Path | None, places: list[Path],
                missing: list[Difference], notes: list[str]) -> Path | None:
    """Return the file that is the recorded one (by SHA-256): ``given``, else the first of ``places`` that is."""
    recorded = f"'{name}' (sha256 {_short(sha)})"
    candidates = [given] if given is not None else list(dict.fromkeys(p.resolve() for p in places if p.is_file()))
    for path in candidates:
        if hashlib.sha256(read_bytes(path)).hexdigest() == sha:
            if given is None:
                notes.append(f"the {what} {name} was taken from {path}")
            return path
    if candidates:
        found = ", ".join(f"{p} (sha256 {_short(hashlib.sha256(read_bytes(p)).hexdigest())})" for p in candidates)
        missing.append(Difference("house-style", f"the agreement was built with the {what} {recorded}; "
                                                 f"{found} is a different file"))
    else:
        missing.append(Difference("house-style", f"the agreement was built with the {what} {recorded}, which is "
                                                 "not at hand: give that file (or keep it beside the agreement)"))
    return None
