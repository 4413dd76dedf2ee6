"""Tagged PDF for the archive: marked content as ReportLab draws, a structure tree as pypdf finishes.

A tagged PDF says what its content is: every piece of text drawn on a page
sits in a marked-content sequence (``/P <</MCID 3>> BDC … EMC``) that a
structure element points to, and the elements form a tree in reading order
(Document → H1, P, H2, L → LI → Lbl + LBody, Table → TR → TD → P), with a
language where it differs from the document's.  Running headers, footers,
page numbers and the draft watermark are marked as artifacts, outside the
tree.  Screen readers, reflow and text export follow the tree; PDF/A-2a and
PDF/UA require it (our PDF/A is level B, which does not, so this is the
"within reason" part of issue 15).

How: :meth:`Tagger.tag_story` walks the story before ReportLab lays it out,
creates the structure elements in story order, and gives every flowable that
draws text a mark: its ``drawOn`` is wrapped so that it opens and closes its
marked content on the canvas, recording the page and MCID in its element.
A flowable that splits across pages hands its mark to its parts
(:class:`TaggedFrame`), so a paragraph on two pages is one element with two
marked contents.  A list item's label ("a)", "•") is the paragraph's bullet,
drawn as its own text object first: the item switches from ``Lbl`` to
``LBody`` right after it.

:func:`add_structure` then writes the tree into the file in the pypdf
finishing pass: the StructTreeRoot, the ParentTree (for each page, the
element of each MCID), each page's ``/StructParents`` and ``/MarkInfo``.
Pages merged from appendix PDFs are left untagged (their own tags, if any,
are dropped: their keys would point into our parent tree).
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PageObject, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reportlab.platypus import Spacer, Table  # type: ignore[import-untyped]

from assembler.model import Agreement, language_tag
from assembler.writers.pdf_archive import _indirect, is_pdf_a
from assembler.writers.pdf_style import Field, Heading, Pair, Para, TextFrame

# The structure type of a paragraph style; any other style is a plain paragraph (P).
HEADING_ROLES = {"title": "H1", "heading": "H2", "plain_heading": "H2", "cover": "H2"}
# Styles of list items; "_end" marks the last item of its list.
ITEM_STYLES = frozenset({"letter", "bullet", "letter_end", "bullet_end"})


@dataclass(frozen=True)
class StructElem:
    """A structure element of the finished tree: its standard type, language and kids in reading order.

    A kid is an element or a marked content, given as (0-based page of the
    rendered PDF, MCID on that page).
    """

    role: str
    lang: str | None
    kids: tuple[StructElem | tuple[int, int], ...]


class _Elem:
    """A structure element while the pages are drawn: its kids grow as marked content is placed."""

    __slots__ = ("kids", "lang", "role")

    def __init__(self, role: str, lang: str | None = None) -> None:
        self.role, self.lang = role, lang
        self.kids: list[_Elem | tuple[int, int]] = []

    def __deepcopy__(self, _memo: dict[int, Any]) -> _Elem:
        return self  # one element however often ReportLab copies a flowable or frame that leads to it

    def add(self, role: str, lang: str | None = None) -> _Elem:
        """Return a new element appended to this one's kids."""
        kid = _Elem(role, lang)
        self.kids.append(kid)
        return kid

    def frozen(self) -> StructElem:
        """Return the element and its kids as :class:`StructElem` values."""
        return StructElem(self.role, self.lang,
                          tuple(k.frozen() if isinstance(k, _Elem) else k for k in self.kids))


@dataclass(frozen=True)
class _Mark:
    """What a flowable's drawing belongs to: its element, and for a list item the element of its label."""

    body: _Elem
    label: _Elem | None = None


def tagger_for(agreement: Agreement) -> Tagger | None:
    """Return a tagger for the agreement's PDF, or None when it is not tagged (only PDF/A is)."""
    return Tagger(agreement) if is_pdf_a(agreement) else None


@contextlib.contextmanager
def artifact(tagger: Tagger | None, canvas: Any, subtype: str) -> Iterator[None]:
    """Mark what is drawn inside as a pagination artifact (Header, Footer, Watermark) when tagging."""
    if tagger is None:
        yield
        return
    canvas.addLiteral(f"/Artifact <</Type /Pagination /Subtype /{subtype}>> BDC")
    yield
    canvas.addLiteral("EMC")


