"""Presenters: terminal text, the HTML redline and JSON against its schema."""

from __future__ import annotations

import json
from dataclasses import replace
from html.parser import HTMLParser

import jsonschema
import pytest
from conftest import FIXTURES, REPO
from sample import sample_agreement

from assembler.compare.diff import diff_documents, diff_sides
from assembler.compare.present import color_wanted, render_html, render_terminal, result_to_json
from assembler.compare.result import DiffResult, Side
from assembler.compare.sides import load_side, side_from_agreement
from assembler.model import Document, Paragraph, Span

SCHEMA = REPO / "schemas" / "diff.schema.json"
RETURNED = FIXTURES / "diff" / "returned.docx"


def edited() -> tuple[Document, Document]:
    """The sample and a NEW with a word inserted, quotes restyled, clause 3 moved first."""
    old = sample_agreement("sv").documents[0]
    c1, c2, c3 = old.clauses
    p21 = c2.blocks[0]
    assert isinstance(p21, Paragraph)
    p21 = replace(p21, spans=(Span("Parterna är inte medvetna om att "),) + p21.spans[1:])
    p11 = c1.blocks[0]
    assert isinstance(p11, Paragraph)
    p11 = replace(p11, spans=(Span('Helsingborgs stad, 212000-1355 ("Staden").'),))
    new = replace(old, clauses=(replace(c3, number="1"),
                                replace(c1, number="2", blocks=(p11,) + c1.blocks[1:]),
                                replace(c2, number="3", blocks=(p21,) + c2.blocks[1:])))
    return old, new


def result() -> DiffResult:
    return diff_documents(*edited(), old_label="v1.docx", new_label="v2.docx")


def test_terminal_starts_with_the_clause_summary() -> None:
    lines = render_terminal(result()).splitlines()
    assert lines[0] == "diff v1.docx → v2.docx (aligned by clause)"
    assert lines[1] == "clauses: 0 unchanged, 2 changed, 0 added, 0 removed, 1 moved"
    assert lines[2] == "changes: 1 insert, 0 delete, 0 replace, 2 typographic, 0 format, 0 move"
    summary = "\n".join(lines[3:8])
    assert "moved         3 → 1  Uppsägning  [uppsagning 1.0.0]" in summary


def test_terminal_marks_words_without_colour() -> None:
    text = render_terminal(result(), color=False)
    assert "Parterna är {+inte +}medvetna" in text
    assert '({~”→"~}Staden{~”→"~})' in text
    assert "\x1b[" not in text


def test_terminal_colours_when_asked() -> None:
    text = render_terminal(result(), color=True)
    assert "\x1b[32minte \x1b[0m" in text


@pytest.mark.parametrize("env,tty,wanted", [({}, True, True), ({"NO_COLOR": "1"}, True, False),
                                            ({}, False, False)])
def test_colour_honours_no_color(env: dict[str, str], tty: bool, wanted: bool) -> None:
    assert color_wanted(env, tty) is wanted


def test_terminal_lists_the_other_sides_changes_and_comments() -> None:
    text = render_terminal(diff_sides(side_from_agreement(sample_agreement("sv"), "sent"),
                                      load_side(str(RETURNED))))
    assert "tracked changes left in NEW" in text
    assert "on 'affärshemligheter': Vi vill ha absolut sekretess här." in text


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.external: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if tag in ("link", "script", "img"):
            self.external.append(tag)


def test_html_is_standalone_and_every_listed_change_links_to_it() -> None:
    page = render_html(result())
    parser = _Links()
    parser.feed(page)
    assert parser.hrefs and all(h.startswith("#") and h[1:] in parser.ids for h in parser.hrefs)
    assert len(parser.hrefs) == 5  # the inserted word, two quotes, both ends of the move
    assert not parser.external
    assert "<ins>inte </ins>" in page


def test_html_escapes_document_text() -> None:
    old = sample_agreement("sv").documents[0]
    new = replace(old, title="<script>alert(1)</script>")
    page = render_html(diff_documents(old, new))
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_json_matches_its_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for data in (result_to_json(result()),
                 result_to_json(diff_sides(side_from_agreement(sample_agreement("sv"), "sent"),
                                           load_side(str(RETURNED))))):
        jsonschema.Draft202012Validator(schema).validate(data)
        json.dumps(data)


def test_json_reports_moves_at_both_ends() -> None:
    data = result_to_json(result())
    ends = [(c["move"], c["old"]["number"], c["new"]["number"]) for c in data["clauses"] if c["move"]]
    assert ends == [("to", "3", "1"), ("from", "3", "1")]
    assert data["differs"] is True


def test_every_schema_property_has_a_title_and_description() -> None:
    def walk(node: object, path: str) -> list[str]:
        missing: list[str] = []
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                if "title" not in sub or "description" not in sub:
                    missing.append(f"{path}/{key}")
            for key, sub in node.items():
                missing += walk(sub, f"{path}/{key}")
        elif isinstance(node, list):
            for k, sub in enumerate(node):
                missing += walk(sub, f"{path}/{k}")
        return missing

    assert walk(json.loads(SCHEMA.read_text(encoding="utf-8")), "") == []


def test_library_versions_are_listed_with_the_redline_of_each() -> None:
    from assembler.compare.diff import diff_versions
    from assembler.compare.present import render_versions_terminal, versions_to_json

    old_doc, new_doc = edited()
    texts = {("uppsagning", "1.0.0"): old_doc, ("uppsagning", "1.1.0"): new_doc}

    def side(ident: str, version: str) -> Side:
        return Side(f"{ident}@{version}", "clause", texts[(ident, version)])

    changes = diff_versions("clause", {"uppsagning": "1.0.0", "parter": "1.0.0", "gammal": "1.0.0"},
                            {"uppsagning": "1.1.0", "parter": "1.0.0", "ny": "2.0.0"},
                            old_side=side, new_side=side)
    assert [(c.id, c.old_version, c.new_version) for c in changes] == [
        ("gammal", "1.0.0", ""), ("ny", "", "2.0.0"), ("uppsagning", "1.0.0", "1.1.0")]
    text = render_versions_terminal(changes)
    assert text.startswith("clause gammal: 1.0.0 → – (removed)\n")
    assert "diff uppsagning@1.0.0 → uppsagning@1.1.0" in text
    data = versions_to_json(changes)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data[2]["diff"])
