"""What every page of the web app shares: the settings it was started with, the CSRF token, embedded HTML."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, g, session
from markupsafe import Markup

from assembler.interview.plan import Plan
from assembler.library.load import Library

_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


@dataclass(frozen=True)
class Settings:
    """What the app was started on: the library, and optionally a folder of issued agreements."""

    library: Library
    plan: Plan
    agreements: Path | None = None
    writable: bool = False  # may the legal unit draft and approve clause versions here?


def library_writable(root: Path) -> bool:
    """Whether the app may write drafts and approvals into a library: not the bundled one, and a folder it may write."""
    import os

    from assembler.library.workspace import is_installed_library
    return not is_installed_library(root) and os.access(root, os.W_OK) and os.access(root / "fragments", os.W_OK)


def settings() -> Settings:
    """Return what the running app serves."""
    return current_app.extensions["assembler"]  # type: ignore[no-any-return]


def workspace_user() -> str:
    """Return the workspace's configured user ('' when none), the default drafter and approver."""
    from assembler.errors import AssemblerError
    from assembler.library.workspace import settings_for
    try:
        return settings_for(settings().library.root).user
    except AssemblerError:
        return ""


def csrf_token() -> str:
    """Return this session's CSRF token, making one on first use."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def embed_html(html: str) -> Markup:
    """Return our own HTML output for an iframe's srcdoc, admitting its inline styles by hash in the CSP."""
    for css in _STYLE.findall(html):
        digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
        g.style_hashes.append(f"'sha256-{digest}'")
    return Markup.escape(html)
