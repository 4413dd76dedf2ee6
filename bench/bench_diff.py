"""Benchmark: compare two ~200-page agreements and write the tracked-changes DOCX.

The pair is synthetic and deterministic: about 100,000 words of repetitive
Swedish contract prose in 60 numbered clauses; NEW has about 1 % of its
words edited (replaced, inserted or deleted), three clauses moved and
everything renumbered, as the layout stage would.  Prints the median time
of ``diff_documents`` + ``write_tracked_docx`` (the figure the issue sets at
≤ 1 s), its parts, and the same pair through :mod:`difflib` over the words
for contrast (time, and how many words its changed regions hold against the
words inside the changes we report).

    python bench/bench_diff.py [--runs N] [--words N] [--readers]
"""

from __future__ import annotations

import argparse
import difflib
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

from assembler.compare.diff import diff_documents
from assembler.compare.present import render_html, render_terminal, result_to_json
from assembler.compare.tracked_docx import write_tracked_docx
from assembler.model import (
    Agreement,
    Clause,
    ClauseStamp,
    Document,
    ItemList,
    ListItem,
    Manifest,
    Paragraph,
    Span,
)

_WORDS = ["part", "parterna", "staden", "bolaget", "avtalet", "projektet", "resultatet", "information", "uppgifter", "enligt", "ska", "får", "inte", "utan", "med", "till", "för", "av", "om", "och", "eller", "samt", "som", "den", "det", "denna", "detta", "dessa", "skriftligen", "underrätta", "andra", "parten", "rätt", "skyldighet", "kostnader", "ersättning", "ansvar", "skada", "sekretess", "offentlighet", "upphandling", "leverantör", "immateriella", "rättigheter", "licens", "nyttjande", "genomförande", "utveckling", "test", "miljö", "personuppgifter", "behandling", "biträde", "ändring", "tillägg", "uppsägning", "avtalstid", "dagar", "månader", "skäl", "tvist", "domstol", "svensk", "lag", "tillämpas", "gäller", "från", "med", "anledning", "härav", "särskilt", "vad", "som", "anges", "punkt", "bilaga", "nedan", "ovan", "respektive"]
_RARE = ["innovationsplattform", "kvartalsvis", "testbädd", "delrapport", "slutrapport", "styrgrupp", "projektledare", "kontaktperson", "informationslogg", "marknadsdialog"]


def _sentence(rng: random.Random) -> str:
    # Zipf-like choice: a few words dominate, as in legal prose.
    n = rng.randint(9, 26)
    words = [_WORDS[min(int(rng.paretovariate(0.9)) - 1, len(_WORDS) - 1)] if rng.random() < 0.7
             else rng.choice(_WORDS) for _ in range(n)]
    if rng.random() < 0.3:
        words[rng.randrange(n)] = rng.choice(_RARE)
    if rng.random() < 0.2:
        words.append(str(rng.randint(1, 90)))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _paragraph_text(rng: random.Random, words: int) -> str:
    out: list[str] = []
    count = 0
    while count < words:
        s = _sentence(rng)
        out.append(s)
        count += len(s.split())
    return " ".join(out)


def long_document(words: int = 100_000, clauses: int = 60, seed: int = 7) -> Document:
    """Return a deterministic synthetic agreement of about ``words`` words."""
    rng = random.Random(seed)
    per_clause = words // clauses
    out: list[Clause] = []
    for c in range(clauses):
        blocks: list[Paragraph | ItemList] = []
        used = 0
        p = 0
        while used < per_clause:
            p += 1
            size = rng.randint(60, 220)
            text = _paragraph_text(rng, size)
            spans: tuple[Span, ...] = (Span(text),)
            if rng.random() < 0.25:
                target = rng.randrange(clauses)
                spans = (Span(text + " Se punkt "), Span(str(target + 1), kind="ref", target=f"k{target}"),
                         Span("."))
            blocks.append(Paragraph(spans, f"{c + 1}.{p}"))
            used += len(text.split())
            if rng.random() < 0.15:
                items = tuple(ListItem((Span(_sentence(rng)),), f"({chr(97 + i)})") for i in range(3))
                blocks.append(ItemList(items, "letter"))
                used += sum(len(i.spans[0].text.split()) for i in items)
        title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3))).capitalize() + f" {c}"
        out.append(Clause(str(c + 1), title, tuple(blocks), id=f"k{c}", version="1.0.0"))
    return Document(language="sv", title="Avtal om offentlig-privat innovation", clauses=tuple(out),
                    reference="KS 2026/0412")