class Tagger:
    """Tags the flowables of one agreement PDF and collects the structure tree as they are drawn."""

    def __init__(self, agreement: Agreement) -> None:
        tags = [language_tag(d.language) for d in agreement.documents]
        # Only a language other than the document's (the catalog /Lang) is stated on an element.
        self.langs: list[str | None] = [None]
        self.langs += [t if t != tags[0] else None for t in tags[1:]]
        self.root = _Elem("Document")
        self._mcids: dict[int, int] = {}  # page -> next MCID
        self._lists: list[_Elem | None] = [None] * len(tags)
        self._cover_run = 0

    def __deepcopy__(self, _memo: dict[int, Any]) -> Tagger:
        # ReportLab deep-copies the frame to measure a keep-together group; the copy must tag into
        # this tree, and copying the tree each time would cost more than the whole layout.
        return self

    def footer(self, draw: Callable[[Any, int, int], None]) -> Callable[[Any, int, int], None]:
        """Return the footer drawing ``draw`` marked as an artifact."""
        def marked(canvas: Any, page: int, total: int) -> None:
            with artifact(self, canvas, "Footer"):
                draw(canvas, page, total)
        return marked

    def frame(self, *args: Any, **kwargs: Any) -> TaggedFrame:
        """Return a frame that hands the marks of split flowables to their parts."""
        frame = TaggedFrame(*args, **kwargs)
        frame.tagger = self
        return frame

    def tree(self) -> StructElem:
        """Return the structure tree drawn so far (call after the build)."""
        return self.root.frozen()

    # -- the story --------------------------------------------------------------------------------------

    def tag_story(self, story: Sequence[Any]) -> None:
        """Create the structure elements of ``story`` in reading order and mark its flowables."""
        for flowable in story:
            if isinstance(flowable, Table):
                self._end_lists()
                self._table(flowable)
            elif isinstance(flowable, Pair):
                self._leaf(flowable.left, 0)
                self._leaf(flowable.right, 1)
            elif isinstance(flowable, (Para, Field)):
                self._leaf(flowable, 0)
            # Anything else draws no text (spacers, page breaks): no element, and a list goes on across it.

    def _leaf(self, flowable: Any, side: int) -> None:
        style = getattr(getattr(flowable, "style", None), "name", "")
        lang = self.langs[min(side, len(self.langs) - 1)]
        if style in ITEM_STYLES or (isinstance(flowable, Heading) and style not in HEADING_ROLES):
            self._item(flowable, side, lang, last=style.endswith("_end"))
            return
        self._end_lists()
        if style == "cover":
            # A cover names the appendix once per language, in the documents' order.
            lang = self.langs[min(self._cover_run, len(self.langs) - 1)]
            self._cover_run += 1
        else:
            self._cover_run = 0
        self.mark(flowable, _Mark(self.root.add(HEADING_ROLES.get(style, "P"), lang)))

    def _item(self, flowable: Any, side: int, lang: str | None, last: bool) -> None:
        """Mark a list item: the first of a run opens an L for its side (each language its own list)."""
        current = self._lists[side]
        if current is None:
            current = self._lists[side] = self.root.add("L", lang)
        item = current.add("LI")
        label = item.add("Lbl") if getattr(flowable, "bulletText", None) else None
        self.mark(flowable, _Mark(item.add("LBody"), label))
        if last:
            self._lists[side] = None

    def _end_lists(self) -> None:
        self._lists = [None] * len(self._lists)

    def _table(self, table: Any) -> None:
        """Mark a table (the signature block): Table → TR → TD → P per flowable that draws."""
        elem = self.root.add("Table")
        for row in table._cellvalues:  # ReportLab keeps the cells as given, rows of lists of flowables
            tr = elem.add("TR")
            for cell in row:
                td = tr.add("TD")
                for flowable in cell if isinstance(cell, (list, tuple)) else [cell]:
                    if isinstance(flowable, (Para, Field)):
                        self.mark(flowable, _Mark(td.add("P")))

    # -- the drawing ------------------------------------------------------------------------------------

    def mark(self, flowable: Any, mark: _Mark) -> None:
        """Make ``flowable`` draw its content as marked content of ``mark``."""
        flowable._asm_mark = mark
        # An instance attribute shadows the class's drawOn, which frames, pairs and tables call.
        flowable.drawOn = types.MethodType(_marked_draw_on(self, type(flowable).drawOn), flowable)

    def carry(self, whole: Any, parts: Sequence[Any]) -> None:
        """Give the parts a split flowable became the mark of the whole (a pair: of each side)."""
        mark = getattr(whole, "_asm_mark", None)
        for part in parts:
            if (mark is not None and part is not whole and not isinstance(part, Spacer)
                    and getattr(part, "_asm_mark", None) is None):
                self.mark(part, mark)
            if isinstance(whole, Pair) and isinstance(part, Pair) and part is not whole:
                self.carry(whole.left, [part.left])
                self.carry(whole.right, [part.right])

    def open(self, canvas: Any, elem: _Elem) -> None:
        """Begin a marked content of ``elem`` on the canvas's current page."""
        page = canvas.getPageNumber() - 1
        mcid = self._mcids.get(page, 0)
        self._mcids[page] = mcid + 1
        canvas.addLiteral(f"/{elem.role} <</MCID {mcid}>> BDC")
        elem.kids.append((page, mcid))


