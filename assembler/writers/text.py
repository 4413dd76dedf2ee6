"""Plain text output: the agreement for terminals, e-mail and diffing."""

from __future__ import annotations

from assembler.model import Agreement, Document, ItemList, Paragraph, spans_text


def document_text(doc: Document) -> str:
    """Return one language's document as plain text."""
    lines = [doc.title.upper()]
    if doc.draft:
        lines.append(doc.labels.draft)
    if doc.reference:
        lines.append(f"{doc.labels.reference}: {doc.reference}")
    for clause in doc.clauses:
        lines += ["", f"{clause.number} {clause.title}"]
        for b in clause.blocks:
            if isinstance(b, Paragraph):
                text = spans_text(b.spans)
                lines += ["", f"{b.number} {text}" if b.number else text]
            elif isinstance(b, ItemList):
                lines.append("")
                for item in b.items:
                    lines.append(f"    {item.label or '•'} {spans_text(item.spans)}")
    if doc.appendices:
        lines += ["", doc.labels.appendices, ""]
        lines += [f"{a.label} – {a.title}" for a in doc.appendices]
    if doc.signatures:
        lines += ["", doc.labels.signatures]
        for s in doc.signatures:
            lines += ["", f"{s.party} ({s.orgnr})",
                      f"{doc.labels.place_date}: {', '.join(v for v in (s.place, s.date) if v) or '_' * 30}",
                      f"{doc.labels.signature}: {'_' * 30}",
                      f"{doc.labels.name_clarification}: {s.signatory}",
                      f"{doc.labels.title}: {s.signatory_title}"]
    return "\n".join(lines) + "\n"


def write_text(agreement: Agreement) -> bytes:
    """Return the agreement as UTF-8 plain text; several languages follow one another."""
    return ("\n" + "=" * 72 + "\n\n").join(document_text(d) for d in agreement.documents).encode("utf-8")
