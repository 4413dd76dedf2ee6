"""Reading a plain-text file our text writer made back into the document model."""

from __future__ import annotations

import re

from assembler.model import Document
from assembler.readers.lines import (
    APPENDIX_RE,
    DRAFT_WORDS,
    FIELD_RE,
    HEADING_RE,
    LETTER_RE,
    NUMBER_RE,
    PARTY_RE,
    REFERENCE_RE,
    Line,
    back_matter,
    build_document,
    plain,
    split_label,
)


def _text_lines(text: str) -> list[Line]:
    out: list[Line] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or set(line) <= {"=", "-"}:
            continue
        spans = plain(line)
        if not out:
            out.append(Line("title", spans))
        elif out[-1].role in ("title", "draft") and line in DRAFT_WORDS:
            out.append(Line("draft", spans))
        elif out[-1].role in ("title", "draft") and REFERENCE_RE.match(line):
            out.append(Line("subtitle", spans))
        elif raw.startswith("    ") and line.startswith("• "):
            out.append(Line("bullet", plain(line[2:])))
        elif raw.startswith("    ") and LETTER_RE.match(line):
            out.append(split_label("letter", spans))
        elif NUMBER_RE.match(line):
            out.append(split_label("numbered", spans))
        elif HEADING_RE.match(line) and len(line) < 120 and not line.rstrip().endswith("."):
            out.append(split_label("heading", spans))
        else:
            out.append(Line("paragraph", spans))
    return _section_headings(out)


def _section_headings(lines: list[Line]) -> list[Line]:
    """Return lines with the unnumbered headings of the appendix list and signatures marked.

    Plain text prints them as bare lines; one is a heading when an appendix
    line or a signature party follows it.
    """
    out = list(lines)
    for k in range(1, len(out) - 1):
        text, following = out[k].text, out[k + 1].text
        if (out[k].role == "paragraph" and len(text) < 60 and not APPENDIX_RE.match(text)
                and not PARTY_RE.match(text) and not FIELD_RE.match(text)
                and (APPENDIX_RE.match(following) or PARTY_RE.match(following))):
            out[k] = Line("section", out[k].spans)
    return out


def text_languages(text: str) -> list[str]:
    """Return the text of each language of our side-by-side text file (split by a ``====`` line)."""
    return re.split(r"\n={20,}\n", text.replace("\r\n", "\n"))


def read_text(text: str, language: str = "") -> Document:
    """Return the document a plain-text file written by our text writer holds.

    The title comes back in capitals, as the text writer prints it.
    """
    first = re.split(r"\n={20,}\n", text.replace("\r\n", "\n"), maxsplit=1)[0]
    return build_document(back_matter(_text_lines(first)), language)
