"""Markdown output: the agreement as CommonMark for review and diffing."""

from __future__ import annotations

import re

from assembler.model import Agreement, Block, Document, ItemList, Paragraph, Span

_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_LINE_START = re.compile(r"^([#>+\-=|]|\d+[.)])")


def escape_md(text: str) -> str:
    """Return text that CommonMark renders literally, changed as little as possible."""
    text = text.replace("\\", "\\\\")
    text = _TAG_START.sub(r"\\<", text)
    for ch in "*_`":
        if text.count(ch) >= 2 or (ch == "`" and ch in text):
            text = text.replace(ch, "\\" + ch)
    text = text.replace("[", "\\[")
    return text


def _inline(spans: tuple[Span, ...]) -> str:
    out = []
    for s in spans:
        t = escape_md(s.text)
        if not t:
            continue
        lead = t[: len(t) - len(t.lstrip())]
        trail = t[len(t.rstrip()):]
        core = t.strip()
        if core and s.bold and s.italic:
            core = f"***{core}***"
        elif core and s.bold:
            core = f"**{core}**"
        elif core and s.italic:
            core = f"*{core}*"
        out.append(lead + core + trail)
    return "".join(out)


def _para_start(text: str) -> str:
    return _LINE_START.sub(lambda m: "\\" + m.group(1) if len(m.group(1)) == 1 else m.group(1)[:-1] + "\\" + m.group(1)[-1], text)


def _blocks(blocks: tuple[Block, ...]) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            text = _inline(b.spans)
            out.append(f"**{b.number}** {text}" if b.number else _para_start(text))
        elif isinstance(b, ItemList):
            lines = []
            for item in b.items:
                text = _inline(item.spans)
                lines.append(f"- {item.label} {text}" if item.label else f"- {text}")
            out.append("\n".join(lines))
    return out


def document_markdown(doc: Document) -> str:
    """Return one language's document as Markdown text."""
    parts = [f"# {escape_md(doc.title)}"]
    if doc.draft:
        parts.append(f"**{doc.labels.draft}**")
    if doc.reference:
        parts.append(f"{doc.labels.reference}: {escape_md(doc.reference)}")
    for clause in doc.clauses:
        parts.append(f"## {clause.number}. {escape_md(clause.title)}")
        parts += _blocks(clause.blocks)
    if doc.appendices:
        parts.append(f"## {doc.labels.appendices}")
        parts.append("\n".join(f"- {a.label} – {escape_md(a.title)}" for a in doc.appendices))
    if doc.signatures:
        parts.append(f"## {doc.labels.signatures}")
        for s in doc.signatures:
            parts.append("\n".join([
                f"**{escape_md(s.party)}** ({s.orgnr})", "",
                f"{doc.labels.place_date}: {escape_md(', '.join(v for v in (s.place, s.date) if v)) or '_' * 30}", "",
                f"{doc.labels.signature}: {'_' * 30}", "",
                f"{doc.labels.name_clarification}: {escape_md(s.signatory)}", "",
                f"{doc.labels.title}: {escape_md(s.signatory_title)}",
            ]))
    return "\n\n".join(parts) + "\n"


def write_markdown(agreement: Agreement) -> bytes:
    """Return the agreement as UTF-8 Markdown; side-by-side languages follow one another."""
    return "\n---\n\n".join(document_markdown(d) for d in agreement.documents).encode("utf-8")
