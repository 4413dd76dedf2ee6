"""A legal unit's workspace: its own clause library outside the installed package, and its settings.

A workspace is a folder holding ``assembler.toml`` (the settings), the
library (``clauses/`` by default), examples and a README; ``assembler init``
makes one from the bundled library, ready to be a git repository.  Commands
find the library in this order: an explicit ``--library`` or
``$ASSEMBLER_LIBRARY``, else the workspace found by walking up from the
current folder (as git finds a repository), else the bundled library, which
is read-only: nothing is ever written into the installed package.

Settings (``assembler.toml``, read with :mod:`tomllib`)::

    library = "clauses"            # the library folder, relative to the workspace
    user = "Anna Andersson"        # who drafts and approves, when --by is not given
    house_style = ""               # a reference DOCX whose styles outputs use (issue: house style)
    register = ""                  # the agreement register: a SQLite path or a PostgreSQL URL
    pdf_a = false                  # write PDF/A by default

    [approval]
    allow_self_approval = false    # four eyes: the author of a draft may not approve it

A key a later feature needs is added to :class:`Settings` with a default, so
older settings files keep working; unknown keys are reported, not ignored.
"""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assembler._files import bundled_dir, read_bytes, write_files_atomically
from assembler.errors import LibraryError, Location, UsageError
from assembler.library.load import ClauseVersion, bundled_library_dir

SETTINGS_FILE = "assembler.toml"
ENV_VAR = "ASSEMBLER_LIBRARY"
_SETTINGS_LIMIT = 64 * 1024  # bytes; a settings file is a few lines


@dataclass(frozen=True)
class Settings:
    """A workspace's settings, as read from ``assembler.toml`` (every key has a default)."""

    root: Path | None = None  # the workspace folder; None: no workspace
    library: str = "clauses"  # the library folder, relative to root
    user: str = ""  # default author and approver
    house_style: str = ""  # path of a reference DOCX, relative to root
    register: str = ""  # SQLite path or PostgreSQL URL of the agreement register
    pdf_a: bool = False  # PDF/A output by default
    allow_self_approval: bool = False  # [approval]: may the author of a draft approve it?

    @property
    def library_dir(self) -> Path | None:
        """Return the workspace's library folder, or None without a workspace."""
        return (self.root / self.library).resolve() if self.root is not None else None


@dataclass(frozen=True)
class LibraryChoice:
    """Which library a command uses and why: ``option``, ``environment``, ``workspace`` or ``bundled``."""

    path: Path
    source: str
    settings: Settings = field(default_factory=Settings)

    @property
    def writable(self) -> bool:
        """Whether lifecycle commands may write into this library."""
        return not is_installed_library(self.path)

    def describe(self) -> str:
        """Return one line saying which library this is, for --version and validate."""
        where = {"option": "given with --library", "environment": f"from ${ENV_VAR}",
                 "workspace": f"workspace {self.settings.root}", "bundled": "bundled with the package, read-only"}
        return f"{self.path} ({where.get(self.source, self.source)})"


_KEYS: dict[str, type] = {"library": str, "user": str, "house_style": str, "register": str, "pdf_a": bool}
_APPROVAL_KEYS: dict[str, type] = {"allow_self_approval": bool}


def find_workspace(start: Path | None = None) -> Path | None:
    """Return the nearest folder at or above ``start`` (default: the current folder) holding assembler.toml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return None


def _typed(table: dict[str, Any], keys: dict[str, type], file: str, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if key not in keys:
            raise UsageError(f"unknown setting '{name}' (known: {', '.join(prefix + k for k in keys)})",
                                 Location(file, path=name), code="settings.unknown")
        if not isinstance(value, keys[key]):
            raise UsageError(f"'{name}' must be {'true or false' if keys[key] is bool else 'text'}",
                                 Location(file, path=name), code="settings.type")
        out[key] = value
    return out


def load_settings(root: Path) -> Settings:
    """Return the settings of the workspace at ``root``; raise with the file's location when they are invalid."""
    path = root / SETTINGS_FILE
    data = read_bytes(path, "settings file")
    if len(data) > _SETTINGS_LIMIT:
        raise UsageError(f"the settings file is larger than {_SETTINGS_LIMIT} bytes", Location(str(path)),
                             code="settings.too-large")
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError("the settings file is not UTF-8 text", Location(str(path)), code="settings.syntax") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "… (at line 3, column 7)"; the message is kept whole for people.
        raise UsageError(f"not valid TOML: {exc}", Location(str(path)), code="settings.syntax") from None
    approval = doc.pop("approval", {})
    if not isinstance(approval, dict):
        raise UsageError("'approval' must be a table ([approval])", Location(str(path), path="approval"),
                             code="settings.type")
    values = _typed(doc, _KEYS, str(path), "") | _typed(approval, _APPROVAL_KEYS, str(path), "approval.")
    return Settings(root=root.resolve(), **values)


