"""Writing output files atomically: every file appears whole, or none does."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import UsageError


def write_files_atomically(files: dict[Path, bytes]) -> list[Path]:
    """Write every file to a temporary name beside its target, then rename them all.

    If anything fails before the renames, the temporary files are removed and
    no target is touched.
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
