"""What a build issued, as the agreement register records it: the manifest, the parties and the files written."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assembler._digest import sha256_hex
from assembler.errors import Problem
from assembler.manifest import manifest_digest
from assembler.model import Manifest
from assembler.writers import EXTENSIONS

_FORMAT_OF = {ext: fmt for fmt, ext in EXTENSIONS.items()}


@dataclass(frozen=True)
class Party:
    """A party of an issued agreement: its role (public or private), name and organisation number."""

    role: str
    name: str
    orgnr: str


@dataclass(frozen=True)
class WrittenFile:
    """A file a build wrote: its absolute path, format, SHA-256 and size in bytes."""

    path: Path
    format: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Issued:
    """One agreement a build issued: everything the register keeps about it."""

    label: str  # the answer file, or "sheet.csv row 3"
    manifest: Manifest
    parties: tuple[Party, ...]
    files: tuple[WrittenFile, ...]
    built_by: str
    warnings: tuple[Problem, ...] = ()
    # The register's key, taken where the manifest's JSON was just written (a batch worker), not again
    # for each of a thousand agreements in the process that records them.
    manifest_sha256: str = ""

    def __post_init__(self) -> None:
        if not self.manifest_sha256:
            object.__setattr__(self, "manifest_sha256", manifest_digest(self.manifest))


def parties_of(answers: dict[str, Any]) -> tuple[Party, ...]:
    """Return the public parties, then the private ones (or a library's plain ``parties``), as the answers name them."""
    out: list[Party] = []
    for role, key in (("public", "public_parties"), ("private", "private_parties"), ("party", "parties")):
        entries = answers.get(key)
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict):
                out.append(Party(role, str(entry.get("name", "")), str(entry.get("orgnr", ""))))
    return tuple(out)


def builder() -> str:
    """Return who is building: $ASSEMBLER_USER, else the login name."""
    name = os.environ.get("ASSEMBLER_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "unknown"


def format_of(path: Path) -> str:
    """Return the format of a written file by its name; the manifest JSON beside an agreement is ``manifest``."""
    if path.name.endswith(".manifest.json"):
        return "manifest"
    return _FORMAT_OF.get(path.suffix.lower(), path.suffix.lstrip("."))


def written_files(files: dict[Path, bytes]) -> tuple[WrittenFile, ...]:
    """Return each written file with its format, SHA-256 and size."""
    return tuple(WrittenFile(path.resolve(), format_of(path), sha256_hex(data), len(data))
                 for path, data in files.items())


def issued(label: str, manifest: Manifest, answers: dict[str, Any], files: dict[Path, bytes],
           warnings: tuple[Problem, ...] = ()) -> Issued:
    """Return the register's view of one build."""
    return Issued(label, manifest, parties_of(answers), written_files(files), builder(), warnings)
