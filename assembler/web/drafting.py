"""For the legal unit: draft a new version of a clause and approve one, in a writable workspace.

The pages call the very functions `assembler clauses new-version` and
`assembler clauses approve` call (:mod:`assembler.library.lifecycle`), so
the checks are the same: four eyes (whoever drafted a version may not
approve it unless the workspace allows self-approval), effective dates that
never go backwards, no file ever overwritten, no version number reused.
Their errors are shown beside the form with their stable code.  The person
acting is the form's "by" field, checked as the command line's --by is, or
else the workspace's ``user``.  Nothing here is reachable when the app
serves a read-only library (the bundled one, or a folder it may not write).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for

from assembler.compare.diff import diff_sides

# The wording of a clause version as a document, as `assembler diff` compares clause versions.
from assembler.compare.libraries import _clause_as_document as clause_as_document
from assembler.compare.present import render_html
from assembler.compare.result import Side
from assembler.errors import AssemblerError, UsageError
from assembler.library.lifecycle import BUMPS, approve, new_version
from assembler.library.load import ClauseVersion, load_library
from assembler.library.sources import split_front_matter
from assembler.library.versions import Version
from assembler.web.context import embed_html, settings, workspace_user
from assembler.web.i18n import text as words

bp = Blueprint("drafting", __name__)

MAX_TEXT = 200_000  # characters of one language's clause text; a clause is a few thousand
_HEADING = re.compile(r"^#[ \t]+[a-z]{2}[ \t]*$")  # a language heading, as the library's loader reads one


def _writable_versions(clause_id: str) -> tuple[ClauseVersion, ...]:
    """Return the clause's versions; 404 unless the app may write the library and the clause exists."""
    if not settings().writable:
        abort(404)
    versions = settings().library.clauses.get(clause_id)
    if not versions:
        abort(404)
    return versions


def problem_of(exc: AssemblerError) -> dict[str, str]:
    """Return an error of the lifecycle as the page shows it: message, stable code, and the field it concerns."""
    field = getattr(exc, "option", None) or ""
    where = f" ({exc.location})" if exc.location is not None and exc.location.file else ""
    return {"message": exc.message + where, "code": exc.code, "field": field}


def _reload() -> None:
    """Serve the library as it is now on disk, after a draft or an approval was written."""
    from assembler.interview.plan import plan_for
    old = settings()
    lib = load_library(old.library.root, collect=True)  # as the CLI reads a library: a broken file is a problem
    current_app.extensions["assembler"] = dataclasses.replace(old, library=lib, plan=plan_for(lib, min(lib.blueprints)))


def _base(versions: tuple[ClauseVersion, ...]) -> ClauseVersion:
    """Return the version a new draft is copied from, as the command line chooses it: the highest."""
    return max(versions, key=lambda cv: cv.version)


def _edited_texts(base: ClauseVersion, form: Mapping[str, str]) -> dict[str, str]:
    """Return the clause text per language as typed in the form (the base's text where a field is missing)."""
    out = {}
    for lang, body in base.bodies.items():
        typed = form.get(f"text.{lang}")
        text = body if typed is None else typed.replace("\r\n", "\n").replace("\r", "\n")
        if len(text) > MAX_TEXT:
            raise UsageError(f"the {lang} text is longer than {MAX_TEXT} characters", option=f"text.{lang}",
                             code="web.text-too-long")
        text = text.strip("\n")
        # The text goes into the clause file between its language headings: a heading typed into it would
        # start another section, and an empty one leaves the language out (the loader refuses both).
        heading = next((i for i, line in enumerate(text.split("\n"), 1) if _HEADING.match(line)), None)
        if heading is not None:
            raise UsageError(f"line {heading} of the {lang} text is a language heading ('# sv'); a clause "
                             "text has none of its own", option=f"text.{lang}", code="web.text-heading")
        if not text.strip():
            raise UsageError(f"the {lang} text is empty", option=f"text.{lang}", code="web.text-empty")
        out[lang] = text
    return out


def _wording(base: ClauseVersion, texts: dict[str, str]) -> str | None:
    """Return the base's file with its text per language replaced (None when the text is unchanged)."""
    if all(texts[lang] == body.strip("\n") for lang, body in base.bodies.items()):
        return None
    lines = base.path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
    end = split_front_matter(lines, str(base.path))
    front = "\n".join(lines[:end + 1])
    sections = "\n".join(f"# {lang}\n\n{text}\n" for lang, text in texts.items())
    return f"{front}\n{sections}"


def _preview(base: ClauseVersion, texts: dict[str, str]) -> dict[str, Any]:
    """Return, per language, the typed text as a redline against the version it is drafted from."""
    out = {}
    for lang, text in texts.items():
        draft = dataclasses.replace(base, bodies={**base.bodies, lang: text})
        result = diff_sides(Side(base.ref, "clause", clause_as_document(base, lang)),
                            Side(f"{base.id} ({words('draft', g.lang)})", "clause",
                                 clause_as_document(draft, lang)))
        out[lang] = embed_html(render_html(result))
    return out


def _draft_page(versions: tuple[ClauseVersion, ...], form: Mapping[str, str], *, problem: dict[str, str] | None = None,
                preview: dict[str, Any] | None = None, status: int = 200) -> Response:
    base = _base(versions)
    texts = {lang: form.get(f"text.{lang}", body.strip("\n")) for lang, body in base.bodies.items()}
    body = render_template("draft.html", base=base, texts=texts, form=form, bumps=BUMPS, problem=problem,
                           preview=preview, user=workspace_user())
    return Response(body, status=status, mimetype="text/html")


@bp.get("/clauses/<clause_id>/draft")
def draft_form(clause_id: str) -> Response:
    return _draft_page(_writable_versions(clause_id), {})


@bp.post("/clauses/<clause_id>/draft")
def draft(clause_id: str) -> Any:
    versions = _writable_versions(clause_id)
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    base = _base(versions)
    try:
        texts = _edited_texts(base, form)
        if form.get("action") == "preview":
            return _draft_page(versions, form, preview=_preview(base, texts))
        change = new_version(settings().library.root, clause_id, bump=form.get("bump") or "minor",
                             effective=form.get("effective") or None, message=form.get("message") or None,
                             by=form.get("by") or None, wording=_wording(base, texts))
    except AssemblerError as exc:
        return _draft_page(versions, form, problem=problem_of(exc), status=422)
    _reload()
    _, version = change.ref.split("@")
    return redirect(url_for("clauses.clause", clause_id=clause_id, version=version, drafted=1), code=303)


@bp.post("/clauses/<clause_id>/<version>/approve")
def approve_version(clause_id: str, version: str) -> Any:
    versions = _writable_versions(clause_id)
    try:
        wanted = Version.parse(version)
    except ValueError:
        abort(404)
    if not any(cv.version == wanted for cv in versions):
        abort(404)
    try:
        approve(settings().library.root, f"{clause_id}@{wanted}", by=request.form.get("by") or None,
                date=request.form.get("date") or None)
    except AssemblerError as exc:
        from assembler.web.clauses import clause_page
        return clause_page(clause_id, str(wanted), approval={"problem": problem_of(exc), "form": request.form},
                           status=422)
    _reload()
    return redirect(url_for("clauses.clause", clause_id=clause_id, version=str(wanted), approved=1), code=303)
