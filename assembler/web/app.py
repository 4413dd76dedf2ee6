"""The web app: a Flask application bound to one clause library, with its security measures.

Security as a public body needs it: a CSRF token on every form (checked on
every POST), an Origin check, only the hosts it was started for, a strict
Content Security Policy (scripts and styles from the app itself; the inline
styles of our own HTML output admitted by hash), no caching, size limits on
uploads.  The app serves the one library it was started on; no request
chooses a file.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, g, render_template, request, session
from werkzeug.exceptions import HTTPException, SecurityError

from assembler.interview.plan import plan_for
from assembler.library.load import Library, load_library
from assembler.web.context import Settings, csrf_token, library_writable
from assembler.web.i18n import LANGUAGES, text

MAX_UPLOAD = 10 * 1024 * 1024  # bytes in one request, files included


def create_app(library: Path | str | Library | None = None, *, agreements: Path | None = None,
               hosts: tuple[str, ...] = ("127.0.0.1", "localhost"), secret: bytes | None = None,
               read_only: bool = False) -> Flask:
    """Return the web app serving one clause library (the bundled one by default).

    The legal unit's drafting and approval pages are there when the library
    is a workspace's (not the bundled one), the app may write into it, and
    ``read_only`` is not asked for.
    """
    lib = library if isinstance(library, Library) else load_library(library)
    writable = library is not None and not read_only and library_writable(lib.root)
    kind = min(lib.blueprints)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret or secrets.token_bytes(32), MAX_CONTENT_LENGTH=MAX_UPLOAD,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict", TRUSTED_HOSTS=list(hosts),
        MAX_FORM_PARTS=2000, TEMPLATES_AUTO_RELOAD=False)
    app.extensions["assembler"] = Settings(lib, plan_for(lib, kind), agreements, writable)
    app.jinja_env.autoescape = True
    app.jinja_env.globals.update(t=lambda key: text(key, g.lang), csrf_token=csrf_token,
                                 writable=lambda: app.extensions["assembler"].writable)
    app.before_request(_before)
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _error)
    from assembler.web.agreement import bp as agreement_bp
    from assembler.web.clauses import bp as clauses_bp
    from assembler.web.compare import bp as compare_bp
    from assembler.web.drafting import bp as drafting_bp
    app.register_blueprint(agreement_bp)
    app.register_blueprint(clauses_bp)
    app.register_blueprint(compare_bp)
    app.register_blueprint(drafting_bp)
    return app


def _before() -> None:
    try:
        request.host  # noqa: B018  (reading it checks it against TRUSTED_HOSTS)
    except SecurityError:
        abort(400, description="host")
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    lang = session.get("lang")
    g.lang = lang if lang in LANGUAGES else "sv"
    g.style_hashes = []
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin and origin != request.host_url.rstrip("/"):
            abort(403)
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
        if not hmac.compare_digest(sent, session.get("csrf") or "\0"):
            abort(400, description="csrf")


def _headers(response: Response) -> Response:
    styles = " ".join(["'self'", *getattr(g, "style_hashes", [])])
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'self'; style-src {styles}; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; frame-src 'self'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"  # "no-referrer" would make browsers send Origin: null
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error(exc: HTTPException) -> Any:
    if isinstance(exc, SecurityError) or exc.description == "host":
        # A request for another host name (DNS rebinding): no page, no links to build.
        return Response("This app answers only on the address it was started on.\n", status=400, mimetype="text/plain")
    lang = getattr(g, "lang", "sv")
    g.lang = lang
    key = {404: "not_found", 413: "too_large"}.get(exc.code or 500, "bad_request")
    if exc.code == 400 and exc.description == "csrf":
        key = "csrf"
    body = render_template("error.html", message=text(key, lang), code=exc.code)
    return Response(body, status=exc.code or 500, mimetype="text/html")
