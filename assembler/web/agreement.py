"""The New agreement page: the form from the answers schema, its checks, the live preview and the downloads."""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, g, jsonify, redirect, render_template, request, url_for

from assembler.errors import AppendixError, AssemblerError
from assembler.interview.plan import Plan
from assembler.interview.values import Finding
from assembler.interview.yamlout import answers_yaml
from assembler.library.sources import parse_json, parse_yaml
from assembler.model import HouseStyle
from assembler.web.context import embed_html, settings
from assembler.web.forms import FormState, form_data, id_of, name_of, read_form
from assembler.web.uploads import Upload, attached, files_of, finding_of, read_uploads
from assembler.web.widgets import build_widgets

bp = Blueprint("agreement", __name__)

_ITEM_KEY = re.compile(r"^(?P<list>[a-z_]+)\.(?P<index>\d+)\.(?P<rest>.+)$")
MAX_ANSWER_FILE = 512 * 1024


def _assemble(plan: Plan, answers: dict[str, Any], uploads: list[Upload], *, preview: bool = False) -> tuple[Any, str]:
    """Return the assembly of a set of answers and the answer file it was made from.

    Downloads are assembled from the very YAML file offered for download, so
    that building that file again gives the same bytes; the preview reads the
    same answers as JSON, which is quicker to write and read.  Uploaded
    appendix PDFs lie beside the answer file, in this request's own folder,
    where the pipeline reads appendix files; the folder goes with the request.
    """
    from assembler.assembly.pipeline import assemble

    if preview:
        text, name = json.dumps(answers, ensure_ascii=False), "answers.json"
    else:
        text, name = answers_yaml(plan.form, answers, g.lang, plan.form.schema_path.as_uri()), "answers.yaml"
    with tempfile.TemporaryDirectory(prefix="assembler-web-") as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        for file_name, data in files_of(uploads).items():
            (Path(tmp) / file_name).write_bytes(data)
        assembly = assemble(path, library=settings().library, house_style=None if preview else _house_style())
    if uploads:
        from assembler.writers.pdf_finish import load_appendices
        load_appendices(assembly.agreement)  # the PDF writer's checks: encrypted, empty or damaged files
    return assembly, text


def _house_style() -> HouseStyle | None:
    """Return the workspace's house style (reference DOCX, PDF/A), as ``assembler build`` there uses it.

    The preview is our HTML and takes none of it; downloads do, so that the
    files equal what the command line builds from the downloaded answer file.
    """
    from assembler.library.house_style import house_style_for
    from assembler.library.workspace import settings_for

    return house_style_for(settings_for(settings().library.root))


def _guards(state: FormState) -> None:
    """Put each guard that names a shown field beside that field too."""
    for guard in state.guards:
        name = guard.field or ""
        message = " ".join((guard.message.get(g.lang) or next(iter(guard.message.values()))).split())
        if name in state.shown and name not in state.findings:
            path = tuple(int(p) if p.isdigit() else p for p in name.split("."))
            state.findings[name] = Finding(f"guard.{guard.id}", guard.level, message, path)


def _check(data: Mapping[str, str], *, submitted: bool, render: bool = True) -> tuple[FormState, str | None, str]:
    """Return the checked form, the preview HTML (None while something stops it) and a problem of the pipeline."""
    plan = settings().plan
    uploads, refused = read_uploads(request.files, g.lang)
    g.uploads = uploads
    state = read_form(plan, data, g.lang, submitted=submitted, attached=attached(uploads))
    state.findings.update(refused)
    _guards(state)
    if not submitted or not render or state.errors or state.guard_errors:
        return state, None, ""
    from assembler.writers import writer_for
    try:
        assembly, _ = _assemble(plan, state.answers, uploads, preview=True)
    except AppendixError as exc:
        found = finding_of(exc, uploads)
        if found is not None:
            state.findings[found[0]] = found[1]
        return state, None, exc.message
    except AssemblerError as exc:
        return state, None, exc.message
    return state, writer_for("html")(assembly.agreement).decode("utf-8"), ""


def _page(data: Mapping[str, str], *, submitted: bool, status: int = 200) -> Response:
    state, preview, problem = _check(data, submitted=submitted)
    widgets = build_widgets(settings().plan.form, state, g.lang)
    guard_list = [(gd.level, " ".join((gd.message.get(g.lang) or next(iter(gd.message.values()))).split()),
                   id_of(gd.field) if gd.field and gd.field in state.shown else None) for gd in state.guards]
    errors = [(id_of(name), f.message) for name, f in state.errors.items() if not f.code.startswith("guard.")]
    from assembler.writers.html import CSS
    embed_html(f"<style>{CSS}</style>")  # the live preview arrives later by script: admit its style now
    body = render_template("new.html", widgets=widgets, guards=guard_list, errors=errors, problem=problem,
                           preview=embed_html(preview) if preview else None, submitted=submitted)
    return Response(body, status=status, mimetype="text/html")


