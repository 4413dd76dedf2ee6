"""Benchmark for many agreements and large ones, side by side with the peers, in one run (issue 16).

    python bench/bench_scale.py [--agreements 1000] [--pages 200,1000] [--registered 100000] [--files 10000]
                                [--runs 5] [--only batch,docxtpl,scale,basic,register,scan]

- batch: ``assembler build sheet.csv --base basic.yaml -j 2`` for N agreements to DOCX, then DOCX+PDF, recorded
  in a SQLite register; docxtpl (a bench-only dependency: ``pip install '.[bench]'``) renders a comparable
  document N times in a 2-process pool.  Beside the batch: reportlab's own time for the basic agreement's words
  (the ``basic`` baseline) times N over two cores: a batch to PDF drawing every agreement from scratch.
- scale: time per page and peak memory (max RSS of a fresh process) writing a 200- and a 1,000-page agreement
  to DOCX and PDF, beside python-docx and reportlab writing the same words themselves.
- basic: the basic example to PDF, beside reportlab drawing the same words in the same fonts.

scale and basic time one agreement built alone: nothing an earlier build kept for later ones is reused
(:func:`forget_kept`), and the large agreements repeat no paragraph.
- register: where-used over N registered agreements (SQLite).  scan: where-used over a folder of N files.

Wall times are medians of ``--runs`` runs except the batch and scan, run once each (they take seconds).
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BASIC = REPO / "examples" / "basic.yaml"
FONTS = REPO / "assembler" / "resources" / "fonts"
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests"))


def median_s(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes: a figure a busy machine does not inflate."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def orgnr(n: int) -> str:
    """Return a valid organisationsnummer 55xxxxx-xxxC for ``n`` (Luhn check digit)."""
    body = f"556{n:06d}"
    total = sum(d if i % 2 else (2 * d if 2 * d < 10 else 2 * d - 9) for i, d in enumerate(map(int, body)))
    return f"{body[:6]}-{body[6:]}{(10 - total % 10) % 10}"


def write_sheet(path: Path, count: int) -> None:
    party = "private_parties[0]."
    lines = [",".join(["reference"] + [party + f for f in ("name", "orgnr", "address", "contact.name", "contact.email",
                                                           "contact.phone", "signatory.name", "signatory.title")])]
    lines += [f"KS 2026/{n:05d},Företag {n} AB,{orgnr(n)},Storgatan {n} Göteborg,Kontakt {n},k{n}@example.org,"
              f"'070-{n:07d},Person {n},VD" for n in range(1, count + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def forget_kept() -> None:
    """Forget what earlier builds in this process left for later ones (line breaks and parsed markup of PDF
    paragraphs, paragraph XML, resolved spans): the next build costs what one agreement built alone costs.
    A batch gains from them; a figure of one agreement must not."""
    from assembler.assembly import layout
    from assembler.writers import docx_memory, pdf_para
    pdf_para.KeptLines._TABLE.clear()
    pdf_para._PARSED.clear()
    docx_memory._PARAGRAPHS.clear()
    layout._RESOLVED.clear()


# --- batch and docxtpl ---------------------------------------------------------------------------------------------

def bench_batch(count: int, tmp: Path) -> None:
    sheet = tmp / "agreements.csv"
    write_sheet(sheet, count)
    for formats, target in (("docx", 8.0), ("docx,pdf", 25.0)):
        out = tmp / f"batch-{formats.replace(',', '-')}"
        command = [sys.executable, "-m", "assembler", "build", str(sheet), "--base", str(BASIC), "-j", "2", "--quiet",
                   "--format", formats, "-o", str(out), "--as-of", "2026-03-01", "--register", str(out / "reg.sqlite3")]
        t0, cpu0 = time.perf_counter(), _children_cpu()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
        status = "ok" if done.returncode == 0 else f"FAILED: {done.stderr.strip()[:300]}"
        print(f"batch {count} agreements to {formats:9} -j 2: {seconds:7.1f} s  (target <= {target:.0f} s)  {status}; "
              f"CPU {cpu:.1f} s = {cpu / count * 1000:.0f} ms per agreement")
    _reportlab_floor(count)


def _reportlab_floor(count: int, runs: int = 15) -> None:
    """Print what reportlab takes by itself for the basic agreement's words (the baseline of ``basic``), and what
    ``count`` of them take on two cores shared perfectly: what a batch to PDF costs when every agreement is
    drawn from scratch.  The batch goes below it by keeping the line breaks of the paragraphs its agreements
    share (``pdf_para.KeptLines``)."""
    from assembler.assembly.pipeline import assemble
    agreement = assemble(BASIC, as_of="2026-03-01").agreement
    words, header = _words(agreement), _header(agreement)
    each = median_s(lambda: _reportlab_own(words, header), runs)
    print(f"  reportlab alone draws the basic agreement's words in {each * 1000:5.1f} ms; {count} of them drawn "
          f"from scratch on 2 cores at best: {count * each / 2:5.1f} s")


def _docxtpl_template(path: Path) -> dict[str, Any]:
    """Write a docxtpl template of the basic agreement's shape; return the context of its words."""
    import docx

    from assembler.assembly.pipeline import assemble
    doc = assemble(BASIC, as_of="2026-03-01").agreement.documents[0]
    clauses = [{"heading": f"{c.number} {c.title}",
                "paragraphs": [" ".join(getattr(s, "text", "") for s in getattr(b, "spans", ())) or
                               "; ".join(" ".join(s.text for s in i.spans) for i in getattr(b, "items", ()))
                               for b in c.blocks]} for c in doc.clauses]
    template = docx.Document()
    template.add_paragraph("{{ title }}", style="Title")
    template.add_paragraph("{{ reference }} — {{ company }} ({{ orgnr }})")
    template.add_paragraph("{%p for c in clauses %}")
    template.add_paragraph("{{ c.heading }}", style="Heading 1")
    template.add_paragraph("{%p for p in c.paragraphs %}")
    template.add_paragraph("{{ p }}")
    template.add_paragraph("{%p endfor %}")
    template.add_paragraph("{%p endfor %}")
    template.save(str(path))
    return {"title": doc.title, "clauses": clauses}


