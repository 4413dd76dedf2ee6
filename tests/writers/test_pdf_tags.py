"""Tagged PDF/A: marked content on every page, a structure tree in reading order, languages, artifacts.

The tree is read three ways: with pypdf (the objects, the parent tree),
through the content streams (which text sits in which marked content) and
with poppler's ``pdfinfo -struct-text`` (what a reader of tagged PDF gets).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject
from readback import assert_pdf_reads_back

import assembler.writers.pdf as pdf_module
from assembler.assembly.pipeline import assemble
from assembler.model import Agreement, HouseStyle
from assembler.writers.pdf import write_pdf

ARCHIVE = HouseStyle(pdf_a=True)
needs_poppler = pytest.mark.skipif(shutil.which("pdfinfo") is None or shutil.which("pdftoppm") is None,
                                   reason="poppler-utils (pdfinfo, pdftoppm) is not installed")


def _agreement(example: str, language: str | None = None, **kwargs: Any) -> Agreement:
    return assemble(REPO / "examples" / f"{example}.yaml", as_of="2026-12-01", language=language,
                    house_style=ARCHIVE, **kwargs).agreement


@pytest.fixture(scope="module")
def basic() -> Agreement:
    return _agreement("basic", "sv")


@pytest.fixture(scope="module")
def basic_pdf(basic: Agreement) -> bytes:
    return write_pdf(basic)


@pytest.fixture(scope="module")
def bilingual_pdf() -> bytes:
    return write_pdf(_agreement("bilingual"))


@pytest.fixture(scope="module")
def research_pdf() -> bytes:
    """A draft with an appendix PDF merged behind its cover page."""
    return write_pdf(_agreement("research", draft=True))


def _untagged(agreement: Agreement, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Return the agreement's PDF/A written without tags, as before tagging existed."""
    with monkeypatch.context() as patch:
        patch.setattr(pdf_module, "tagger_for", lambda _agreement: None)
        return write_pdf(agreement)


def _elements(elem: Any) -> Iterator[DictionaryObject]:
    """Yield the structure elements under ``elem`` in reading (pre-)order, ``elem`` first."""
    elem = elem.get_object()
    yield elem
    for kid in elem.get("/K", []):
        kid = kid.get_object()
        if isinstance(kid, DictionaryObject) and kid.get("/Type") == "/StructElem":
            yield from _elements(kid)


def _marked_contents(elem: DictionaryObject, pages: dict[int, int]) -> Iterator[tuple[int, int]]:
    """Yield (page index, MCID) of each marked content ``elem`` holds itself."""
    for kid in elem.get("/K", []):
        kid = kid.get_object()
        if isinstance(kid, int):
            yield pages[elem.raw_get("/Pg").idnum], kid
        elif isinstance(kid, DictionaryObject) and kid.get("/Type") == "/MCR":
            yield pages[kid.raw_get("/Pg").idnum], kid["/MCID"]


def _page_pieces(page: PageObject) -> list[tuple[str | None, int | None, str]]:
    """Return the page's text pieces with the innermost marked content around each: (tag, MCID, text)."""
    stack: list[tuple[str, int | None]] = []
    pieces: list[tuple[str | None, int | None, str]] = []

    def before(op: bytes, args: list[Any], _cm: Any, _tm: Any) -> None:
        if op == b"BDC":
            props = args[1] if isinstance(args[1], dict) else {}
            stack.append((str(args[0]), props.get("/MCID")))
        elif op == b"BMC":
            stack.append((str(args[0]), None))
        elif op == b"EMC":
            stack.pop()

    def text(piece: str, *_: Any) -> None:
        if piece.strip():
            tag, mcid = stack[-1] if stack else (None, None)
            pieces.append((tag, mcid, piece))

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return pieces


