"""The Clause library pages: every clause, one clause's versions and text, its history and redlines, where it is used."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request

from assembler.compare.libraries import clause_document
from assembler.compare.present import render_html
from assembler.compare.result import Side
from assembler.errors import AssemblerError
from assembler.library.catalogue import clause_history, list_clauses, show_clause, uses_of
from assembler.library.load import ClauseVersion
from assembler.library.versions import Version
from assembler.model import Document, ItemList, Paragraph
from assembler.web.context import embed_html, settings, workspace_user

bp = Blueprint("clauses", __name__)


def _clause_versions(clause_id: str) -> tuple[ClauseVersion, ...]:
    """Return the versions of a clause the library has; 404 for any other id (never a file lookup)."""
    versions = settings().library.clauses.get(clause_id)
    if not versions:
        abort(404)
    return versions


def _version(versions: tuple[ClauseVersion, ...], text: str | None) -> ClauseVersion | None:
    if not text:
        return None
    try:
        wanted = Version.parse(text)
    except ValueError:
        abort(404)
    found = next((cv for cv in versions if cv.version == wanted), None)
    if found is None:
        abort(404)
    return found


def blocks(doc: Document) -> list[dict[str, Any]]:
    """Return a clause document's paragraphs and lists as plain data for the template (escaped there)."""
    out: list[dict[str, Any]] = []
    for clause in doc.clauses:
        for block in clause.blocks:
            if isinstance(block, Paragraph):
                out.append({"kind": "p", "number": block.number or "", "text": "".join(s.text for s in block.spans)})
            elif isinstance(block, ItemList):
                out.append({"kind": "list", "items": [f"{item.label} {item.text}".strip() for item in block.items]})
    return out


@bp.get("/clauses")
def index() -> str:
    return render_template("clauses.html", clauses=list_clauses(settings().library),
                           root=str(settings().library.root.parent))


@bp.get("/clauses/<clause_id>")
@bp.get("/clauses/<clause_id>/<version>")
def clause(clause_id: str, version: str | None = None) -> Response:
    return clause_page(clause_id, version)


def clause_page(clause_id: str, version: str | None, *, approval: dict[str, Any] | None = None,
                status: int = 200) -> Response:
    """Return one clause's page; ``approval`` holds a refused approval's problem and form, shown beside it."""
    lib = settings().library
    versions = _clause_versions(clause_id)
    chosen = _version(versions, version)
    detail = show_clause(lib, clause_id, chosen.version if chosen else None)
    texts = {lang: blocks(clause_document(lib, detail.clause.ref, lang)) for lang in detail.languages}
    history = list(reversed(clause_history(lib, clause_id)))
    redline, old, new = _redline(versions)
    drafts = [cv for cv in versions if cv.status == "draft"] if settings().writable else []
    body = render_template("clause.html", detail=detail, cv=detail.clause, texts=texts, history=history,
                           versions=[str(v.version) for v in versions], uses=uses_of(lib, clause_id),
                           issued=_issued(clause_id), redline=redline, old=old, new=new, drafts=drafts,
                           approval=approval or {}, user=workspace_user() if settings().writable else "",
                           done="drafted" if request.args.get("drafted") else
                           "approved" if request.args.get("approved") else "")
    return Response(body, status=status, mimetype="text/html")


def _redline(versions: tuple[ClauseVersion, ...]) -> tuple[Any, str, str]:
    """Return the redline between the two versions asked for (?old=&new=), or None."""
    names = [str(v.version) for v in versions]
    old = request.args.get("old") or (names[-2] if len(names) > 1 else names[-1])
    new = request.args.get("new") or names[-1]
    if "old" not in request.args:
        return None, old, new
    old_cv, new_cv = _version(versions, old), _version(versions, new)
    if old_cv is None or new_cv is None:
        abort(404)
    from assembler.compare.diff import diff_sides
    lib = settings().library
    lang = g.lang if g.lang in old_cv.bodies and g.lang in new_cv.bodies else next(iter(new_cv.bodies))
    result = diff_sides(Side(old_cv.ref, "clause", clause_document(lib, old_cv.ref, lang)),
                        Side(new_cv.ref, "clause", clause_document(lib, new_cv.ref, lang)))
    return embed_html(render_html(result)), old, new


def _issued(clause_id: str) -> Any:
    folder = settings().agreements
    if folder is None:
        return None
    from assembler.register.where_used import where_used
    try:
        return where_used(folder, clause_id, library=settings().library).uses
    except AssemblerError:
        return ()
