"""Output naming: which file each format of a build is written to."""

from __future__ import annotations

from pathlib import Path

from assembler.errors import UsageError
from assembler.writers import EXTENSIONS, FORMATS


def output_paths(answers_path: Path, output: Path | None, formats: tuple[str, ...]) -> dict[str, Path]:
    """Return the file each format is written to.

    ``output`` may be a file (one format, or a name whose suffix is dropped
    and replaced per format) or a folder (existing, or given with a trailing
    slash, or without suffix).
    """
    stem = answers_path.stem
    if output is None:
        return {f: Path.cwd() / (stem + EXTENSIONS[f]) for f in formats}
    text = str(output)
    is_dir = output.is_dir() or text.endswith(("/", "\\")) or not output.suffix
    if is_dir:
        return {f: output / (stem + EXTENSIONS[f]) for f in formats}
    suffix = output.suffix.lower().lstrip(".")
    if len(formats) == 1:
        return {formats[0]: output}
    if suffix in FORMATS or suffix in ("markdown", "htm", "text"):
        base = output.with_suffix("")
        return {f: base.with_suffix(EXTENSIONS[f]) for f in formats}
    raise UsageError(f"-o '{output}' is a file name, but several formats were asked for: give a folder",
                     code="usage.output")
