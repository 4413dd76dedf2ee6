"""Files in and out: the package's data folders, reading inputs in plain words, writing outputs atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from assembler.errors import DocumentFormatError, InputError, Location, UsageError


def bundled_dir(name: str) -> Path:
    """Return a data folder shipped with the package (``clauses``, ``schemas``).

    An installed wheel has it inside the package; a source checkout beside it.
    """
    installed = Path(__file__).parent / name
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / name


def write_files_atomically(files: dict[Path, bytes], *, sync: bool = True) -> list[Path]:
    """Write every file to a temporary name beside its target, then rename them all.

    If anything fails before the renames, the temporary files are removed and
    no target is touched.  ``sync=False`` leaves out the flush to disk of each
    file (a batch of a thousand agreements flushes once at its end instead:
    on a busy disk each flush costs as much as building the agreement).
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            except OSError as exc:
                raise UsageError(f"cannot write to '{target.parent}': {exc.strerror or exc}") from None
            temps.append((Path(name), target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                if sync:
                    os.fsync(fh.fileno())
            os.chmod(name, 0o644)
    except BaseException:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
        raise
    for temp, target in temps:
        os.replace(temp, target)
    return [t for _, t in temps]


def write_file_atomically(target: Path, data: bytes) -> Path:
    """Write one file atomically and return its path."""
    return write_files_atomically({target: data})[0]


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def read_bytes(path: Path, what: str = "file") -> bytes:
    """Return a file's bytes; raise InputError in plain words if it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"the {what} '{path}' does not exist", code="input.missing") from None
    except IsADirectoryError:
        raise InputError(f"'{path}' is a folder, not {_a(what)}", code="input.folder") from None
    except PermissionError:
        raise InputError(f"the {what} '{path}' cannot be read (permission denied)", code="input.permission") from None
    except OSError as exc:
        raise InputError(f"the {what} '{path}' cannot be read: {exc.strerror or exc}", code="input.unreadable") from None


def decode_text(data: bytes, path: Path, what: str = "file") -> str:
    """Return UTF-8 bytes as text (a leading byte-order mark is dropped); raise in plain words if they are not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentFormatError(f"the {what} '{path}' is not UTF-8 text", Location(str(path)),
                                  code="input.not-utf8") from None


def read_text(path: Path, what: str = "file") -> str:
    """Return a UTF-8 file's text; raise in plain words if it cannot be read."""
    return decode_text(read_bytes(path, what), path, what)
