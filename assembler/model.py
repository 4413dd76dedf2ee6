"""The document model: the one meeting point of renderers, writers and readers.

An assembled agreement is an :class:`Agreement`: one :class:`Document` per
language (one for ``sv`` or ``en``, two for ``sv+en``, which writers lay out
side by side) and the :class:`Manifest` that says how it was made.  Documents
of one agreement share their structure exactly: the same clauses, numbers,
blocks and list items, in the same order, so a writer can pair them.

Readers used by ``diff`` produce the same :class:`Document` from a DOCX, PDF
or Markdown file; what they cannot know (clause ids, versions) they leave
empty.

Every value is immutable.  This module imports nothing from the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SpanKind = Literal["text", "term", "ref"]


@dataclass(frozen=True)
class Span:
    """A run of text with one look.

    ``kind`` is ``"term"`` for a use of a defined term (``target`` is the term
    id) and ``"ref"`` for a cross-reference (``target`` is the clause id, or
    ``appendix:<id>`` for an appendix); the text is already final.
    """

    text: str
    bold: bool = False
    italic: bool = False
    kind: SpanKind = "text"
    target: str | None = None


def spans_text(spans: tuple[Span, ...]) -> str:
    """Return the plain text of a run of spans."""
    return "".join(s.text for s in spans)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``number`` is its sub-clause number ("3.1") or None."""

    spans: tuple[Span, ...]
    number: str | None = None

    @property
    def text(self) -> str:
        return spans_text(self.spans)


@dataclass(frozen=True)
class ListItem:
    """One list item; ``label`` is "(a)" for lettered lists, "" for bullets."""

    spans: tuple[Span, ...]
    label: str = ""

    @property
    def text(self) -> str:
        return spans_text(self.spans)


@dataclass(frozen=True)
class ItemList:
    """A list: ``style`` is ``"bullet"`` or ``"letter"``."""

    items: tuple[ListItem, ...]
    style: Literal["bullet", "letter"] = "bullet"


Block = Paragraph | ItemList

# The BCP 47 tag each language of the library is written in.
LANGUAGE_TAGS = {"sv": "sv-SE", "en": "en-GB"}


def language_tag(language: str) -> str:
    """Return the BCP 47 tag of a library language ("sv" -> "sv-SE"); an unknown code is returned as it is."""
    return LANGUAGE_TAGS.get(language, language)


PartKind = Literal["header", "footer", "footnote", "endnote"]


@dataclass(frozen=True)
class DocumentPart:
    """Text outside the main flow that a reader found: a header, footer, footnote or endnote.

    ``label`` is the note's printed mark ("1", "i") or, for headers and
    footers, which one ("default", "first", "even"); text boxes and content
    controls are read into the body where they are anchored instead.
    """

    kind: PartKind
    label: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Clause:
    """A numbered clause of the agreement, as laid out.

    ``id``, ``version`` and ``sha256`` identify the clause version it came
    from (empty when a reader could not know them).
    """

    number: str
    title: str
    blocks: tuple[Block, ...]
    id: str = ""
    version: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class Appendix:
    """An appendix: ``label`` is the printed name ("Bilaga 1")."""

    number: int
    label: str
    title: str
    id: str = ""
    file: str | None = None


@dataclass(frozen=True)
class Signature:
    """The signature block of one party."""

    party: str
    orgnr: str
    signatory: str
    signatory_title: str
    place: str = ""
    date: str = ""


@dataclass(frozen=True)
class Labels:
    """Fixed words a writer prints around the clauses, in one language."""

    page: str = "Page"  # "Sida"
    of: str = "of"  # "av"
    reference: str = "Reference"  # "Diarienummer"
    appendices: str = "Appendices"  # "Bilagor"
    appendix: str = "Appendix"  # "Bilaga"
    signatures: str = "Signatures"  # "Underskrifter"
    place_date: str = "Place and date"  # "Ort och datum"
    signature: str = "Signature"  # "Namnteckning"
    name_clarification: str = "Name in print"  # "Namnförtydligande"
    title: str = "Title"  # "Titel"
    draft: str = "DRAFT"  # "UTKAST"
    clause: str = "clause"  # "punkt"
    means: str = "means"  # "avser": joins a defined term to its definition
    signed_electronically: str = "Signed electronically"  # "Undertecknas elektroniskt"