@bp.get("/")
def home() -> Any:
    return redirect(url_for("agreement.new"))


@bp.get("/new")
def new() -> Response:
    return _page({}, submitted=False)


def _shifted(data: Mapping[str, str], name: str, removed: int) -> dict[str, str]:
    """Return the form without item ``removed`` of the list ``name``, later items moved up."""
    out: dict[str, str] = {}
    for key, value in data.items():
        m = _ITEM_KEY.match(key)
        if m and m["list"] == name:
            i = int(m["index"])
            if i == removed:
                continue
            if i > removed:
                key = f"{name}.{i - 1}.{m['rest']}"
        out[key] = value
    return out


def _edited(data: dict[str, str], action: str) -> dict[str, str] | None:
    """Apply an add or remove button to the form; None when the action is neither."""
    kind, _, rest = action.partition(":")
    lists = {name_of((c.name,)): c for c in settings().plan.form.root.children if c.kind == "array"}
    if kind == "add" and rest in lists:
        count = int(data.get(f"count.{rest}") or max(lists[rest].min_items, 1))
        data[f"count.{rest}"] = str(count + 1)
        return data
    if kind == "remove":
        name, _, index = rest.rpartition(":")
        if name in lists and index.isdigit():
            count = int(data.get(f"count.{name}") or 1)
            if count > lists[name].min_items:
                data = _shifted(data, name, int(index))
                data[f"count.{name}"] = str(count - 1)
            return data
    return None


@bp.post("/new")
def submit() -> Response:
    data = {k: v for k, v in request.form.items() if k not in ("csrf_token", "action")}
    action = request.form.get("action", "check")
    edited = _edited(dict(data), action)
    if edited is not None:
        return _page(edited, submitted=False)
    if action in ("docx", "pdf", "both", "yaml"):
        return _download(data, action)
    return _page(data, submitted=True)


def _download(data: Mapping[str, str], fmt: str) -> Response:
    state, _, _ = _check(data, submitted=True, render=False)
    if state.errors or state.guard_errors:
        return _page(data, submitted=True, status=422)
    plan = settings().plan
    from assembler.writers import writer_for
    try:
        assembly, yaml_text = _assemble(plan, state.answers, g.uploads)
    except AssemblerError:
        return _page(data, submitted=True, status=422)  # the page shows what stops it
    stem = "avtal" if g.lang == "sv" else "agreement"
    if fmt == "yaml":
        return _file(yaml_text.encode("utf-8"), "answers.yaml", "application/yaml")
    if fmt in ("docx", "pdf"):
        mime = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "pdf": "application/pdf"}[fmt]
        return _file(writer_for(fmt)(assembly.agreement), f"{stem}.{fmt}", mime)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind in ("docx", "pdf"):
            archive.writestr(f"{stem}.{kind}", writer_for(kind)(assembly.agreement))
        archive.writestr("answers.yaml", yaml_text)
        for name, content in files_of(g.uploads).items():  # beside the answer file, where `build` looks for them
            archive.writestr(name, content)
    return _file(buffer.getvalue(), f"{stem}.zip", "application/zip")


def _file(data: bytes, name: str, mime: str) -> Response:
    return Response(data, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/new/check")
def check() -> Response:
    """Return the checks and the preview of the form as JSON, for the page's script."""
    data = {k: v for k, v in request.form.items() if k not in ("csrf_token", "action")}
    state, preview, problem = _check(data, submitted=request.form.get("submitted") == "1")
    findings = {id_of(name): {"level": f.level, "message": f.message} for name, f in state.findings.items()}
    groups = {id_of(name_of(p)): bool(v) for p, v in state.decided.items() if not isinstance(p[-1], int)}
    response = jsonify(findings=findings, shown=sorted(id_of(n) for n in state.shown), groups=groups,
                       required=sorted(id_of(n) for n in state.required),
                       guards=[{"level": gd.level, "message": " ".join(
                           (gd.message.get(g.lang) or next(iter(gd.message.values()))).split())} for gd in state.guards],
                       preview=preview, problem=problem)
    return response


@bp.post("/new/load")
def load() -> Response:
    """Fill the form from an uploaded answer file, to continue with it."""
    upload = request.files.get("answers")
    raw = upload.read(MAX_ANSWER_FILE + 1) if upload else b""
    if not raw or len(raw) > MAX_ANSWER_FILE:
        return _page({}, submitted=False, status=422)
    try:
        text = raw.decode("utf-8-sig")
        name = upload.filename or "answers.yaml" if upload else "answers.yaml"
        doc = parse_json(text, "answers.json") if name.lower().endswith(".json") else parse_yaml(text, "answers.yaml")
    except (UnicodeDecodeError, AssemblerError):
        return _page({}, submitted=False, status=422)
    answers = doc.data if isinstance(doc.data, dict) else {}
    return _page(form_data(settings().plan, answers), submitted=True)
