"""SHA-256 of the files a build writes, resumed from the state after a prefix many of them share.

Every DOCX of a batch begins with the same bytes: the content types, the
embedded fonts and the parts agreements share, zipped once per process
(:mod:`assembler.oxml.package`).  Hashing those bytes again for each file's
register entry cost as much as writing the file; the hash state after the
prefix is kept instead, and a file that begins with it is hashed from there.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

_KEPT = 8  # prefixes kept: one per house style and shape a batch uses
_PREFIXES: dict[bytes, Any] = {}  # prefix -> sha256 state after it
_LOCK = threading.Lock()


def remember_prefix(prefix: bytes) -> None:
    """Keep the hash state after ``prefix``, the first bytes of files about to be written."""
    state = hashlib.sha256(prefix)
    with _LOCK:
        if prefix not in _PREFIXES and len(_PREFIXES) >= _KEPT:
            _PREFIXES.pop(next(iter(_PREFIXES)))
        _PREFIXES[prefix] = state


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 of ``data`` in hex, as ``hashlib.sha256(data).hexdigest()``."""
    with _LOCK:
        kept = list(_PREFIXES.items())
    for prefix, state in kept:
        if data.startswith(prefix):
            resumed = state.copy()
            resumed.update(memoryview(data)[len(prefix):])
            return resumed.hexdigest()  # type: ignore[no-any-return]
    return hashlib.sha256(data).hexdigest()
