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

__version__ = "0.1.0"

_EXPORTS = {
    "Agreement": "model", "AnswersError": "errors", "AssemblerError": "errors", "Assembly": "assemble",
    "BuildResult": "assemble", "Clause": "model", "Document": "model", "GuardError": "errors",
    "Library": "library", "LibraryError": "errors", "Location": "errors", "Manifest": "model",
    "Problem": "errors", "RenderError": "errors", "UsageError": "errors", "ValidationReport": "validate",
    "assemble": "assemble", "build": "assemble", "load_library": "library", "manifest_from_json": "manifest",
    "manifest_to_json": "manifest", "plan_answers": "assemble", "read_manifest_file": "manifest",
    "validate_library": "validate", "writer_for": "assemble", "diff_documents": "sides", "diff_sides": "sides",
    "load_side": "sides",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assembler' has no attribute '{name}'")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from .assemble import Assembly, BuildResult, assemble, build, plan_answers, writer_for
    from .errors import (
        AnswersError, AssemblerError, GuardError, LibraryError, Location, Problem, RenderError, UsageError,
    )
    from .library import Library, load_library
    from .manifest import manifest_from_json, manifest_to_json, read_manifest_file
    from .model import Agreement, Clause, Document, Manifest
    from .sides import diff_documents, diff_sides, load_side
    from .validate import ValidationReport, validate_library