_TPL: dict[str, Any] = {}


def _tpl_start(template: str, context: dict[str, Any]) -> None:
    _TPL.update(template=template, context=context)


def _tpl_render(n: int, out: str) -> None:
    from docxtpl import DocxTemplate
    tpl = DocxTemplate(_TPL["template"])
    tpl.render({**_TPL["context"], "reference": f"KS 2026/{n:05d}", "company": f"Företag {n} AB", "orgnr": orgnr(n)})
    tpl.save(os.path.join(out, f"{n:05d}.docx"))


def bench_docxtpl(count: int, tmp: Path) -> None:
    try:
        import docxtpl  # noqa: F401
    except ImportError:
        print("docxtpl: not installed (pip install '.[bench]'): no peer figure")
        return
    template = tmp / "template.docx"
    context = _docxtpl_template(template)
    out = tmp / "docxtpl"
    out.mkdir()
    t0, cpu0 = time.perf_counter(), _children_cpu()
    with ProcessPoolExecutor(2, initializer=_tpl_start, initargs=(str(template), context)) as pool:
        list(pool.map(_tpl_render, range(1, count + 1), [str(out)] * count, chunksize=20))
    seconds, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    print(f"docxtpl {count} documents to docx, 2 processes: {seconds:7.1f} s; "
          f"CPU {cpu:.1f} s = {cpu / count * 1000:.0f} ms per document")


# --- scale: per page and peak memory, each in a fresh process --------------------------------------------------------

def _marked(spans: Any) -> str:
    """Return spans as the paragraph markup a reportlab user writes: the text escaped, bold and italic tagged."""
    from xml.sax.saxutils import escape
    out = []
    for span in spans:
        text = escape(span.text)
        text = f"<b>{text}</b>" if span.bold else text
        out.append(f"<i>{text}</i>" if span.italic else text)
    return "".join(out)


