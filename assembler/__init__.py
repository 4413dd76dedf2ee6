"""assembler: document assembly for OPI (offentlig-privat innovation) agreements.

The public API: load a clause library, assemble an answer file into an
:class:`Agreement` (one :class:`Document` per language and a
:class:`Manifest`), write it in any format, validate a library, read a
manifest back.  Everything not listed in ``__all__`` is private.

Names are imported on first use, so that ``import assembler`` (and the
command line's start-up) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from assembler._version import __version__

_EXPORTS = {
    "Agreement": "model", "AnswersError": "errors", "AssemblerError": "errors", "Assembly": "assembly.pipeline",
    "BuildResult": "assembly.pipeline", "Clause": "model", "Document": "model", "GuardError": "errors",
    "Library": "library.load", "LibraryError": "errors", "Location": "errors", "Manifest": "model",
    "Problem": "errors", "RenderError": "errors", "UsageError": "errors", "ValidationReport": "library.lint",
    "assemble": "assembly.pipeline", "build": "assembly.pipeline", "diff_documents": "compare.diff",
    "diff_sides": "compare.diff", "load_library": "library.load", "load_side": "compare.sides",
    "manifest_from_json": "manifest", "manifest_to_json": "manifest", "plan_answers": "assembly.pipeline",
    "read_manifest_file": "readers", "validate_library": "library.lint", "writer_for": "writers",
    "BatchOptions": "assembly.batch", "collect_items": "assembly.batch", "run_batch": "assembly.batch",
    "open_register": "register.store",
}

__all__ = [
    "Agreement",
    "AnswersError",
    "AssemblerError",
    "Assembly",
    "BatchOptions",
    "BuildResult",
    "Clause",
    "Document",
    "GuardError",
    "Library",
    "LibraryError",
    "Location",
    "Manifest",
    "Problem",
    "RenderError",
    "UsageError",
    "ValidationReport",
    "__version__",
    "assemble",
    "build",
    "collect_items",
    "diff_documents",
    "diff_sides",
    "load_library",
    "load_side",
    "manifest_from_json",
    "manifest_to_json",
    "open_register",
    "plan_answers",
    "read_manifest_file",
    "run_batch",
    "validate_library",
    "writer_for",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assembler' has no attribute '{name}'")
    value = getattr(import_module(f"assembler.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from assembler.assembly.batch import BatchOptions, collect_items, run_batch
    from assembler.assembly.pipeline import Assembly, BuildResult, assemble, build, plan_answers
    from assembler.compare.diff import diff_documents, diff_sides
    from assembler.compare.sides import load_side
    from assembler.errors import (
        AnswersError,
        AssemblerError,
        GuardError,
        LibraryError,
        Location,
        Problem,
        RenderError,
        UsageError,
    )
    from assembler.library.lint import ValidationReport, validate_library
    from assembler.library.load import Library, load_library
    from assembler.manifest import manifest_from_json, manifest_to_json
    from assembler.model import Agreement, Clause, Document, Manifest
    from assembler.readers import read_manifest_file
    from assembler.register.store import open_register
    from assembler.writers import writer_for
