"""Layout: numbers, cross-references, defined terms, appendices and signatures.

Numbers are given after the rules have chosen the clauses, so an omitted
clause leaves no gap, and every cross-reference shows the final number.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

from assembler._version import __version__
from assembler.assembly.answers import canonical_text
from assembler.assembly.render import Rendered, RenderedClause
from assembler.assembly.rules import Plan
from assembler.errors import Location, RenderError
from assembler.library.load import Library
from assembler.library.markup import DEFINITIONS
from assembler.library.template import long_date
from assembler.model import (
    Agreement,
    Appendix,
    Block,
    Clause,
    ClauseStamp,
    Document,
    ItemList,
    Labels,
    ListItem,
    Manifest,
    Paragraph,
    Properties,
    Signature,
    Span,
    language_tag,
)

ARTICLES = {"sv": ("den", "det", "de"), "en": ("the", "a", "an")}
_SV_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzåäö"


def sort_key(text: str, lang: str) -> tuple[Any, ...]:
    """Return a key that sorts words in the language's alphabetical order."""
    t = text.casefold().strip("”“\"'’ ")
    # A leading article does not count: "den Offentliga Parten" sorts under O.
    for article in ARTICLES.get(lang, ()):
        if t.startswith(article + " "):
            t = t[len(article) + 1:]
            break
    if lang == "sv":
        key = []
        for ch in t:
            if ch in _SV_ALPHABET:
                key.append(_SV_ALPHABET.index(ch))
            else:
                base = unicodedata.normalize("NFD", ch)[0]  # é sorts as e, ü as y is close enough as u
                key.append(_SV_ALPHABET.index(base) if base in _SV_ALPHABET else 100 + ord(ch))
        return tuple(key)
    return tuple(unicodedata.normalize("NFD", t).encode("ascii", "ignore").decode() or t)


# Spans given their resolved text, by (the span's identity, text): a clause's parsed spans are shared by every
# build whose clause text is the same, and so are their numbers and terms.  Each entry holds its span, so that
# no other span can take its identity while the entry is kept.
_RESOLVED: dict[tuple[int, str], tuple[Span, Span]] = {}
_RESOLVED_MAX = 4096
_RESOLVED_TEXT_MAX = 500  # a longer text (a term defined at length) is not kept: the table stays small


def _with_text(span: Span, text: str) -> Span:
    """Return ``span`` showing ``text`` (what ``dataclasses.replace`` makes, made once for the same span and text)."""
    key = (id(span), text)
    kept = _RESOLVED.get(key)
    if kept is not None and kept[0] is span:
        return kept[1]
    made = Span(text, span.bold, span.italic, span.kind, span.target)
    if len(text) > _RESOLVED_TEXT_MAX:
        return made
    if len(_RESOLVED) >= _RESOLVED_MAX:
        _RESOLVED.clear()
    _RESOLVED[key] = (span, made)
    return made


def _file(where: RenderedClause) -> Location:
    """Return the location of a clause's file (made only when an error is raised there)."""
    return Location(str(where.clause.path))


