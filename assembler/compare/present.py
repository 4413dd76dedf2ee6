"""Presenters of a diff: terminal text, a standalone HTML redline, JSON.

Each is a pure function of a :class:`~assembler.comparison.DiffResult`;
none prints, so ``cli.py`` decides where output goes.  The tracked-changes
DOCX lives in :mod:`assembler.tracked_docx`.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from assembler.compare.align import Segment
from assembler.compare.diff import VersionChange
from assembler.compare.result import ClauseDiff, ClauseRef, DiffResult, Side, UnitDiff

DIFF_FORMAT = "assembler-diff/1"
_CONTEXT = 60  # characters of unchanged text kept on each side of a change

_ANSI = {"del": "\x1b[31m", "ins": "\x1b[32m", "typo": "\x1b[33m", "fmt": "\x1b[35m",
         "head": "\x1b[1m", "dim": "\x1b[2m", "move": "\x1b[36m", "off": "\x1b[0m"}


def color_wanted(environ: Mapping[str, str], is_tty: bool) -> bool:
    """Return whether terminal output should be coloured: a TTY and no ``NO_COLOR``."""
    return is_tty and not environ.get("NO_COLOR")


def _ref(ref: ClauseRef | None) -> str:
    if ref is None:
        return ""
    return " ".join(x for x in (ref.number, ref.title) if x) or ref.id or "(title and preamble)"


def _version(clause: ClauseDiff) -> str:
    old, new = clause.old, clause.new
    if old and new and old.id and new.id and old.id != new.id:
        return f"{old.id}@{old.version} \u2192 {new.id}@{new.version}"
    ref = new or old
    if ref is None or not ref.id:
        return ""
    if old and new and old.version != new.version:
        return f"{ref.id} {old.version} \u2192 {new.version}"
    return f"{ref.id} {ref.version}".strip()


def _numbering(clause: ClauseDiff) -> str:
    old, new = clause.old, clause.new
    if old and new and old.number != new.number:
        return f"{old.number or '–'} \u2192 {new.number or '–'}"
    return (new or old).number if (new or old) else ""  # type: ignore[union-attr]


def _title(clause: ClauseDiff) -> str:
    if clause.kind == "front":
        return "(title and preamble)"
    return clause.ref.title


def _shown(result: DiffResult) -> Iterator[ClauseDiff]:
    """Yield the clauses worth showing: every difference, and version-only changes."""
    for clause in result.clauses:
        if clause.move == "from":
            continue
        versions = clause.old and clause.new and clause.old.version != clause.new.version
        if clause.status != "unchanged" or versions:
            yield clause


def _trim(text: str, where: str) -> str:
    """Return unchanged text cut to the context kept at the start, middle or end, at word breaks."""
    if len(text) <= 2 * _CONTEXT:
        return text
    head = text[:_CONTEXT].rsplit(" ", 1)[0] + " "
    tail = " " + text[-_CONTEXT:].split(" ", 1)[-1]
    if where == "start":
        return "\u2026" + tail
    if where == "end":
        return head + "\u2026"
    return head + "\u2026" + tail


# --------------------------------------------------------------------------
# Terminal


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_ANSI[style]}{text}{_ANSI['off']}" if color and text else text


def _inline_terminal(unit: UnitDiff, color: bool) -> str:
    parts: list[str] = []
    segs = unit.segments
    for k, seg in enumerate(segs):
        if seg.op == "equal":
            where = "start" if k == 0 else ("end" if k == len(segs) - 1 else "middle")
            parts.append(_trim(seg.new_text, where))
        elif seg.op == "format":
            parts.append(_paint(f"{{*{seg.new_text}*}}", "fmt", color) if not color
                         else _paint(seg.new_text, "fmt", color))
        elif seg.op == "typographic":
            parts.append(_paint(f"{{~{seg.old_text}\u2192{seg.new_text}~}}", "typo", color))
        else:
            if seg.old_text:
                parts.append(_paint(f"[-{seg.old_text}-]" if not color else seg.old_text, "del", color))
            if seg.new_text:
                parts.append(_paint(f"{{+{seg.new_text}+}}" if not color else seg.new_text, "ins", color))
    return "".join(parts)


def _unit_line(unit: UnitDiff, color: bool) -> str:
    label = (unit.new or unit.old).label if (unit.new or unit.old) else ""  # type: ignore[union-attr]
    if unit.old and unit.new and unit.old.label != unit.new.label and unit.old.label:
        label = f"{unit.old.label}\u2192{unit.new.label}"
    tag = {"added": "+", "removed": "-", "moved": "\u21c4", "changed": "~"}.get(unit.status, " ")
    text = _inline_terminal(unit, color)
    if unit.status == "moved":
        note = "moved here" if unit.move == "to" else "moved away"
        text = f"{_paint(f'({note}, move {unit.move_id})', 'move', color)} {text}"
    if unit.restyled and unit.old and unit.new:
        text += _paint(f" (was {unit.old.kind}{' ' + unit.old.style if unit.old.style else ''})",
                       "fmt", color)
    return f"  {tag} {label + ' ' if label else ''}{text}"


def render_terminal(result: DiffResult, color: bool = False) -> str:
    """Return the diff for a terminal: clause summary first, then the word changes.

    Without colour, deletions read ``[-…-]``, insertions ``{+…+}``,
    typographic changes ``{~old→new~}`` and formatting changes ``{*…*}``.
    """
    s = result.summary()
    c = result.change_counts()
    out = [_paint(f"diff {result.old.label} \u2192 {result.new.label}", "head", color)
           + f" (aligned by {result.aligned_by})",
           "clauses: " + ", ".join(f"{n} {k}" for k, n in s.items()),
           "changes: " + ", ".join(f"{n} {k}" for k, n in c.items())]
    out += [f"note: {n}" for n in (*result.notes, *result.old.notes, *result.new.notes)]
    out += [f"not compared: {line}" for line in coverage_warnings(result)]
    shown = list(_shown(result))
    if shown:
        out.append("")
        width = max(len(_numbering(x)) for x in shown)
        for clause in shown:
            status = clause.status + (" +text" if clause.status == "moved" and clause.text_changed else "")
            out.append(f"  {status:<13} {_numbering(clause):<{width}}  {_title(clause)}"
                       + (f"  [{_version(clause)}]" if _version(clause) else ""))
    for clause in shown:
        units = [u for u in clause.units if u.status != "unchanged"]
        if not units:
            continue
        out += ["", _paint(f"\u2500\u2500 {_ref(clause.new or clause.old)} ({clause.status})", "head", color)]
        if clause.status in ("added", "removed"):
            units = units[:1] if len(units) > 3 else units
        out += [_unit_line(u, color) for u in units]
        if clause.status in ("added", "removed") and len([u for u in clause.units]) > 3:
            out.append(f"  \u2026 {len(clause.units) - 1} more paragraphs {clause.status}")
    out += _side_notes_terminal(result.old, "OLD") + _side_notes_terminal(result.new, "NEW")
    return "\n".join(out) + "\n"


def _side_notes_terminal(side: Side, name: str) -> list[str]:
    out: list[str] = []
    if side.changes:
        out += ["", f"tracked changes left in {name} ({side.label}), compared as accepted:"]
        for ch in side.changes:
            out.append(f"  {ch.kind:<16} {ch.where or '-':<8} {ch.author} {ch.date[:10]}  {ch.text!r}")
    if side.comments:
        out += ["", f"comments in {name} ({side.label}):"]
        for cm in side.comments:
            out.append(f"  {cm.where or '-':<8} {cm.author} {cm.date[:10]}  on {cm.anchor!r}: {cm.text}")
    return out


# --------------------------------------------------------------------------
# HTML


_CSS = """
body{font-family:Georgia,serif;max-width:52em;margin:2em auto;line-height:1.45;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #ccc}
del{color:#b00;background:#fdd}ins{color:#070;background:#dfd;text-decoration:none}
.typo{background:#ffc;border-bottom:1px dotted #a80}.fmt{background:#eef;outline:1px dotted #66a}
.moved{border-left:4px solid #09c;padding-left:.6em}.label{color:#666;margin-right:.6em}
.status{font-family:sans-serif;font-size:.8em;color:#555;margin-left:.6em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
p.unit{margin:.4em 0}nav li{margin:.15em 0}
"""


class _Html:
    """Builds the HTML redline; numbers every change so the change list can link to it."""

    def __init__(self) -> None:
        self.changes: list[tuple[str, str, str]] = []  # anchor, where, description

    def anchor(self, where: str, description: str) -> str:
        name = f"change-{len(self.changes) + 1}"
        self.changes.append((name, where, description))
        return name

    def segment(self, seg: Segment, where: str) -> str:
        old, new = html.escape(seg.old_text), html.escape(seg.new_text)
        if seg.op == "equal":
            return new
        if seg.op == "typographic":
            a = self.anchor(where, f"typography: {seg.old_text} \u2192 {seg.new_text}")
            return f'<span class="typo" id="{a}" title="was {old}">{new}</span>'
        if seg.op == "format":
            a = self.anchor(where, f"formatting: {seg.new_text}")
            return f'<span class="fmt" id="{a}">{new}</span>'
        desc = {"insert": f"inserted \u201c{seg.new_text}\u201d",
                "delete": f"deleted \u201c{seg.old_text}\u201d"}.get(
            seg.op, f"\u201c{seg.old_text}\u201d \u2192 \u201c{seg.new_text}\u201d")
        a = self.anchor(where, desc)
        parts = [f'<span id="{a}"></span>']
        if old:
            parts.append(f"<del>{old}</del>")
        if new:
            parts.append(f"<ins>{new}</ins>")
        return "".join(parts)

    def unit(self, unit: UnitDiff, clause: ClauseDiff) -> str:
        shown = unit.new or unit.old
        assert shown is not None
        where = shown.label or _ref(clause.new or clause.old)
        label = html.escape(shown.label)
        if unit.old and unit.new and unit.old.label != unit.new.label and unit.old.label:
            label = f"<del>{html.escape(unit.old.label)}</del><ins>{html.escape(unit.new.label)}</ins>"
        if unit.status == "moved":
            a = self.anchor(where, f"paragraph moved (move {unit.move_id})")
            body = "".join(html.escape(s.new_text) for s in unit.segments) if unit.move == "to" else \
                "".join(html.escape(s.old_text) for s in unit.segments)
            note = "moved here" if unit.move == "to" else "moved away"
            return (f'<p class="unit moved" id="{a}"><span class="label">{label}</span> {body}'
                    f' <span class="status">{note} (move {unit.move_id})</span></p>')
        body = "".join(self.segment(s, where) for s in unit.segments)
        status = "" if unit.status == "unchanged" else f' <span class="status">{unit.status}</span>'
        return f'<p class="unit"><span class="label">{label}</span> {body}{status}</p>'

    def clause(self, clause: ClauseDiff) -> str:
        title = html.escape(_ref(clause.new or clause.old))
        version = html.escape(_version(clause))
        if clause.move == "from":
            a = self.anchor(_ref(clause.old), f"clause moved away (move {clause.move_id})")
            return (f'<section class="moved" id="{a}"><h2>{html.escape(_ref(clause.old))}'
                    f' <span class="status">moved away (move {clause.move_id})</span></h2></section>')
        head = f'<h2>{title} <span class="status">{clause.status} {version}</span></h2>'
        if clause.status == "moved":
            a = self.anchor(title, f"clause moved (move {clause.move_id})")
            head = head.replace("<h2>", f'<h2 id="{a}">', 1)
        units = "\n".join(self.unit(u, clause) for u in clause.units)
        cls = ' class="moved"' if clause.status == "moved" else ""
        return f"<section{cls}>{head}\n{units}</section>"


def render_html(result: DiffResult) -> str:
    """Return a standalone HTML redline of NEW against OLD, with a linked list of changes."""
    builder = _Html()
    body = "\n".join(builder.clause(c) for c in result.clauses)
    s = result.summary()
    rows = "".join(f"<tr><th>{k}</th><td>{n}</td></tr>" for k, n in s.items())
    dash = "\u2014"
    items = "".join(f'<li><a href="#{a}">{html.escape(where or dash)}</a>: {html.escape(d)}</li>'
                    for a, where, d in builder.changes)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in (*result.notes, *result.old.notes, *result.new.notes))
    sides = _side_notes_html(result.old, "OLD") + _side_notes_html(result.new, "NEW")
    title = html.escape(f"{result.old.label} \u2192 {result.new.label}")
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(_language(result))}"><head><meta charset="utf-8">'
            f"<title>Redline: {title}</title><style>{_CSS}</style></head><body>\n"
            f"<h1>Redline: {title}</h1>\n<p>Aligned by {html.escape(result.aligned_by)}.</p>\n"
            f"<table>{rows}</table>\n" + (f"<ul>{notes}</ul>\n" if notes else "")
            + f'<nav><h2>Changes ({len(builder.changes)})</h2><ol>{items}</ol></nav>\n'
            + sides + f"<main>\n{body}\n</main></body></html>\n")


def _language(result: DiffResult) -> str:
    doc = result.new.document or result.old.document
    return doc.language if doc is not None and doc.language else "sv"


def _side_notes_html(side: Side, name: str) -> str:
    out = ""
    if side.changes:
        rows = "".join(f"<tr><td>{html.escape(c.kind)}</td><td>{html.escape(c.where)}</td>"
                       f"<td>{html.escape(c.author)}</td><td>{html.escape(c.date)}</td>"
                       f"<td>{html.escape(c.text)}</td></tr>" for c in side.changes)
        out += (f"<h2>Tracked changes left in {name} ({html.escape(side.label)}), compared as accepted"
                f"</h2><table><tr><th>kind</th><th>where</th><th>author</th><th>date</th><th>text</th>"
                f"</tr>{rows}</table>\n")
    if side.comments:
        rows = "".join(f"<tr><td>{html.escape(c.where)}</td><td>{html.escape(c.author)}</td>"
                       f"<td>{html.escape(c.date)}</td><td>{html.escape(c.anchor)}</td>"
                       f"<td>{html.escape(c.text)}</td></tr>" for c in side.comments)
        out += (f"<h2>Comments in {name} ({html.escape(side.label)})</h2><table><tr><th>where</th>"
                f"<th>author</th><th>date</th><th>on</th><th>comment</th></tr>{rows}</table>\n")
    return out


# --------------------------------------------------------------------------
# JSON


def _ref_json(ref: ClauseRef | None) -> dict[str, str] | None:
    if ref is None:
        return None
    return {"number": ref.number, "title": ref.title, "id": ref.id, "version": ref.version}


def _unit_json(unit: UnitDiff) -> dict[str, Any]:
    return {
        "status": unit.status, "move": unit.move, "move_id": unit.move_id,
        "kind": (unit.new or unit.old).kind if (unit.new or unit.old) else "",  # type: ignore[union-attr]
        "old_label": unit.old.label if unit.old else None,
        "new_label": unit.new.label if unit.new else None,
        "old_text": unit.old.text if unit.old else None,
        "new_text": unit.new.text if unit.new else None,
        "restyled": unit.restyled,
        "changes": [{"op": s.op, "old": s.old_text, "new": s.new_text} for s in unit.changes],
    }


def coverage_complete(result: DiffResult) -> bool:
    """Return whether every word of both input files was compared (sides that are no files count as whole)."""
    return all(s.coverage is None or s.coverage.complete for s in (result.old, result.new))


def coverage_warnings(result: DiffResult) -> list[str]:
    """Return one line per input file that was not compared whole: how many words, in which parts."""
    out: list[str] = []
    for side in (result.old, result.new):
        cov = side.coverage
        if cov is None or cov.complete:
            continue
        parts = ", ".join(f"{name}: {n}" for name, n in cov.uncovered.items())
        out.append(f"{side.label}: {cov.missing} of {cov.present} words were not compared ({parts}); "
                   f"for example: {' '.join(cov.sample[:8])}")
    return out


def _coverage_json(side: Side) -> dict[str, Any] | None:
    cov = side.coverage
    if cov is None:
        return None
    return {"present": cov.present, "read": cov.read, "skipped": cov.skipped, "uncovered": cov.missing,
            "parts": dict(cov.uncovered), "sample": list(cov.sample)}


def _side_json(side: Side) -> dict[str, Any]:
    m = side.manifest
    return {
        "label": side.label, "kind": side.kind,
        "manifest": None if m is None else {"agreement": m.agreement, "agreement_version": m.agreement_version,
                                             "assembled": m.assembled, "language": m.language},
        "tracked_changes": [{"kind": c.kind, "author": c.author, "date": c.date, "text": c.text,
                             "where": c.where} for c in side.changes],
        "comments": [{"id": c.id, "author": c.author, "date": c.date, "text": c.text,
                      "anchor": c.anchor, "where": c.where} for c in side.comments],
        "notes": list(side.notes),
    }


def result_to_json(result: DiffResult) -> dict[str, Any]:
    """Return the diff as a JSON-ready dict, valid against ``schemas/diff.schema.json``."""
    return {
        "format": DIFF_FORMAT,
        "old": _side_json(result.old),
        "new": _side_json(result.new),
        "aligned_by": result.aligned_by,
        "differs": result.differs,
        "summary": result.summary(),
        "changes": result.change_counts(),
        "notes": list(result.notes),
        "coverage": {"old": _coverage_json(result.old), "new": _coverage_json(result.new),
                     "complete": coverage_complete(result)},
        "clauses": [{
            "status": c.status, "kind": c.kind, "move": c.move, "move_id": c.move_id,
            "text_changed": c.text_changed, "old": _ref_json(c.old), "new": _ref_json(c.new),
            "paragraphs": [_unit_json(u) for u in c.units if u.status != "unchanged"],
        } for c in result.clauses],
    }


# --------------------------------------------------------------------------
# Library comparison


def render_versions_terminal(changes: Sequence[VersionChange], color: bool = False) -> str:
    """Return the clauses and blueprints whose versions changed, each followed by its redline."""
    if not changes:
        return "no clause or blueprint versions changed\n"
    out: list[str] = []
    for ch in changes:
        versions = f"{ch.old_version or '–'} \u2192 {ch.new_version or '–'}"
        state = "added" if not ch.old_version else ("removed" if not ch.new_version else "changed")
        out.append(_paint(f"{ch.kind} {ch.id}: {versions} ({state})", "head", color))
    for ch in changes:
        if ch.result is not None and ch.result.differs:
            out += ["", _paint(f"\u2550\u2550 {ch.kind} {ch.id} {ch.old_version} \u2192 {ch.new_version}",
                               "head", color)]
            out.append(render_terminal(ch.result, color).rstrip("\n"))
    return "\n".join(out) + "\n"


def versions_to_json(changes: Sequence[VersionChange]) -> list[dict[str, Any]]:
    """Return the version changes as JSON-ready dicts, each redline as :func:`result_to_json` gives it."""
    return [{"kind": ch.kind, "id": ch.id, "old_version": ch.old_version or None,
             "new_version": ch.new_version or None,
             "diff": result_to_json(ch.result) if ch.result is not None else None} for ch in changes]