def _edit_text(text: str, rng: random.Random, rate: float) -> tuple[str, int]:
    words = text.split(" ")
    out: list[str] = []
    edits = 0
    for w in words:
        roll = rng.random()
        if roll < rate * 0.7:
            out.append(rng.choice(_WORDS + _RARE))
            edits += 1
        elif roll < rate * 0.85:
            edits += 1
        elif roll < rate:
            out += [w, rng.choice(_WORDS)]
            edits += 1
        else:
            out.append(w)
    return " ".join(out), edits


def edited_document(doc: Document, *, rate: float = 0.01,
                    moves: tuple[tuple[int, int], ...] = ((4, 11), (20, 33), (45, 8)),
                    seed: int = 11) -> tuple[Document, int]:
    """Return NEW: ``rate`` of the words edited, clauses moved (from, to; 0-based), renumbered.

    Also return how many word edits were made.
    """
    rng = random.Random(seed)
    edits = 0
    clauses: list[Clause] = []
    for clause in doc.clauses:
        blocks: list[Paragraph | ItemList] = []
        for block in clause.blocks:
            if isinstance(block, Paragraph):
                first, n = _edit_text(block.spans[0].text, rng, rate)
                edits += n
                blocks.append(replace(block, spans=(replace(block.spans[0], text=first),) + block.spans[1:]))
            else:
                blocks.append(block)
        clauses.append(replace(clause, blocks=tuple(blocks)))
    for src, dst in moves:
        clauses.insert(dst, clauses.pop(src))
    return renumber(replace(doc, clauses=tuple(clauses))), edits


def renumber(doc: Document) -> Document:
    """Return the document with clauses, sub-clauses and cross-references numbered in order."""
    number = {c.id: str(k + 1) for k, c in enumerate(doc.clauses)}
    out: list[Clause] = []
    for k, clause in enumerate(doc.clauses):
        blocks: list[Paragraph | ItemList] = []
        p = 0
        for block in clause.blocks:
            if isinstance(block, Paragraph):
                p += 1
                spans = tuple(replace(s, text=number[s.target]) if s.kind == "ref" and s.target else s
                              for s in block.spans)
                blocks.append(Paragraph(spans, f"{k + 1}.{p}"))
            else:
                blocks.append(block)
        out.append(replace(clause, number=str(k + 1), blocks=tuple(blocks)))
    return replace(doc, clauses=tuple(out))


def agreement_of(doc: Document) -> Agreement:
    """Return a one-language agreement around a document, with a matching manifest."""
    manifest = Manifest("opi-innovation", "1.0.0", doc.language, "2026-03-01",
                        tuple(ClauseStamp(c.id, c.version, "0" * 64) for c in doc.clauses),
                        "0" * 64, "0.1.0", reference=doc.reference)
    return Agreement((doc,), manifest)


def _words(doc: Document) -> list[str]:
    out: list[str] = []
    for clause in doc.clauses:
        out += [clause.number, *clause.title.split()]
        for block in clause.blocks:
            items = block.items if isinstance(block, ItemList) else (block,)
            for item in items:
                out += "".join(s.text for s in item.spans).split()
    return out


