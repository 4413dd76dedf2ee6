"""The manifest: how an agreement was made, as JSON that can be embedded and read back."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from assembler.errors import ManifestError
from assembler.model import ClauseStamp, Manifest

MANIFEST_FORMAT = "assembler-manifest/1"
# The name of the attachment that carries the manifest in a PDF.
PDF_MANIFEST_NAME = "manifest.json"


def manifest_to_dict(manifest: Manifest) -> dict[str, Any]:
    """Return the manifest as a JSON-ready dict, keys in a fixed order."""
    data: dict[str, Any] = {"format": MANIFEST_FORMAT}
    data.update(asdict(manifest))
    data["clauses"] = [asdict(c) for c in manifest.clauses]
    for key in ("warnings", "parties", "appendices"):
        data[key] = list(data[key])
    if manifest.answers_form == "text":
        # Manifests from before the field carried the raw text and no answers_form; rebuilding one
        # must give back the same bytes.
        del data["answers_form"]
    return data


def manifest_to_json(manifest: Manifest) -> str:
    """Return the manifest as deterministic, indented JSON text."""
    return json.dumps(manifest_to_dict(manifest), ensure_ascii=False, indent=2) + "\n"


def manifest_from_dict(data: dict[str, Any]) -> Manifest:
    """Return the manifest a dict describes; raise AssemblerError if it is not one."""
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ManifestError("this is not an assembler manifest", code="manifest.foreign")
    try:
        return Manifest(
            agreement=data["agreement"],
            agreement_version=data["agreement_version"],
            language=data["language"],
            assembled=data["assembled"],
            clauses=tuple(ClauseStamp(c["id"], c["version"], c["sha256"]) for c in data["clauses"]),
            answers_sha256=data["answers_sha256"],
            tool_version=data["tool_version"],
            warnings=tuple(data.get("warnings", ())),
            draft=bool(data.get("draft", False)),
            reference=data.get("reference", ""),
            parties=tuple(data.get("parties", ())),
            blueprint_sha256=data.get("blueprint_sha256", ""),
            appendices=tuple(data.get("appendices", ())),
            answers=str(data.get("answers", "")),
            answers_form=str(data.get("answers_form", "text")),
        )
    except (KeyError, TypeError) as exc:
        raise ManifestError(f"the manifest is incomplete: missing {exc}", code="manifest.incomplete") from None


def manifest_from_json(text: str | bytes) -> Manifest:
    """Parse manifest JSON text."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ManifestError(f"the manifest is not valid JSON: {exc}", code="manifest.not-json") from None
    return manifest_from_dict(data)