def settings_for(library: Path) -> Settings:
    """Return the settings of the workspace that holds ``library`` (defaults when it is in none)."""
    root = find_workspace(library)
    return load_settings(root) if root is not None else Settings()


def resolve_library(explicit: Path | None, source: str = "option", cwd: Path | None = None) -> LibraryChoice:
    """Return the library a command uses: ``explicit`` (from --library or the environment), else the
    workspace found from ``cwd`` upwards, else the bundled library."""
    if explicit is not None:
        path = Path(explicit).resolve()
        if (path / SETTINGS_FILE).is_file():  # a workspace named instead of its library folder
            settings = load_settings(path)
            assert settings.library_dir is not None
            return LibraryChoice(settings.library_dir, source, settings)
        return LibraryChoice(path, source, settings_for(path))
    root = find_workspace(cwd)
    if root is not None:
        settings = load_settings(root)
        assert settings.library_dir is not None
        if not settings.library_dir.is_dir():
            raise UsageError(f"the workspace's library folder '{settings.library_dir}' does not exist",
                             Location(str(root / SETTINGS_FILE), path="library"), code="settings.library-missing")
        return LibraryChoice(settings.library_dir, "workspace", settings)
    return LibraryChoice(bundled_library_dir(), "bundled")


def is_installed_library(path: Path) -> bool:
    """Whether ``path`` lies inside the installed package, which is never written.

    A source checkout keeps its library beside the package, where developers
    change it on purpose; only a folder inside the package counts.
    """
    package = Path(__file__).resolve().parent.parent
    resolved = Path(path).resolve()
    return resolved == package or package in resolved.parents


def writable_library(library: Path | str | None) -> Path:
    """Return the library folder a lifecycle operation may write into; refuse the bundled one."""
    if library is None or is_installed_library(Path(library)):
        where = bundled_library_dir() if library is None else Path(library).resolve()
        raise UsageError(f"the bundled library in '{where}' is read-only: run `assembler init DIR` to make a "
                         "workspace with your own copy, then work inside it", code="library.read-only")
    return Path(library).resolve()


README = """\
# {name}: the legal unit's clause library

This folder is an **assembler workspace**: the clause library the unit maintains,
its settings and examples. Keep it in git (`git init && git add . && git commit`),
so that every draft, approval and retirement is a reviewed commit.

- `assembler.toml`: settings (library folder, your name as `user`, house style,
  agreement register, approval policy). Commands run anywhere inside this folder
  find it, as git finds a repository.
- `clauses/`: the library. One file per clause version in `fragments/<id>/<version>.md`;
  approved versions never change, and `approved.yaml` records their hashes.
- `examples/`: answer files to start an agreement from.
- `schemas/answers/`: what an answer file may contain.

Everyday work:

    assembler clauses new-version andringar              # draft the next version (as `user`)
    assembler clauses export andringar -o andringar.docx  # edit the draft in Word
    assembler clauses import andringar.docx              # bring the edited text back
    assembler clauses review                             # what waits for approval, with redlines
    assembler clauses approve andringar@1.1.0 --by NAME  # a second lawyer approves
    assembler validate                                   # check the whole library
    assembler build examples/basic.yaml -o avtal.docx

The bundled clause texts are a working template for the legal unit to review and
adapt; they are not legal advice.
"""