def median(fn: Callable[[], object], runs: int) -> float:
    return timed(fn, runs)[0]


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Return the median wall-clock time of ``fn`` and its median CPU time (less inflated by other processes)."""
    walls, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--readers", action="store_true", help="also time reading our DOCX and PDF back")
    args = parser.parse_args()

    old = long_document(args.words)
    new, edits = edited_document(old)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (timings are inflated by load)")
    print(f"pair: {len(_words(old)):,} / {len(_words(new)):,} words, {len(old.clauses)} clauses, "
          f"{edits} word edits, 3 clauses moved")
    result = diff_documents(old, new)
    s, c = result.summary(), result.change_counts()
    print(f"found: clauses {s}; changes {c}")

    t_total = timed(lambda: write_tracked_docx(diff_documents(old, new)), args.runs)
    t_diff = timed(lambda: diff_documents(old, new), args.runs)
    t_docx = timed(lambda: write_tracked_docx(result), args.runs)
    print(f"diff + tracked DOCX:   {t_total[0] * 1000:8.1f} ms median (target <= 1000 ms), CPU {t_total[1] * 1000:8.1f} ms")
    print(f"  diff_documents:      {t_diff[0] * 1000:8.1f} ms                          CPU {t_diff[1] * 1000:8.1f} ms")
    print(f"  write_tracked_docx:  {t_docx[0] * 1000:8.1f} ms                          CPU {t_docx[1] * 1000:8.1f} ms")
    for name, fn in (("terminal", lambda: render_terminal(result)), ("html", lambda: render_html(result)),
                     ("json", lambda: result_to_json(result))):
        print(f"  render {name:<13} {median(fn, args.runs) * 1000:8.1f} ms")

    a, b = _words(old), _words(new)
    ours = sum(len(seg.old_text.split()) + len(seg.new_text.split())
               for clause in result.clauses if clause.move != "from"
               for unit in clause.units for seg in unit.changes)
    print(f"  words inside reported changes: {ours:,} (old + new side)")
    t0 = time.perf_counter()
    matcher = difflib.SequenceMatcher(None, a, b)  # the default: autojunk on
    opcodes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    t_difflib = time.perf_counter() - t0
    theirs = sum((i2 - i1) + (j2 - j1) for _, i1, i2, j1, j2 in opcodes)
    print(f"difflib over words (autojunk): {t_difflib * 1000:8.1f} ms (one run), {len(opcodes)} changed regions "
          f"holding {theirs:,} words (each moved clause is a deletion plus an insertion)")
    if args.readers:
        from assembler.readers.docx import read_docx
        from assembler.readers.pdf import read_pdf
        from assembler.writers.docx import write_docx
        from assembler.writers.pdf import write_pdf

        docx_bytes = write_docx(agreement_of(new))
        pdf_bytes = write_pdf(agreement_of(new))
        print(f"read our DOCX back:    {median(lambda: read_docx(docx_bytes), 3) * 1000:8.1f} ms")
        _pdf_side_by_side(pdf_bytes, read_pdf, args.runs)


def _pdf_side_by_side(pdf_bytes: bytes, read_pdf: Callable[[bytes], object], runs: int) -> None:
    """Time our PDF reader against pypdf's own extract_text of every page of the same file."""
    import io

    from pypdf import PdfReader

    def plain() -> list[str]:
        return [page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages]

    pages = len(PdfReader(io.BytesIO(pdf_bytes)).pages)
    t_pypdf, t_ours = 0.0, 0.0
    for _ in range(runs):  # interleaved, so machine load falls on both alike
        t_pypdf += median(plain, 1)
        t_ours += median(lambda: read_pdf(pdf_bytes), 1)
    print(f"read a {pages}-page PDF: ours {t_ours / runs * 1000:8.1f} ms, pypdf extract_text "
          f"{t_pypdf / runs * 1000:8.1f} ms, ratio {t_ours / t_pypdf:.2f} (target <= 1.20)")


if __name__ == "__main__":
    main()