def _words(agreement: Any) -> list[tuple[str, str, str | None]]:
    """Return (kind, text, number or bullet) of every line of text the first document prints.

    Headings, paragraphs and list items with their numbers and bullets, the
    title, the appendix list and the signature blocks: the same text our PDF
    sets (the running header and footer are drawn by :func:`_reportlab_own`).
    """
    doc = agreement.documents[0]
    out: list[tuple[str, str, str | None]] = [("title", doc.title, None)]
    if doc.reference:
        out.append(("para", f"{doc.labels.reference}: {doc.reference}", None))

    def blocks(items: Any) -> None:
        for block in items:
            if hasattr(block, "items"):
                out.extend(("item", _marked(item.spans), item.label or "\u2022")
                           for item in block.items)
            else:
                out.append(("para", _marked(block.spans), getattr(block, "number", None)))

    blocks(doc.preamble)
    for clause in doc.clauses:
        out.append(("heading", f"{clause.number} {clause.title}", None))
        blocks(clause.blocks)
    if doc.appendices:
        out.append(("heading", doc.labels.appendices, None))
        out.extend(("para", f"{doc.labels.appendix} {a.number} \u2013 {a.title}", None) for a in doc.appendices)
    if doc.signatures:
        out.append(("heading", doc.labels.signatures, None))
    for sig in doc.signatures:
        out.append(("heading", f"{sig.party} ({sig.orgnr})", None))
        out.extend(("para", text, None) for text in (", ".join(t for t in (sig.place, sig.date) if t) or " ",
                                                     "Ort och datum", "Namnteckning", sig.signatory,
                                                     "Namnförtydligande", sig.signatory_title, "Titel"))
    return out


def _header(agreement: Any) -> tuple[str, str]:
    """Return the running header our PDF prints on each page: the title and the reference."""
    doc = agreement.documents[0]
    return doc.title, doc.reference