def _marked_draw_on(tagger: Tagger, draw_on: Callable[..., None]) -> Callable[..., None]:
    """Return a drawOn that wraps ``draw_on`` in the marked content of the flowable's mark."""
    def marked(flowable: Any, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        mark: _Mark = flowable._asm_mark
        if mark.label is not None and getattr(flowable, "bulletText", None):
            tagger.open(canvas, mark.label)
            plain = canvas.drawText

            def after_label(text: Any) -> None:
                # The paragraph draws its bullet as a text object of its own, before its lines.
                plain(text)
                del canvas.drawText
                canvas.addLiteral("EMC")
                tagger.open(canvas, mark.body)

            canvas.drawText = after_label
            try:
                draw_on(flowable, canvas, x, y, _sW)
            finally:
                canvas.__dict__.pop("drawText", None)
        else:
            tagger.open(canvas, mark.body)
            draw_on(flowable, canvas, x, y, _sW)
        canvas.addLiteral("EMC")
    return marked


class TaggedFrame(TextFrame):
    """A frame whose split flowables keep their marks: one element spans the pages it is drawn on."""

    tagger: Tagger

    def split(self, flowable: Any, canv: Any) -> list[Any]:
        parts: list[Any] = super().split(flowable, canv)
        self.tagger.carry(flowable, parts)
        return parts


# -- the structure tree in the file ----------------------------------------------------------------------

class _Name(NameObject):
    """A PDF name of plain letters, written as it is.

    pypdf escapes a name character by character as it writes it; the tree has
    thousands of names (seven per element), and that was half its cost.
    """

    def write_to_stream(self, stream: Any, encryption_key: Any = None) -> None:
        stream.write(self.encode("ascii"))


_TYPE, _S, _P, _PG, _K, _LANG, _MCID = (_Name(n) for n in ("/Type", "/S", "/P", "/Pg", "/K", "/Lang", "/MCID"))
_STRUCT_ELEM, _MCR = _Name("/StructElem"), _Name("/MCR")
_ROLES: dict[str, _Name] = {}


def add_structure(writer: PdfWriter, tree: StructElem, own_pages: Sequence[PageObject]) -> None:
    """Write ``tree`` into ``writer``: the structure tree root, the parent tree, /StructParents, /MarkInfo.

    ``own_pages`` are the pages ReportLab drew, in their order there (the
    tree's page numbers index it); every other page of the writer (merged
    appendix pages) loses structure keys it brought along.
    """
    root_dict = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    root_ref = _indirect(writer, root_dict)
    by_page: dict[int, dict[int, IndirectObject]] = {}
    refs = [page.indirect_reference for page in own_pages]
    if None in refs:
        raise ValueError("add_structure needs the writer's own pages")
    document = _write_elem(writer, tree, root_ref, [ref for ref in refs if ref is not None], by_page)
    nums = ArrayObject()
    for index in sorted(by_page):
        mcids = by_page[index]
        nums += [NumberObject(index), ArrayObject(mcids[m] for m in sorted(mcids))]
        own_pages[index][NameObject("/StructParents")] = NumberObject(index)
    root_dict[NameObject("/K")] = document
    root_dict[NameObject("/ParentTree")] = _indirect(writer, DictionaryObject({NameObject("/Nums"): nums}))
    root_dict[NameObject("/ParentTreeNextKey")] = NumberObject(len(own_pages))
    catalog = writer.root_object
    # ReportLab declares PDF 1.3; mark information and languages are 1.4, PDF/A-2 is built on 1.7.
    writer.pdf_header = "%PDF-1.7"
    catalog[NameObject("/StructTreeRoot")] = root_ref
    catalog[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    ours = {ref.idnum for ref in refs if ref is not None}
    for page in writer.pages:
        if page.indirect_reference is not None and page.indirect_reference.idnum not in ours:
            _untag_page(page)


def _write_elem(writer: PdfWriter, elem: StructElem, parent: IndirectObject,
                pages: Sequence[IndirectObject], by_page: dict[int, dict[int, IndirectObject]]) -> IndirectObject:
    """Add ``elem`` and its kids to ``writer``; note in ``by_page`` which element owns each MCID."""
    role = _ROLES.get(elem.role) or _ROLES.setdefault(elem.role, _Name(f"/{elem.role}"))
    d = DictionaryObject({_TYPE: _STRUCT_ELEM, _S: role, _P: parent})
    ref = _indirect(writer, d)
    if elem.lang:
        d[_LANG] = TextStringObject(elem.lang)
    kids = ArrayObject()
    home: int | None = None
    for kid in elem.kids:
        if isinstance(kid, StructElem):
            kids.append(_write_elem(writer, kid, ref, pages, by_page))
            continue
        page, mcid = kid
        by_page.setdefault(page, {})[mcid] = ref
        if home is None:
            home = page
            d[_PG] = pages[page]
        if page == home:
            kids.append(NumberObject(mcid))
        else:  # the element goes on over a page break: a marked-content reference names the page
            kids.append(DictionaryObject({_TYPE: _MCR, _PG: pages[page], _MCID: NumberObject(mcid)}))
    d[_K] = kids
    return ref


def _untag_page(page: Any) -> None:
    """Drop a merged page's keys into its own (not copied) structure tree."""
    page.pop(NameObject("/StructParents"), None)
    for annot in page.get("/Annots", None) or ():
        annot.get_object().pop(NameObject("/StructParent"), None)
