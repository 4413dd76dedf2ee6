"""Active content in appendix PDFs: found, described and stripped before the pages are merged.

An appendix is a document received from elsewhere.  What it may carry that
runs or reaches out when the signed PDF is opened — JavaScript, an action on
opening, launch and other actions on links and pages, embedded files — is
never carried into the agreement.  Catalog-level content (the document's
OpenAction, its JavaScript and embedded-file name trees) stays behind anyway,
since only pages are merged; page-level content is removed here.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, NameObject

# Actions that run code, start programs, send data or open other files.
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/ResetForm", "/GoToR",
                            "/GoToE", "/Rendition", "/RichMediaExecute", "/Sound", "/Movie"})
# Annotations that carry files or media.
ACTIVE_ANNOTATIONS = frozenset({"/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia", "/3D"})


def describe_active(data: bytes) -> list[str]:
    """Return what active content a PDF carries, in words ('JavaScript', 'a Launch action', ...); [] if none."""
    try:
        reader = PdfReader(BytesIO(data))
        root: Any = reader.trailer["/Root"].get_object()
        found: set[str] = set()
        if "/OpenAction" in root:
            found.add("an action on opening")
        if "/AA" in root:
            found.add("document actions")
        names: Any = root.get("/Names")
        names = names.get_object() if names is not None else {}
        if "/JavaScript" in names:
            found.add("JavaScript")
        if "/EmbeddedFiles" in names:
            found.add("embedded files")
        for page in reader.pages:
            found.update(_page_findings(page))
    except Exception:  # noqa: BLE001 - a damaged appendix is reported by the PDF writer in its own words
        return []
    return sorted(found)


def _page_findings(page: PageObject) -> set[str]:
    found: set[str] = set()
    if "/AA" in page:
        found.add("page actions")
    for annot in _annotations(page):
        if _is_active(annot):
            action = annot.get("/A")
            kind = str(action.get_object().get("/S")) if action is not None else str(annot.get("/Subtype"))
            found.add(f"a {kind.lstrip('/')} {'action' if action is not None else 'annotation'}")
    return found


def _annotations(page: PageObject) -> list[Any]:
    annots = page.get("/Annots")
    if annots is None:
        return []
    return [a.get_object() for a in annots.get_object()]


def _is_active(annot: Any) -> bool:
    action = annot.get("/A")
    if action is not None and str(action.get_object().get("/S")) in ACTIVE_ACTIONS:
        return True
    return "/AA" in annot or str(annot.get("/Subtype")) in ACTIVE_ANNOTATIONS


def strip_active(page: PageObject) -> None:
    """Remove a page's own actions and every active annotation from it (in place)."""
    if "/AA" in page:
        del page[NameObject("/AA")]
    annots = page.get("/Annots")
    if annots is None:
        return
    kept = ArrayObject(a for a in annots.get_object() if not _is_active(a.get_object()))
    page[NameObject("/Annots")] = kept
