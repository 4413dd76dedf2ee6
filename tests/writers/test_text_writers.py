"""Markdown, HTML and plain-text writers, on the hand-made sample agreement."""

from __future__ import annotations

from html.parser import HTMLParser

from sample import sample_agreement

from assembler.writers.html import write_html
from assembler.writers.markdown import escape_md, write_markdown
from assembler.writers.text import write_text

LITERAL = "{{ 7*7 }} <b>x</b> & {% raw %}"


class Cells(HTMLParser):
    """Collects the text of every table row's cells and the page's visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str]]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._lang = ""
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "tr":
            self.rows.append([])
        if tag == "td":
            self._cell, self._lang = [], dict(attrs).get("lang") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "td" and self._cell is not None:
            self.rows[-1].append((self._lang, "".join(self._cell)))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(html: bytes) -> Cells:
    parser = Cells()
    parser.feed(html.decode("utf-8"))
    return parser


def test_markdown_structure_and_literal_text() -> None:
    md = write_markdown(sample_agreement("sv")).decode("utf-8")
    assert md.startswith("# Avtal om offentlig-privat innovation\n")
    assert "## 2. Sekretess och offentlighet" in md
    assert "**2.1** Parterna är medvetna om att Staden omfattas" in md
    assert "- (a) uppgifter om åäö ÅÄÖ" in md
    assert "{{ 7*7 }} \\<b>x\\</b> & {% raw %}" in md
    assert "- Bilaga 1 – Projektplan" in md


def test_markdown_escapes_only_what_would_change_the_rendering() -> None:
    assert escape_md("{{ 7*7 }}") == "{{ 7*7 }}"
    assert escape_md("*a* and _b_") == "\\*a\\* and \\_b\\_"
    assert escape_md("<b>") == "\\<b>"


def test_html_is_standalone_escaped_and_printable() -> None:
    html = write_html(sample_agreement("sv"))
    text = html.decode("utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<html lang="sv">' in text
    assert "@page { size: A4" in text and "@media print" in text
    assert LITERAL in "".join(parse(html).text)
    assert "<b>x</b>" not in text
    assert 'href="#clause-uppsagning"' in text  # cross-references link to their clause


def test_html_side_by_side_pairs_swedish_and_english_row_by_row() -> None:
    cells = parse(write_html(sample_agreement("sv+en")))
    rows = [r for r in cells.rows if r and all(lang for lang, _ in r)]
    assert rows and all([lang for lang, _ in r] == ["sv", "en"] for r in rows)
    pairs = [(sv.strip(), en.strip()) for (_, sv), (_, en) in rows]
    assert ("2Sekretess och offentlighet", "2Confidentiality and public access") in pairs
    assert any(sv.startswith("3.1Var och en") and en.startswith("3.1Either party") for sv, en in pairs)


def test_plain_text() -> None:
    txt = write_text(sample_agreement("en")).decode("utf-8")
    assert txt.splitlines()[0] == "AGREEMENT ON PUBLIC-PRIVATE INNOVATION"
    assert "\n3 Termination\n\n3.1 Either party may terminate" in txt
    assert "    (a) information on åäö ÅÄÖ" in txt and "    • a bullet" in txt
    assert LITERAL in txt


def test_drafts_are_marked_in_every_text_format() -> None:
    draft = sample_agreement("sv", draft=True)
    assert "**UTKAST**" in write_markdown(draft).decode()
    assert "UTKAST" in write_text(draft).decode().splitlines()[1]
    assert '<p class="draft">UTKAST</p>' in write_html(draft).decode()