def _reportlab_own(words: list[tuple[str, str, str | None]], header: tuple[str, str] = ("", "")) -> bytes:
    """Set the words as a reportlab user would: numbered paragraphs with their numbers as bullets, a running
    header, and "Sida N av M" in the footer by reportlab's own recipe (a canvas that holds its pages)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph, SimpleDocTemplate
    faces = {"Serif": "Regular", "Serif-Bold": "Bold", "Serif-Italic": "Italic", "Serif-BoldItalic": "BoldItalic"}
    if "Serif-BoldItalic" not in pdfmetrics.getRegisteredFontNames():
        for name, face in faces.items():
            pdfmetrics.registerFont(TTFont(name, str(FONTS / f"LiberationSerif-{face}.ttf")))
        pdfmetrics.registerFontFamily("Serif", normal="Serif", bold="Serif-Bold", italic="Serif-Italic",
                                      boldItalic="Serif-BoldItalic")
    styles = {"title": ParagraphStyle("t", fontName="Serif-Bold", fontSize=18, leading=22, spaceAfter=6),
              "heading": ParagraphStyle("h", fontName="Serif-Bold", fontSize=12, leading=15, spaceBefore=10),
              "para": ParagraphStyle("p", fontName="Serif", fontSize=11, leading=14.5, spaceAfter=6,
                                     bulletFontName="Serif", bulletFontSize=11),
              "item": ParagraphStyle("i", fontName="Serif", fontSize=11, leading=14.5, leftIndent=10 * mm,
                                     bulletIndent=4 * mm, bulletFontName="Serif", bulletFontSize=11)}
    numbered = ParagraphStyle("n", styles["para"], leftIndent=12 * mm)

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab's recipe for "page N of M"
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self.setFont("Serif", 9)
                self.drawString(25 * mm, A4[1] - 15 * mm, header[0])
                self.drawRightString(A4[0] - 25 * mm, A4[1] - 15 * mm, header[1])
                self.drawCentredString(A4[0] / 2, 12 * mm, f"Sida {number} av {len(self._pages)}")
                super().showPage()
            super().save()

    # Paragraphs and items come as markup (bold and italic runs); titles and headings as plain text.
    story = [Paragraph(text if kind in ("para", "item") else escape(text),
                       numbered if kind == "para" and bullet else styles[kind], bulletText=bullet)
             for kind, text, bullet in words]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm).build(
        story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def _python_docx_own(words: list[tuple[str, str, str | None]]) -> bytes:
    import docx
    document = docx.Document()
    styles = {"title": document.styles["Title"], "heading": document.styles["Heading 1"],
              "item": document.styles["List Bullet"], "para": None}
    for kind, marked, bullet in words:
        text = html.unescape(re.sub(r"</?[bi]>", "", marked))
        document.add_paragraph(f"{bullet}\t{text}" if bullet and kind == "para" else text, style=styles[kind])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def child(kind: str, clauses: int) -> None:
    """Run one writer on a synthetic agreement in this fresh process; print seconds, pages and peak RSS as JSON."""
    from bench_pdf import large_agreement

    from assembler.writers import writer_for
    write_docx, write_pdf = writer_for("docx"), writer_for("pdf")  # the public API: the collector tuned
    small, agreement = large_agreement("sv", 2), large_agreement("sv", clauses)
    words = _words(agreement)
    fn = {"docx": lambda a: write_docx(a), "pdf": lambda a: write_pdf(a),
          "python-docx": lambda a: _python_docx_own(_words(a)),
          "reportlab": lambda a: _reportlab_own(_words(a), _header(a))}[kind]
    fn(small)  # imports, fonts, templates
    del words
    forget_kept()
    t0 = time.perf_counter()
    data = fn(agreement)
    seconds = time.perf_counter() - t0
    pages = None
    if kind in ("pdf", "reportlab"):
        from pypdf import PdfReader
        pages = len(PdfReader(io.BytesIO(data)).pages)
    print(json.dumps({"seconds": seconds, "pages": pages, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _run_child(kind: str, clauses: int, runs: int = 3) -> dict[str, Any]:
    """Return the median time and the largest peak memory of ``runs`` fresh processes."""
    found = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, __file__, "--child", kind, str(clauses)], capture_output=True,
                              text=True, check=True)
        found.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {"seconds": statistics.median(f["seconds"] for f in found), "pages": found[0]["pages"],
            "rss_mb": max(f["rss_mb"] for f in found)}


def bench_scale(page_targets: list[int]) -> None:
    probe = _run_child("pdf", 40, runs=1)
    per_clause = probe["pages"] / 40
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for pages in page_targets:
        clauses = max(1, round(pages / per_clause))
        for kind in ("docx", "python-docx", "pdf", "reportlab"):
            # The peers run once: they are here for their memory, and python-docx takes minutes at 1,000 pages.
            # Our DOCX writer takes tenths of a second: nine fresh processes, or one noisy run sets the ratio.
            results[kind, pages] = _run_child(kind, clauses, runs={"docx": 9, "pdf": 3}.get(kind, 1))
            results[kind, pages]["clauses"] = clauses
    small, large = page_targets[0], page_targets[-1]
    for ours, peer in (("docx", "python-docx"), ("pdf", "reportlab")):
        pdf_pages = {p: results["pdf", p]["pages"] for p in page_targets}  # the same words, counted in PDF pages
        per_page = {p: results[ours, p]["seconds"] / pdf_pages[p] * 1000 for p in page_targets}
        for p in page_targets:
            r, q = results[ours, p], results[peer, p]
            print(f"{ours:4} {pdf_pages[p]:5d} pages: {r['seconds']:6.2f} s, {per_page[p]:5.2f} ms/page, "
                  f"peak {r['rss_mb']:6.1f} MB | {peer} {q['seconds']:6.2f} s, peak {q['rss_mb']:6.1f} MB "
                  f"(memory ratio {r['rss_mb'] / q['rss_mb']:.2f}, target <= 1.3)")
        print(f"{ours:4} per-page time {large} vs {small} pages: {per_page[large] / per_page[small]:.2f}x (target <= 1.2)")


# --- the basic example against reportlab's own -----------------------------------------------------------------------

def bench_basic(runs: int) -> None:
    from assembler.assembly.pipeline import assemble
    from assembler.writers import writer_for
    write_pdf = writer_for("pdf")
    agreement = assemble(BASIC, as_of="2026-03-01").agreement
    words = _words(agreement)
    write_pdf(agreement), _reportlab_own(words, _header(agreement))  # warm: imports, fonts
    # Interleaved, one of each per round: a machine whose speed drifts (other tenants, clock) slows both alike.
    ours, theirs = [], []
    for _ in range(max(runs, 20)):
        for fn, into in ((lambda: write_pdf(agreement), ours),
                         (lambda: _reportlab_own(words, _header(agreement)), theirs)):
            forget_kept()  # each of our runs as a single build: nothing kept from the run before
            t0 = time.perf_counter()
            fn()
            into.append(time.perf_counter() - t0)
    ratio = statistics.median(a / b for a, b in zip(ours, theirs))
    print(f"basic example to PDF: {statistics.median(ours) * 1000:6.1f} ms | reportlab's own, same words and fonts: "
          f"{statistics.median(theirs) * 1000:6.1f} ms (median ratio of {len(ours)} interleaved pairs {ratio:.2f}, "
          "target <= 1.1)")


# --- where-used: the register and the folder scan --------------------------------------------------------------------

def bench_register(count: int, runs: int, tmp: Path) -> None:
    from assembler.assembly.pipeline import assemble
    from assembler.register.store import open_register
    from assembler.register.where_used import where_used
    manifest = assemble(BASIC, as_of="2026-03-01").agreement.manifest
    location = tmp / "big-register.sqlite3"
    open_register(location).close()  # the schema
    target = manifest.clauses[5].id
    t0 = time.perf_counter()
    with sqlite3.connect(location) as conn:
        conn.executemany("INSERT INTO agreements (id, reference, agreement, agreement_version, blueprint_sha256, "
                         "language, assembled, answers_sha256, draft, tool_version, source, built_by, built_at) "
                         "VALUES (?, ?, 'opi-innovation', '1.0.0', '', 'sv', '2026-03-01', '', 0, '0.1.0', 'bench', "
                         "'bench', '2026-03-01T00:00:00')", ((f"{n:064x}", f"KS {n}") for n in range(count)))
        conn.executemany("INSERT INTO parties VALUES (?, ?, ?, ?, ?)",
                         ((f"{n:064x}", i, role, f"Part {n}-{i}", orgnr(n)) for n in range(count)
                          for i, role in enumerate(("public", "private"))))
        conn.executemany("INSERT INTO clauses VALUES (?, ?, ?, ?)",
                         ((f"{n:064x}", c.id, "1.0.0" if c.id != target or n % 100 == 0 else "1.1.0", c.sha256)
                          for n in range(count) for c in manifest.clauses))
        conn.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)",
                         ((f"/agreements/{n // 1000}/{n}.{fmt}", f"{n:064x}", fmt, "0" * 64, 1, "2026-03-01")
                          for n in range(count) for fmt in ("docx", "pdf")))
    print(f"register: {count} agreements, {count * len(manifest.clauses)} clause uses written in "
          f"{time.perf_counter() - t0:.1f} s")
    with open_register(location) as reg:
        found = where_used(None, f"{target}@1.0.0", register=reg)
        seconds = median_s(lambda: where_used(None, f"{target}@1.0.0", register=reg), runs)
    print(f"where-used {target}@1.0.0 from the register of {count}: {seconds * 1000:6.1f} ms, "
          f"{found.agreements} agreements, {len(found.uses)} files (target <= 50 ms)")


def bench_scan(count: int, tmp: Path) -> None:
    from assembler.assembly.pipeline import build
    from assembler.register.where_used import where_used
    made = build(BASIC, output=tmp / "one", formats=("docx", "pdf"), as_of="2026-03-01")
    samples = [p.read_bytes() for p in made.files]
    folder = tmp / "scan"
    for n in range(count):
        sub = folder / f"{n // 500:03d}"
        if n % 500 == 0:
            sub.mkdir(parents=True)
        (sub / f"{n:05d}{'.docx' if n % 2 == 0 else '.pdf'}").write_bytes(samples[n % 2])
    clause = made.assembly.agreement.manifest.clauses[5].id
    t0 = time.perf_counter()
    found = where_used(folder, clause)
    seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assembler", "where-used", clause, str(folder)], capture_output=True, check=True)
    wall = time.perf_counter() - t0
    print(f"where-used scan of {found.scanned} files: {seconds:5.2f} s in-process, {wall:5.2f} s as a command "
          f"({len(found.uses)} uses; target <= 2 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agreements", type=int, default=1000)
    parser.add_argument("--pages", default="200,1000")
    parser.add_argument("--registered", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="batch,docxtpl,scale,basic,register,scan")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "CLAUSES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    load = os.getloadavg()[0]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {load:.1f} at start")
    parts = args.only.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        if "batch" in parts:
            bench_batch(args.agreements, tmp)
        if "docxtpl" in parts:
            bench_docxtpl(args.agreements, tmp)
        if "scale" in parts:
            bench_scale([int(p) for p in args.pages.split(",")])
        if "basic" in parts:
            bench_basic(args.runs)
        if "register" in parts:
            bench_register(args.registered, args.runs, tmp)
        if "scan" in parts:
            bench_scan(args.files, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
