"""A written file's SHA-256 resumed from a kept prefix is the file's own SHA-256."""

from __future__ import annotations

import hashlib

import pytest
from sample import sample_agreement

import assembler._digest as digest
from assembler.writers.docx import write_docx


def test_a_docx_hashed_from_the_kept_package_head_has_its_own_sha256(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "_PREFIXES", {})
    from assembler.oxml import package
    package._head.cache_clear()
    first, second = write_docx(sample_agreement("sv")), write_docx(sample_agreement("en"))
    assert digest._PREFIXES, "zipping the package head keeps its hash state"
    for data in (first, second):
        assert any(data.startswith(prefix) for prefix in digest._PREFIXES)  # resumed, not hashed whole
        assert digest.sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_data_that_only_begins_like_a_kept_prefix_is_hashed_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "_PREFIXES", {})
    digest.remember_prefix(b"PK\x03\x04shared head")
    for data in (b"PK\x03\x04shared head and a tail", b"PK\x03\x04shared hea", b"PK\x03\x04other", b"%PDF-1.7", b""):
        assert digest.sha256_hex(data) == hashlib.sha256(data).hexdigest(), data


def test_kept_prefixes_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "_PREFIXES", {})
    for n in range(20):
        digest.remember_prefix(f"prefix {n}".encode())
        assert len(digest._PREFIXES) <= digest._KEPT
    assert digest.sha256_hex(b"prefix 19 and more") == hashlib.sha256(b"prefix 19 and more").hexdigest()