@dataclass(frozen=True)
class Properties:
    """Document properties written into DOCX and PDF metadata."""

    title: str
    subject: str = ""
    keywords: tuple[str, ...] = ()
    author: str = ""
    comments: str = ""
    language: str = ""  # BCP 47: "sv-SE", "en-GB"
    date: str = ""  # the assembly date, ISO


@dataclass(frozen=True)
class Document:
    """The agreement in one language."""

    language: str
    title: str
    clauses: tuple[Clause, ...]
    reference: str = ""
    preamble: tuple[Block, ...] = ()
    appendices: tuple[Appendix, ...] = ()
    signatures: tuple[Signature, ...] = ()
    labels: Labels = field(default_factory=Labels)
    properties: Properties | None = None
    draft: bool = False
    parts: tuple[DocumentPart, ...] = ()  # read from a file only; writers ignore them


@dataclass(frozen=True)
class ClauseStamp:
    """One clause version used in a build."""

    id: str
    version: str
    sha256: str


@dataclass(frozen=True)
class HouseStamp:
    """What of a house style a build used, so that a rebuild can find the same files and check them.

    File names (not paths: a build elsewhere must give the same bytes) and
    the SHA-256 of each file; ``fonts`` lists the PDF fonts in the order
    given (regular, bold, italic, bold italic).
    """

    reference_docx: str = ""
    reference_docx_sha256: str = ""
    fonts: tuple[tuple[str, str], ...] = ()  # (file name, sha256)
    pdf_a: bool = False


@dataclass(frozen=True)
class Manifest:
    """How an agreement was made: enough to rebuild it exactly."""

    agreement: str
    agreement_version: str
    language: str
    assembled: str  # ISO date: the --as-of date
    clauses: tuple[ClauseStamp, ...]
    answers_sha256: str
    tool_version: str
    warnings: tuple[str, ...] = ()
    draft: bool = False
    reference: str = ""
    parties: tuple[str, ...] = ()
    blueprint_sha256: str = ""
    appendices: tuple[str, ...] = ()
    answers: str = ""  # the answers, so an issued agreement can be rebuilt from itself
    # "canonical": ``answers`` is the validated data as JSON, without the file's comments, and
    # ``answers_sha256`` hashes that text; "text": the raw file text (manifests made before this field).
    answers_form: str = "canonical"
    house_style: HouseStamp | None = None  # None: the bundled house template, no PDF/A


@dataclass(frozen=True)
class AppendixFile:
    """The bytes of the file an appendix attaches, read before writing so that no writer touches the disk.

    ``number`` is the appendix's number; ``source`` says where the bytes came
    from, for messages.
    """

    number: int
    source: str
    data: bytes


@dataclass(frozen=True)
class FontFiles:
    """A font family for the PDF: the bytes of its TrueType files, read before writing.

    ``family`` is the name the DOCX gives the same font, so both formats name
    one family; a face that is missing is drawn with the regular one.
    """

    family: str
    regular: bytes
    bold: bytes | None = None
    italic: bytes | None = None
    bold_italic: bytes | None = None


@dataclass(frozen=True)
class HouseStyle:
    """The legal unit's own look, read before writing so that writers stay pure.

    ``reference_docx`` is a Word file whose styles, page setup, headers and
    footers the DOCX uses (as pandoc uses a reference document).  The PDF
    takes what it can: ``fonts``, the header ``logo`` (PNG or JPEG bytes,
    drawn ``logo_height_mm`` high at the top left), ``margins_mm`` (top,
    right, bottom, left) and ``heading_colour``/``text_colour`` ("RRGGBB").
    ``pdf_a`` asks for PDF/A-2b.
    """

    reference_docx: bytes | None = None
    source: str = ""
    fonts: FontFiles | None = None
    logo: bytes | None = None
    logo_height_mm: float = 0.0
    logo_first_page: bool = False  # the reference shows the logo on the first page only
    margins_mm: tuple[float, float, float, float] | None = None
    heading_colour: str = ""
    text_colour: str = ""
    pdf_a: bool = False
    stamp: HouseStamp | None = None  # what the manifest records of this house style
    notes: tuple[str, ...] = ()  # what of the reference the PDF cannot honour (a vector logo), said as warnings


@dataclass(frozen=True)
class Agreement:
    """An assembled agreement: one document per language, its manifest, its appendix files and house style."""

    documents: tuple[Document, ...]
    manifest: Manifest
    appendix_files: tuple[AppendixFile, ...] = ()
    house_style: HouseStyle | None = None

    @property
    def side_by_side(self) -> bool:
        return len(self.documents) > 1
