"""A DOCX's core properties (title, subject, author, dates) and its languages, from the agreement."""

from __future__ import annotations

from datetime import datetime

from docx.document import Document as WordDocument

from assembler.model import Agreement, Document, language_tag
from assembler.oxml import parts as ooxml

__all__ = ["set_properties"]


def _language_tag(doc: Document) -> str:
    if doc.properties and doc.properties.language:
        return doc.properties.language
    return language_tag(doc.language)


def _short(text: str) -> str:
    """Return ``text`` fitted to a core property (at most 255 characters; a long title ends in an ellipsis)."""
    return text if len(text) <= 255 else text[:254].rstrip() + "…"


def set_properties(document: WordDocument, agreement: Agreement, when: datetime | None) -> None:
    """Set core properties and the default language from the first document."""
    doc = agreement.documents[0]
    props = doc.properties
    core = document.core_properties
    core.title = _short(props.title if props else doc.title)
    if props:
        core.subject = _short(props.subject)
        core.keywords = _short(", ".join(props.keywords))
        core.author = _short(props.author)
        core.comments = props.comments
        core.last_modified_by = _short(props.author)
    lang = _language_tag(doc)
    core.language = lang
    core.revision = 1
    if when is not None:
        core.created = when
        core.modified = when
    ooxml.set_default_language(document.styles.element, lang)
    ooxml.set_theme_language(document.settings.element, lang)
    if agreement.side_by_side:
        ooxml.set_last_column_language(document.styles["Parallel Table"].element,
                                       _language_tag(agreement.documents[1]))
