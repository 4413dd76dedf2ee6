"""A disk cache of compiled Jinja2 code, so a fresh process does not recompile the library.

Compiling the templates and rule expressions of an agreement costs more than
rendering it; the code objects are marshalled into a per-user cache folder,
keyed by the source text and the versions of Python, Jinja2 and assembler.
The cache only ever saves time: any failure to read or write it is ignored.
Set ASSEMBLER_NO_CACHE=1 to bypass it, ASSEMBLER_CACHE_DIR to move it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from types import CodeType

import jinja2

from assembler._version import __version__


def cache_dir() -> Path | None:
    """Return the cache folder, or None when caching is switched off."""
    if os.environ.get("ASSEMBLER_NO_CACHE"):
        return None
    base = os.environ.get("ASSEMBLER_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    tag = f"{__version__}-py{sys.version_info[0]}{sys.version_info[1]}-jinja{jinja2.__version__}-{_settings_stamp()}"
    return Path(base).expanduser() / "assembler" / tag


@lru_cache(maxsize=1)
def _settings_stamp() -> str:
    """Return a short hash of the module that configures the Jinja environment.

    Compiled code depends on the environment's settings (block trimming,
    delimiters), so a change there must not reuse code compiled before it.
    """
    source = (Path(__file__).parent / "library" / "template.py").read_bytes()
    return hashlib.sha256(source).hexdigest()[:12]


def cached_code(kind: str, name: str, source: str, compile_code: Callable[[], CodeType]) -> CodeType:
    """Return the code object for ``source``, from the cache when it is there."""
    folder = cache_dir()
    if folder is None:
        return compile_code()
    key = hashlib.sha256(f"{kind}\0{name}\0{source}".encode()).hexdigest()[:40]
    path = folder / f"{key}.bin"
    try:
        code = marshal.loads(path.read_bytes())
        if isinstance(code, CodeType):
            return code
    except (OSError, ValueError, EOFError, TypeError):
        pass
    code = compile_code()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps(code))
        os.replace(tmp, path)
    except OSError:
        pass
    return code


def load_pickle(name: str, fingerprint: str) -> object | None:
    """Return the object stored under ``name`` if it was stored with the same fingerprint."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        stored_fp, obj = pickle.loads((folder / f"{name}.pickle").read_bytes())
    except Exception:  # noqa: BLE001 - a stale or foreign cache file is simply not used
        return None
    return obj if stored_fp == fingerprint else None


def store_pickle(name: str, fingerprint: str, obj: object) -> None:
    """Store ``obj`` under ``name`` with its fingerprint; failures are ignored."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        data = pickle.dumps((fingerprint, obj), protocol=pickle.HIGHEST_PROTOCOL)
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, folder / f"{name}.pickle")
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass
