"""HTML output: a standalone, printable page; side by side as a two-column table."""

from __future__ import annotations

from html import escape

from assembler.manifest import manifest_to_json
from assembler.model import Agreement, Block, Clause, Document, ItemList, Paragraph, Signature, Span

CSS = """
@page { size: A4; margin: 25mm 22mm; }
body { font-family: Georgia, 'Times New Roman', serif; font-size: 11pt; line-height: 1.45;
       max-width: 52em; margin: 2em auto; color: #111; }
h1 { font-size: 18pt; margin-bottom: .2em; }
h2 { font-size: 12.5pt; margin: 1.4em 0 .4em; page-break-after: avoid; break-after: avoid; }
p.ref, p.draft { color: #555; margin-top: 0; }
p.draft { color: #b00; font-weight: bold; letter-spacing: .1em; }
.num { display: inline-block; min-width: 2.6em; }
p.sub { margin: .4em 0 .4em 0; padding-left: 2.6em; text-indent: -2.6em; }
ul, ol.letter { margin: .2em 0 .6em 2.6em; padding-left: 1.4em; }
ol.letter { list-style: none; padding-left: 0; }
ol.letter li { padding-left: 2em; text-indent: -2em; }
.term { font-style: normal; }
a.xref { color: inherit; text-decoration: none; border-bottom: 1px dotted #888; }
table.sig { width: 100%; border-collapse: collapse; margin-top: 1em; page-break-inside: avoid; }
table.sig td { width: 50%; vertical-align: top; padding: .6em 1em 1.6em 0; }
.line { border-bottom: 1px solid #000; height: 2.2em; margin-bottom: .2em; }
.label { font-size: 9pt; color: #444; }
table.sbs { width: 100%; border-collapse: collapse; }
table.sbs td { width: 50%; vertical-align: top; padding: 0 .8em .3em 0; }
table.sbs td + td { padding: 0 0 .3em .8em; border-left: 1px solid #ccc; }
@media print { body { margin: 0; max-width: none; } a.xref { border: none; } }
"""


def _inline(spans: tuple[Span, ...]) -> str:
    out = []
    for s in spans:
        text = escape(s.text)
        if s.kind == "ref" and s.target and not s.target.startswith("appendix:"):
            text = f'<a class="xref" href="#clause-{escape(s.target.split(":")[0])}">{text}</a>'
        elif s.kind == "term":
            text = f'<span class="term">{text}</span>'
        if s.bold:
            text = f"<strong>{text}</strong>"
        if s.italic:
            text = f"<em>{text}</em>"
        out.append(text)
    return "".join(out)


def _block(b: Block) -> str:
    if isinstance(b, Paragraph):
        if b.number:
            return f'<p class="sub" id="p-{escape(b.number)}"><span class="num">{escape(b.number)}</span>{_inline(b.spans)}</p>'
        return f"<p>{_inline(b.spans)}</p>"
    assert isinstance(b, ItemList)
    if b.style == "letter":
        items = "".join(f"<li>{escape(i.label)}&#9;{_inline(i.spans)}</li>" for i in b.items)
        return f'<ol class="letter">{items}</ol>'
    return "<ul>" + "".join(f"<li>{_inline(i.spans)}</li>" for i in b.items) + "</ul>"


def _heading(c: Clause) -> str:
    return f'<h2 id="clause-{escape(c.id or c.number)}"><span class="num">{escape(c.number)}</span>{escape(c.title)}</h2>'


def _signatures(doc: Document, sigs: tuple[Signature, ...], labels: list[Document]) -> str:
    def lab(attr: str) -> str:
        return " / ".join(escape(getattr(d.labels, attr)) for d in labels)
    cells = []
    for s in sigs:
        cells.append(
            f"<td><strong>{escape(s.party)}</strong><br>{escape(s.orgnr)}"
            f'<div class="line">{escape(", ".join(v for v in (s.place, s.date) if v))}</div>'
            f'<div class="label">{lab("place_date")}</div>'
            f'<div class="line"></div><div class="label">{lab("signature")}</div>'
            f'<div class="line">{escape(s.signatory)}</div><div class="label">{lab("name_clarification")}</div>'
            f'<div class="line">{escape(s.signatory_title)}</div><div class="label">{lab("title")}</div></td>')
    rows = ["<tr>" + "".join(cells[i:i + 2]) + "</tr>" for i in range(0, len(cells), 2)]
    return f'<h2>{lab("signatures")}</h2><table class="sig">{"".join(rows)}</table>'


def _head(doc: Document, agreement: Agreement, lang: str) -> str:
    meta = ""
    if doc.properties:
        p = doc.properties
        meta = (f'<meta name="description" content="{escape(p.subject)}">'
                f'<meta name="keywords" content="{escape(", ".join(p.keywords))}">'
                f'<meta name="author" content="{escape(p.author)}">')
    manifest = escape(manifest_to_json(agreement.manifest).replace("</", "<\\/"), quote=False)
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(doc.title)}</title>\n{meta}\n<style>{CSS}</style>\n"
            f'<script type="application/json" id="assembler-manifest">{manifest}</script>\n</head>\n<body>\n')


def _single(doc: Document, agreement: Agreement) -> str:
    parts = [_head(doc, agreement, doc.language), f"<h1>{escape(doc.title)}</h1>"]
    if doc.draft:
        parts.append(f'<p class="draft">{escape(doc.labels.draft)}</p>')
    if doc.reference:
        parts.append(f'<p class="ref">{escape(doc.labels.reference)}: {escape(doc.reference)}</p>')
    for c in doc.clauses:
        parts.append(_heading(c))
        parts += [_block(b) for b in c.blocks]
    if doc.appendices:
        parts.append(f"<h2>{escape(doc.labels.appendices)}</h2><ul>")
        parts += [f"<li>{escape(a.label)} – {escape(a.title)}</li>" for a in doc.appendices]
        parts.append("</ul>")
    parts.append(_signatures(doc, doc.signatures, [doc]))
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


def _side_by_side(agreement: Agreement) -> str:
    docs = agreement.documents
    first = docs[0]

    def row(cells: list[str]) -> str:
        return "<tr>" + "".join(f'<td lang="{d.language}">{c}</td>' for d, c in zip(docs, cells)) + "</tr>"

    parts = [_head(first, agreement, first.language), '<table class="sbs">']
    parts.append(row([f"<h1>{escape(d.title)}</h1>" for d in docs]))
    if first.draft:
        parts.append(row([f'<p class="draft">{escape(d.labels.draft)}</p>' for d in docs]))
    if first.reference:
        parts.append(row([f'<p class="ref">{escape(d.labels.reference)}: {escape(d.reference)}</p>' for d in docs]))
    for i, c in enumerate(first.clauses):
        parts.append(row([_heading(d.clauses[i]) for d in docs]))
        for j in range(len(c.blocks)):
            parts.append(row([_block(d.clauses[i].blocks[j]) for d in docs]))
    if first.appendices:
        parts.append(row([f"<h2>{escape(d.labels.appendices)}</h2>" for d in docs]))
        for k in range(len(first.appendices)):
            parts.append(row([f"<p>{escape(d.appendices[k].label)} – {escape(d.appendices[k].title)}</p>" for d in docs]))
    parts.append("</table>")
    parts.append(_signatures(first, first.signatures, list(docs)))
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


def write_html(agreement: Agreement) -> bytes:
    """Return the agreement as a standalone UTF-8 HTML page with printable CSS."""
    if agreement.side_by_side:
        return _side_by_side(agreement).encode("utf-8")
    return _single(agreement.documents[0], agreement).encode("utf-8")
