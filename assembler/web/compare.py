"""The Compare page: upload two files, see the redline, download it as a DOCX with tracked changes.

Uploads are checked by extension and by content (a DOCX is a zip, a PDF
starts with %PDF, the text kinds must be UTF-8), kept in memory under a
random token for a while, and written only to a private temporary folder
under names the app chooses.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import time
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request

from assembler.errors import AssemblerError
from assembler.library.sources import parse_yaml
from assembler.web.context import embed_html, settings
from assembler.web.i18n import text

bp = Blueprint("compare", __name__)

KINDS = {".docx": b"PK\x03\x04", ".pdf": b"%PDF", ".md": None, ".markdown": None, ".txt": None,
         ".yaml": None, ".yml": None, ".json": None}
MAX_FILE = 5 * 1024 * 1024
KEEP = 20  # comparisons kept for download
KEEP_SECONDS = 1800
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_store: OrderedDict[str, tuple[float, tuple[str, str, bytes], tuple[str, str, bytes]]] = OrderedDict()


def _upload(field: str) -> tuple[tuple[str, str, bytes] | None, str]:
    """Return (label, suffix, bytes) of one uploaded file, or the key of what is wrong with it."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None, "upload_missing"
    label = Path(upload.filename.replace("\\", "/")).name[:120] or "file"
    suffix = Path(label).suffix.lower()
    if suffix not in KINDS:
        return None, "upload_type"
    data = upload.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        return None, "too_large"
    magic = KINDS[suffix]
    if magic is not None and not data.startswith(magic):
        return None, "upload_content"
    if magic is None:
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None, "upload_content"
    return (label, suffix, data), ""


def _without_paths(suffix: str, data: bytes) -> tuple[str, bytes]:
    """Return an uploaded answer file without the appendix file paths it names (never read on the server)."""
    if suffix not in (".yaml", ".yml", ".json"):
        return suffix, data
    try:
        parsed = parse_yaml(data.decode("utf-8-sig"), "upload").data
    except (AssemblerError, UnicodeDecodeError):
        return suffix, data  # load_side reports what is wrong with it
    if not isinstance(parsed, dict) or "agreement" not in parsed or not isinstance(parsed.get("appendices"), list):
        return suffix, data
    parsed["appendices"] = [{k: v for k, v in entry.items() if k != "file"} if isinstance(entry, dict) else entry
                            for entry in parsed["appendices"]]
    return ".json", json.dumps(parsed, ensure_ascii=False).encode("utf-8")


def _diff(old: tuple[str, str, bytes], new: tuple[str, str, bytes]) -> Any:
    """Return the comparison of two uploaded files (written under fixed names in a private folder)."""
    from assembler.assembly.pipeline import assemble
    from assembler.compare.diff import diff_sides
    from assembler.compare.sides import load_side
    lib = settings().library
    with tempfile.TemporaryDirectory(prefix="assembler-compare-") as tmp:
        sides = []
        for name, (label, suffix, data) in (("old", old), ("new", new)):
            suffix, data = _without_paths(suffix, data)
            path = Path(tmp) / f"{name}{suffix}"
            path.write_bytes(data)
            side = load_side(str(path), assemble=lambda p: assemble(p, library=lib).agreement, language=g.lang)
            sides.append(replace(side, label=label))
        return diff_sides(sides[0], sides[1])


def _remember(old: tuple[str, str, bytes], new: tuple[str, str, bytes]) -> str:
    now = time.monotonic()
    for key in [k for k, v in _store.items() if now - v[0] > KEEP_SECONDS]:
        del _store[key]
    while len(_store) >= KEEP:
        _store.popitem(last=False)
    token = secrets.token_urlsafe(24)
    _store[token] = (now, old, new)
    return token


@bp.get("/compare")
def form() -> str:
    return render_template("compare.html", problems={}, redline=None, token=None)


@bp.post("/compare")
def compare() -> Any:
    old, old_problem = _upload("old")
    new, new_problem = _upload("new")
    problems = {k: text(v, g.lang) for k, v in (("old", old_problem), ("new", new_problem)) if v}
    if old is None or new is None:
        return Response(render_template("compare.html", problems=problems, redline=None, token=None), status=422)
    try:
        result = _diff(old, new)
    except AssemblerError as exc:
        return Response(render_template("compare.html", problems={"new": exc.message}, redline=None, token=None),
                        status=422)
    from assembler.compare.present import render_html
    token = _remember(old, new)
    return render_template("compare.html", problems={}, redline=embed_html(render_html(result)), token=token,
                           summary=result.summary(), labels=(old[0], new[0]))


@bp.post("/compare/tracked")
def tracked() -> Response:
    token = request.form.get("token", "")
    if not _TOKEN.match(token) or token not in _store:
        abort(404)
    _, old, new = _store[token]
    from assembler.compare.tracked_docx import write_tracked_docx
    try:
        data = write_tracked_docx(_diff(old, new))
    except AssemblerError:
        abort(422)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition": 'attachment; filename="changes.docx"'})
