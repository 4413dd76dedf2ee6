"""Edits to an exported clause DOCX made the way Word makes them (python-docx and WordprocessingML elements).

Used by the clause import tests and by the end-to-end test in a fresh
virtual environment, so it imports nothing from assembler.
"""

from __future__ import annotations

import copy
import io

import docx
from docx.oxml.ns import qn


def _save(document: docx.document.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def paragraph_with(document: docx.document.Document, needle: str) -> docx.text.paragraph.Paragraph:
    """Return the first body paragraph whose text holds ``needle``."""
    for p in document.paragraphs:
        if needle in "".join(t.text or "" for t in p._p.iter(qn("w:t"))):
            return p
    raise AssertionError(f"no paragraph holds {needle!r}")


def replace_word(data: bytes, old: str, new: str) -> bytes:
    """Change a word inside a paragraph's text run, as typing over it does."""
    document = docx.Document(io.BytesIO(data))
    for t in document.element.body.iter(qn("w:t")):
        if old in (t.text or "") and t.getparent().getparent().tag != qn("w:sdtContent"):
            t.text = t.text.replace(old, new, 1)
            return _save(document)
    raise AssertionError(f"no text run holds {old!r}")


def tracked_insertion(data: bytes, after: str, text: str, author: str, date: str = "2026-12-01T10:00:00Z") -> bytes:
    """Insert ``text`` as a tracked change by ``author`` at the end of the paragraph holding ``after``."""
    document = docx.Document(io.BytesIO(data))
    p = paragraph_with(document, after)
    ins = p._p.makeelement(qn("w:ins"), {qn("w:id"): "901", qn("w:author"): author, qn("w:date"): date})
    r = ins.makeelement(qn("w:r"), {})
    t = r.makeelement(qn("w:t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    t.text = text
    r.append(t)
    ins.append(r)
    p._p.append(ins)
    return _save(document)


def tracked_deletion(data: bytes, word: str, author: str) -> bytes:
    """Delete ``word`` as a tracked change: split its run and wrap the word in w:del with w:delText."""
    document = docx.Document(io.BytesIO(data))
    for t in document.element.body.iter(qn("w:t")):
        if word in (t.text or "") and t.getparent().getparent().tag != qn("w:sdtContent"):
            run = t.getparent()
            before, _, after = t.text.partition(word)
            t.text = before
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            gone = copy.deepcopy(run)
            gone_t = gone.find(qn("w:t"))
            gone_t.tag = qn("w:delText")
            gone_t.text = word
            deletion = run.makeelement(qn("w:del"), {qn("w:id"): "902", qn("w:author"): author,
                                                      qn("w:date"): "2026-12-01T10:00:00Z"})
            deletion.append(gone)
            rest = copy.deepcopy(run)
            rest.find(qn("w:t")).text = after
            run.addnext(deletion)
            deletion.addnext(rest)
            return _save(document)
    raise AssertionError(f"no text run holds {word!r}")


def comment(data: bytes, on: str, text: str, author: str) -> bytes:
    """Add a comment by ``author`` on the paragraph holding ``on``."""
    document = docx.Document(io.BytesIO(data))
    p = paragraph_with(document, on)
    runs = [r for r in p.runs if r.text] or p.runs
    document.add_comment(runs, text=text, author=author, initials="".join(w[0] for w in author.split()))
    return _save(document)


def remove_control(data: bytes, shown: str) -> bytes:
    """Delete the content control showing ``shown`` (as a user who unlocked it would)."""
    document = docx.Document(io.BytesIO(data))
    for sdt in document.element.body.iter(qn("w:sdt")):
        if "".join(t.text or "" for t in sdt.iter(qn("w:t"))) == shown:
            sdt.getparent().remove(sdt)
            return _save(document)
    raise AssertionError(f"no control shows {shown!r}")


def duplicate_control(data: bytes, shown: str) -> bytes:
    """Paste a copy of the content control showing ``shown`` right after it."""
    document = docx.Document(io.BytesIO(data))
    for sdt in document.element.body.iter(qn("w:sdt")):
        if "".join(t.text or "" for t in sdt.iter(qn("w:t"))) == shown:
            sdt.addnext(copy.deepcopy(sdt))
            return _save(document)
    raise AssertionError(f"no control shows {shown!r}")


def alter_control(data: bytes, shown: str, new: str) -> bytes:
    """Type over the content of the control showing ``shown``."""
    document = docx.Document(io.BytesIO(data))
    for sdt in document.element.body.iter(qn("w:sdt")):
        texts = list(sdt.iter(qn("w:t")))
        if "".join(t.text or "" for t in texts) == shown:
            texts[0].text = new
            return _save(document)
    raise AssertionError(f"no control shows {shown!r}")
