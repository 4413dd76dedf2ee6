"""The manifest codec: JSON in and out, and errors with codes for what is not one of ours."""

from __future__ import annotations

import json

import pytest
from sample import sample_agreement

from assembler.errors import ManifestError
from assembler.manifest import MANIFEST_FORMAT, manifest_from_json, manifest_to_dict, manifest_to_json


def test_a_manifest_survives_json_unchanged() -> None:
    manifest = sample_agreement("sv+en").manifest
    assert manifest_from_json(manifest_to_json(manifest)) == manifest
    assert manifest_from_json(manifest_to_json(manifest).encode("utf-8")) == manifest


def test_the_json_names_its_format_and_every_clause_with_its_hash() -> None:
    manifest = sample_agreement("sv").manifest
    data = json.loads(manifest_to_json(manifest))
    assert data["format"] == MANIFEST_FORMAT
    assert [c["id"] for c in data["clauses"]] == [c.id for c in manifest.clauses]
    assert all(len(c["sha256"]) == 64 for c in data["clauses"])
    assert manifest_to_dict(manifest) == data


@pytest.mark.parametrize(("text", "code"), [
    ("not json at all", "manifest.not-json"),
    ('{"format": "someone-else/1"}', "manifest.foreign"),
    (f'{{"format": "{MANIFEST_FORMAT}"}}', "manifest.incomplete"),
])
def test_what_is_not_our_manifest_is_refused_with_a_code(text: str, code: str) -> None:
    with pytest.raises(ManifestError) as caught:
        manifest_from_json(text)
    assert caught.value.code == code


@pytest.mark.parametrize("reference", [
    'KS 2026/1 "Ö" \\ \n\t\r \x00\x1f\x7f \u2028\u2029 åäö € \U0001F600 </x> &',
    "\ud800 a lone surrogate",  # msgspec refuses it: the standard library's text, as before
])
def test_the_manifest_text_is_what_the_standard_library_writes(reference: str) -> None:
    """Manifests are compared and hashed as text: the fast encoder must write exactly json.dumps's bytes."""
    from dataclasses import replace
    manifest = replace(sample_agreement("sv+en").manifest, reference=reference, warnings=("", "x\ny"), parties=())
    expected = json.dumps(manifest_to_dict(manifest), ensure_ascii=False, indent=2) + "\n"
    assert manifest_to_json(manifest) == expected