GITIGNORE = """\
# Built agreements and redlines belong in the register or the case file, not in the library.
*.docx
*.pdf
*.html
!examples/appendices/*.pdf
# Word's lock files and the register database
~$*
*.sqlite
*.sqlite3
__pycache__/
"""


def settings_text(user: str) -> str:
    """Return the assembler.toml a new workspace starts with."""
    quoted = '"' + user.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return ("# assembler workspace settings (TOML). Commands run in this folder or below use this library.\n"
            "library = \"clauses\"          # the clause library folder\n"
            f"{_padded('user = ' + quoted)}# who drafts and approves when --by is not given\n"
            "house_style = \"\"              # a reference DOCX whose styles built agreements use\n"
            "register = \"\"                 # the agreement register: SQLite file or PostgreSQL URL\n"
            "pdf_a = false                 # build PDF/A by default\n"
            "\n[approval]\n"
            "allow_self_approval = false   # four eyes: whoever drafted a version may not approve it\n")


def _padded(line: str) -> str:
    return line + " " * max(1, 30 - len(line))


def init_workspace(target: Path, *, user: str = "") -> list[Path]:
    """Make a workspace at ``target`` from the bundled library; return the files written.

    Refused when ``target`` already holds a workspace or a non-empty ``clauses/``:
    nothing of the unit's own is ever overwritten.
    """
    if any(ord(c) < 32 for c in user):
        raise UsageError("the user name contains a line break or control character", option="user")
    target = target.resolve()
    if is_installed_library(target):
        raise UsageError("a workspace cannot be made inside the installed package", code="library.read-only")
    if (target / SETTINGS_FILE).exists():
        raise UsageError(f"'{target}' is already a workspace ({SETTINGS_FILE} exists)", code="workspace.exists")
    for sub in ("clauses", "examples", "schemas"):
        if (target / sub).exists() and any((target / sub).iterdir()):
            raise UsageError(f"'{target / sub}' already exists and is not empty; choose an empty folder",
                             code="workspace.exists")
    files: dict[Path, bytes] = {}
    sources = {"clauses": bundled_library_dir(), "examples": bundled_dir("examples"),
               "schemas/answers": bundled_dir("schemas") / "answers"}
    for name, source in sources.items():
        for path in sorted(p for p in source.rglob("*") if p.is_file() and _shipped(p)):
            files[target / name / path.relative_to(source)] = path.read_bytes()
    files[target / "README.md"] = README.format(name=target.name).encode("utf-8")
    files[target / SETTINGS_FILE] = settings_text(user).encode("utf-8")
    files[target / ".gitignore"] = GITIGNORE.encode("utf-8")
    try:
        return write_files_atomically(files)
    except OSError as exc:  # a disk full half-way: leave no half workspace
        shutil.rmtree(target / "clauses", ignore_errors=True)
        raise UsageError(f"cannot write the workspace: {exc}", code="workspace.write") from None


def _shipped(path: Path) -> bool:
    """Whether a file of a bundled folder belongs in a copy (not caches or editor leftovers)."""
    return "__pycache__" not in path.parts and not path.name.startswith((".", "~$")) and path.suffix != ".pyc"


def acting_person(root: Path, by: str | None, what: str) -> str:
    """Return who acts: ``by``, else the workspace's configured user ('' when neither says)."""
    name = (by if by is not None else settings_for(root).user).strip()
    if by is not None and not name:
        raise UsageError(f"needs the name of the person {what}", option="by", code="usage.missing")
    if any(ord(c) < 32 for c in name):
        raise UsageError("the name contains a line break or control character", option="by", code="usage.control-character")
    return name


def check_four_eyes(root: Path, cv: ClauseVersion, approver: str) -> None:
    """Refuse when the approver drafted the version, unless the workspace's policy allows it."""
    author = str(cv.meta.get("drafted_by") or "")
    if author and author.casefold() == approver.casefold() and not settings_for(root).allow_self_approval:
        raise LibraryError(f"{cv.ref} was drafted by {author}, who may not approve it too: a second person "
                           "approves (four eyes); a workspace may allow it with [approval] "
                           "allow_self_approval = true in assembler.toml",
                           cv.front.locate(("drafted_by",)), code="lifecycle.own-draft")