class _Layout:
    def __init__(self, plan: Plan, rendered: Rendered, library: Library, languages: tuple[str, ...]) -> None:
        self.plan = plan
        self.rendered = rendered
        self.library = library
        self.languages = languages
        self.numbers = {rc.clause.id: str(i + 1) for i, rc in enumerate(rendered.clauses)}
        self.sub_counts: dict[str, int] = {}
        self.appendix_numbers = {a.id: i + 1 for i, a in enumerate(plan.appendices)}
        self.used_terms: list[str] = []
        by_id = {rc.clause.id: rc for rc in rendered.clauses}
        self.term_home = {term: by_id[cv.id] for term, cv in rendered.term_sources.items()}  # where each is defined

    def labels(self, lang: str) -> Labels:
        found = self.library.labels.get(lang)
        return found if found is not None else Labels()

    def resolve_span(self, span: Span, lang: str, where: RenderedClause) -> Span:
        if span.kind == "text" or not span.target:
            return span  # most spans: nothing to resolve
        if span.kind == "ref" and span.target.startswith("appendix:"):
            ident = span.target.split(":", 1)[1]
            if ident not in self.appendix_numbers:
                raise RenderError(f"the clause refers to the appendix '{ident}', which is not part of this agreement",
                                  _file(where),
                                  code="render.appendix-unknown")
            return _with_text(span, f"{self.labels(lang).appendix} {self.appendix_numbers[ident]}")
        if span.kind == "ref":
            ident, _, sub = span.target.partition(":")
            if ident not in self.numbers:
                raise RenderError(f"the clause refers to the clause '{ident}', which is not part of this agreement",
                                  _file(where),
                                  code="render.xref-unknown")
            if sub:
                if int(sub) < 1 or int(sub) > self.sub_counts.get(ident, 0):
                    raise RenderError(f"the clause refers to {ident} sub-clause {sub}, which does not exist",
                                      _file(where), code="render.xref-unknown")
                return Span(f"{self.numbers[ident]}.{sub}", span.bold, span.italic, span.kind, f"{ident}:{sub}")
            return _with_text(span, self.numbers[ident])
        if span.kind == "term":
            term = self.rendered.terms.get(span.target)
            if term is None:
                raise RenderError(f"the clause uses the term '{span.target}', which no clause in this agreement defines",
                                  _file(where),
                                  code="render.term-unknown")
            if span.target not in self.used_terms:
                for per_lang in term.values():
                    if per_lang.error is not None:
                        raise per_lang.error
                self.used_terms.append(span.target)
            return _with_text(span, term[lang].text)
        return span

    def resolve_spans(self, spans: tuple[Span, ...], lang: str, where: RenderedClause) -> tuple[Span, ...]:
        for span in spans:
            if span.kind != "text" and span.target:
                return tuple(self.resolve_span(s, lang, where) for s in spans)
        return spans  # most runs: nothing to resolve, the same tuple

    def count_subclauses(self) -> None:
        lang = self.languages[0]
        for rc in self.rendered.clauses:
            numbered = rc.clause.numbering != "none"
            self.sub_counts[rc.clause.id] = sum(1 for b in rc.blocks[lang] if isinstance(b, Paragraph)) if numbered else 0

    def clause_blocks(self, rc: RenderedClause, lang: str) -> tuple[Block, ...]:
        number = self.numbers[rc.clause.id]
        numbered = rc.clause.numbering != "none"
        out: list[Block] = []
        k = 0
        for block in rc.blocks[lang]:
            if isinstance(block, Paragraph):
                if any(s.target == DEFINITIONS for s in block.spans):
                    out.append(ItemList((), "bullet"))  # filled once every term use is known
                    continue
                k += 1
                out.append(Paragraph(self.resolve_spans(block.spans, lang, rc), f"{number}.{k}" if numbered else None))
            else:
                items = tuple(ListItem(self.resolve_spans(i.spans, lang, rc), i.label) for i in block.items)
                out.append(ItemList(items, block.style))
        return tuple(out)

    def definitions(self, lang: str, order: list[str]) -> ItemList:
        items = []
        for ident in order:
            term = self.rendered.terms[ident][lang]
            spans = (Span(f"”{term.text}”" if lang == "sv" else f"“{term.text}”", bold=True),
                     Span(f" {self.labels(lang).means} ")) + self.resolve_spans(term.definition, lang,
                                                                                self.term_home[ident])
            items.append(ListItem(spans))
        return ItemList(tuple(items), "bullet")

    def term_order(self) -> dict[str, list[str]]:
        # Terms used inside definitions count as used too: repeat until nothing new appears.
        seen = -1
        while seen != len(self.used_terms):
            seen = len(self.used_terms)
            for ident in list(self.used_terms):
                for lang in self.languages:
                    self.resolve_spans(self.rendered.terms[ident][lang].definition, lang, self.term_home[ident])
        orders = {lang: sorted(self.used_terms, key=lambda t: sort_key(self.rendered.terms[t][lang].text, lang))
                  for lang in self.languages}
        if len(self.languages) > 1:
            # Side by side, both columns follow the first language so rows pair the same term.
            orders = {lang: orders[self.languages[0]] for lang in self.languages}
        return orders

    def build(self) -> Agreement:
        self.count_subclauses()
        bodies = {lang: [(rc, self.clause_blocks(rc, lang)) for rc in self.rendered.clauses] for lang in self.languages}
        orders = self.term_order()
        docs = []
        for lang in self.languages:
            clauses = []
            for rc, blocks in bodies[lang]:
                filled = tuple(self.definitions(lang, orders[lang]) if isinstance(b, ItemList) and not b.items else b
                               for b in blocks)
                clauses.append(Clause(self.numbers[rc.clause.id], rc.clause.title[lang], filled,
                                      rc.clause.id, str(rc.clause.version), rc.clause.sha256))
            docs.append(self.document(lang, tuple(clauses)))
        return Agreement(tuple(docs), self.manifest())

    def document(self, lang: str, clauses: tuple[Clause, ...]) -> Document:
        plan = self.plan
        labels = self.labels(lang)
        data = plan.answers.data
        title = plan.blueprint.title[lang]
        appendices = tuple(Appendix(i + 1, f"{labels.appendix} {i + 1}", a.title.get(lang) or a.title.get("sv", ""),
                                    a.id, str(a.file) if a.file else None)
                           for i, a in enumerate(plan.appendices))
        parties = plan.context["signing_parties"]
        signatures = tuple(self.signature(p, lang) for p in parties)
        project = data.get("project") or {}
        keywords = tuple(k for k in ("OPI", "offentlig-privat innovation" if lang == "sv" else "public-private innovation",
                                     str(data.get("reference", ""))) if k)
        props = Properties(
            title=title, subject=str(project.get("title", "")), keywords=keywords,
            author=str(parties[0]["name"]) if parties else "",
            comments=self.library.disclaimer.get(lang, ""), language=language_tag(lang), date=plan.as_of,
        )
        return Document(language=lang, title=title, clauses=clauses, reference=str(data.get("reference", "")),
                        appendices=appendices, signatures=signatures, labels=labels, properties=props,
                        draft=plan.draft)

    def signature(self, party: dict[str, Any], lang: str) -> Signature:
        """Return one party's signature block; on paper the public parties' blocks carry place and date."""
        plan = self.plan
        place, date = "", ""
        if plan.context.get("electronic_signing"):
            date = self.labels(lang).signed_electronically
        elif plan.context.get("print_place_date") and party in (plan.answers.data.get("public_parties") or []):
            signing = plan.answers.data.get("signing") or {}
            place, date = str(signing.get("place", "")), long_date(signing.get("date"), lang)
        # A foreign company has a registration number in its home register instead of an organisationsnummer.
        number = party.get("orgnr") or party.get("registration_number", "")
        return Signature(party["name"], number, party["signatory"]["name"], party["signatory"]["title"],
                         place=place, date=date)

    def manifest(self) -> Manifest:
        plan = self.plan
        data = plan.answers.data
        parties = [p["name"] for p in plan.context["signing_parties"]]
        # An issued document travels to the other parties: it carries the answers as data, never the
        # file's comments (internal notes); only a rebuild of an older document embeds the text again.
        # (Answers with no text of their own, a spreadsheet row's, are recorded canonically even then.)
        embed_text = plan.embed_text and bool(plan.answers.text)
        answers = plan.answers.text if embed_text else canonical_text(plan.answers.data)
        answers_sha256 = plan.answers.sha256 if embed_text else hashlib.sha256(answers.encode()).hexdigest()
        return Manifest(
            agreement=plan.blueprint.id, agreement_version=str(plan.blueprint.version), language=plan.language,
            assembled=plan.as_of,
            clauses=tuple(ClauseStamp(c.id, str(c.version), c.sha256) for c in plan.clauses),
            answers_sha256=answers_sha256, tool_version=__version__,
            warnings=tuple(str(w.message) for w in plan.warnings), draft=plan.draft,
            reference=str(data.get("reference", "")), parties=tuple(parties),
            blueprint_sha256=plan.blueprint.sha256,
            appendices=tuple(a.title.get("sv", "") for a in plan.appendices),
            answers=answers, answers_form="text" if embed_text else "canonical",
        )


def layout_agreement(plan: Plan, rendered: Rendered, library: Library) -> Agreement:
    """Return the numbered agreement: one document per language and the manifest."""
    languages = tuple(plan.language.split("+"))
    return _Layout(plan, rendered, library, languages).build()