def _struct_text(data: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """Return poppler's reading of the structure tree: (type, text) per element, in order."""
    path = tmp_path / "tagged.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True).stdout
    elements: list[tuple[str, str]] = []
    for line in out.splitlines():
        line = line.strip()
        if line.startswith('"'):
            role, text = elements[-1]
            elements[-1] = (role, text + line[1:-1])
        elif line:
            elements.append((line.split()[0], ""))
    return elements


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_catalog_says_the_file_is_tagged(basic_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(basic_pdf))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert root["/Lang"] == "sv-SE"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert "/Outlines" in root  # the outline stays
    tree = root["/StructTreeRoot"].get_object()
    assert tree["/Type"] == "/StructTreeRoot"
    document = tree["/K"].get_object()
    assert document["/S"] == "/Document" and document.raw_get("/P").idnum == root.raw_get("/StructTreeRoot").idnum
    assert tree["/ParentTreeNextKey"] == len(reader.pages)


@pytest.mark.parametrize("name", ["basic_pdf", "bilingual_pdf", "research_pdf"])
def test_every_marked_content_has_its_element_and_every_element_its_marked_content(
        name: str, request: pytest.FixtureRequest) -> None:
    reader = PdfReader(io.BytesIO(request.getfixturevalue(name)))
    tree = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    nums = tree["/ParentTree"].get_object()["/Nums"]
    parent_tree = {nums[i]: nums[i + 1].get_object() for i in range(0, len(nums), 2)}
    in_tree: dict[tuple[int, int], int] = {}
    for elem in _elements(tree["/K"]):
        assert elem["/P"].get_object() is not None
        for mark in _marked_contents(elem, index):
            assert mark not in in_tree, mark
            in_tree[mark] = id(elem)
    in_pages: set[tuple[int, int]] = set()
    for i, page in enumerate(reader.pages):
        mcids = [mcid for _tag, mcid, _text in _page_pieces(page) if mcid is not None]
        if "/StructParents" not in page:
            assert not mcids or i >= len(parent_tree)  # a merged appendix page: not ours
            continue
        key = page["/StructParents"]
        owners = parent_tree[key]
        assert key == i and sorted(set(mcids)) == list(range(len(owners)))
        for mcid, owner in enumerate(owners):
            owner = owner.get_object()
            assert (i, mcid) in set(_marked_contents(owner, index))
            in_pages.add((i, mcid))
    assert in_pages == set(in_tree)  # no element points at content that is not there


@pytest.mark.parametrize("name", ["basic_pdf", "bilingual_pdf", "research_pdf"])
def test_all_text_is_in_marked_content_or_an_artifact(name: str, request: pytest.FixtureRequest) -> None:
    reader = PdfReader(io.BytesIO(request.getfixturevalue(name)))
    for page in reader.pages:
        if "/StructParents" not in page:
            continue  # a merged appendix page
        pieces = _page_pieces(page)
        assert pieces and all(tag is not None for tag, _mcid, _text in pieces), pieces
        assert all((tag == "/Artifact") == (mcid is None) for tag, mcid, _text in pieces)


def test_the_running_header_footer_and_watermark_are_artifacts(research_pdf: bytes, basic: Agreement) -> None:
    reader = PdfReader(io.BytesIO(research_pdf))
    first = _page_pieces(reader.pages[0])
    artifacts = [text.strip() for tag, _mcid, text in first if tag == "/Artifact"]
    assert artifacts[0] == "UTKAST / DRAFT"  # drawn first, under the text
    assert "RS 2026/0291" in artifacts and re.fullmatch(r"Sida 1 av \d+", artifacts[-1])
    tagged = "".join(text for tag, _mcid, text in first if tag != "/Artifact")
    assert "Sida 1 av" not in tagged and "UTKAST" not in tagged


@needs_poppler
def test_roles_and_the_reading_order_of_the_tree(basic_pdf: bytes, basic: Agreement, tmp_path: Path) -> None:
    """What a tagged-PDF reader gets: the title as H1, each clause heading as H2 in clause order, the
    sub-clauses as P, bullet lists as L → LI → Lbl + LBody, the signature block as a table; no page furniture."""
    elements = _struct_text(basic_pdf, tmp_path)
    roles = [role for role, _text in elements]
    assert roles[:3] == ["Document", "H1", "P"]
    assert {"H2", "P", "L", "LI", "Lbl", "LBody", "Table", "TR", "TD"} <= set(roles)
    doc = basic.documents[0]
    assert elements[1][1] == doc.title
    headings = [text for role, text in elements if role == "H2"]
    clauses = [f"{c.number}{c.title}" for c in doc.clauses]
    assert [_squash(h) for h in headings[:len(clauses)]] == [_squash(c) for c in clauses]
    assert [_squash(h) for h in headings[len(clauses):]] == [_squash(doc.labels.appendices),
                                                               _squash(doc.labels.signatures)]
    labels = [text for role, text in elements if role == "Lbl"]
    assert labels and set(labels) <= {"•"} | {f"{c})" for c in "abcdefghij"}
    assert not any("Sida " in text for _role, text in elements)
    assert sum(1 for _role, text in elements if doc.reference in text) == 1  # "Diarienummer: …", not the header


@needs_poppler
def test_the_tree_holds_all_the_text_in_the_order_it_is_printed(basic_pdf: bytes, basic: Agreement,
                                                                tmp_path: Path) -> None:
    """Each page as pypdf extracts it, less header and footer, is exactly the tree's text (one language,
    one column: the printed order is the reading order)."""
    reader = PdfReader(io.BytesIO(basic_pdf))
    doc = basic.documents[0]
    printed = []
    for n, page in enumerate(reader.pages, start=1):
        text = _squash(page.extract_text())
        header, footer = _squash(doc.title + doc.reference), _squash(f"Sida {n} av {len(reader.pages)}")
        assert text.startswith(header) and text.endswith(footer)
        printed.append(text[len(header):-len(footer)])
    assert _squash("".join(text for _role, text in _struct_text(basic_pdf, tmp_path))) == "".join(printed)


def test_the_english_column_says_it_is_english(bilingual_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(bilingual_pdf))
    assert reader.trailer["/Root"]["/Lang"] == "sv-SE"
    index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    texts: dict[tuple[int, int], str] = {}
    for i, page in enumerate(reader.pages):
        for _tag, mcid, text in _page_pieces(page):
            if mcid is not None:
                texts[(i, mcid)] = texts.get((i, mcid), "") + text

    def text_of(elem: DictionaryObject) -> str:
        return "".join(texts.get(mark, "") for e in _elements(elem) for mark in _marked_contents(e, index))

    top = list(reader.trailer["/Root"]["/StructTreeRoot"]["/K"].get_object()["/K"])
    titles = [e.get_object() for e in top if e.get_object()["/S"] == "/H1"]
    assert [t.get("/Lang") for t in titles] == [None, "en-GB"]
    assert "Avtal om offentlig-privat" in text_of(titles[0]) and "Agreement on public-private" in text_of(titles[1])
    english = [e.get_object() for e in top if e.get_object().get("/Lang") == "en-GB"]
    # The signature block is one for both languages, its heading and labels joined: "Underskrifter / Signatures".
    swedish = [e.get_object() for e in top if e.get_object()["/S"] != "/Table" and "/Lang" not in e.get_object()
               and " / " not in text_of(e.get_object())]
    assert len(english) == len(swedish) > 50  # paragraph beside paragraph, list beside list
    assert any(" the " in text_of(e) for e in english) and not any(" the " in text_of(e) for e in swedish)
    # (English elements may quote Swedish answers, such as the project goals: no test for " och " there.)
    assert sum(" och " in text_of(e) for e in swedish) > 20


def test_a_paragraph_broken_over_a_page_is_one_element(basic_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(basic_pdf))
    index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    spanning = [e for e in _elements(tree["/K"]) if len({p for p, _m in _marked_contents(e, index)}) > 1]
    assert spanning and all(e["/S"] in ("/P", "/LBody") for e in spanning)


def test_merged_appendix_pages_stay_untagged_and_drop_their_own_tags(basic_pdf: bytes, tmp_path: Path) -> None:
    """An appendix that is itself a tagged PDF (our own basic agreement): its pages keep their content but
    lose their /StructParents, which would point into the agreement's parent tree."""
    (tmp_path / "appendices").mkdir()
    (tmp_path / "appendices" / "de-minimis-intyg-kretslopp.pdf").write_bytes(basic_pdf)
    answers = tmp_path / "research.yaml"
    shutil.copy(REPO / "examples" / "research.yaml", answers)
    agreement = assemble(answers, as_of="2026-12-01", house_style=ARCHIVE).agreement
    reader = PdfReader(io.BytesIO(write_pdf(agreement)))
    appendix_pages = len(PdfReader(io.BytesIO(basic_pdf)).pages)
    own = [page for page in reader.pages if "/StructParents" in page]
    assert len(reader.pages) == len(own) + appendix_pages
    cover = own[-1]  # the cover page is drawn by us, and tagged
    assert [tag for tag, _mcid, _text in _page_pieces(cover)] == ["/H2", "/P"]
    nums = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    assert list(nums[0::2]) == list(range(len(own)))


def test_the_tagged_pdf_looks_and_extracts_exactly_like_the_untagged_one(
        research_pdf: bytes, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    agreement = _agreement("research", draft=True)
    untagged = _untagged(agreement, monkeypatch)
    assert b"/StructTreeRoot" not in untagged and b"/StructTreeRoot" in research_pdf
    tagged_pages, plain_pages = PdfReader(io.BytesIO(research_pdf)).pages, PdfReader(io.BytesIO(untagged)).pages
    assert [p.extract_text() for p in tagged_pages] == [p.extract_text() for p in plain_pages]
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed: the pages were not compared as pictures")
    for name, data in (("tagged", research_pdf), ("plain", untagged)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
                       check=True)
    tagged_png = sorted(tmp_path.glob("tagged-*.png"))
    assert len(tagged_png) == len(tagged_pages)
    for png in tagged_png:
        assert png.read_bytes() == (tmp_path / png.name.replace("tagged", "plain")).read_bytes(), png.name


def test_only_pdf_a_is_tagged(basic: Agreement) -> None:
    plain = write_pdf(replace(basic, house_style=None))
    assert b"/StructTreeRoot" not in plain and b"BDC" not in plain and b"/MarkInfo" not in plain


def test_a_tagged_pdf_reads_back_through_inspect_diff_and_rebuild(bilingual_pdf: bytes, tmp_path: Path) -> None:
    assert_pdf_reads_back(bilingual_pdf, tmp_path, "bilingual.pdf")

