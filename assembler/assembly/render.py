"""Rendering clause text: sandboxed Jinja2 with the answers, then the markup into blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2

from assembler._limits import LimitError
from assembler.assembly.rules import Plan
from assembler.errors import AssemblerError, LibraryError, Location, RenderError
from assembler.library.load import ClauseVersion
from assembler.library.markup import marker, parse_blocks, parse_inline
from assembler.library.memo import Memo, ValueKeys, remembered, template_names
from assembler.library.template import (
    ENV,
    Raw,
    budget_used,
    charge_budget,
    compile_template,
    template_line,
    template_reads,
    undefined_message,
)
from assembler.model import Block, Span


@dataclass(frozen=True)
class Term:
    """A defined term in one language: its printed form and its rendered definition."""

    text: str
    definition: tuple[Span, ...]
    error: AssemblerError | None = None  # raised only if the agreement uses the term


@dataclass(frozen=True)
class RenderedClause:
    """A clause rendered in every language, blocks not yet numbered."""

    clause: ClauseVersion
    blocks: dict[str, tuple[Block, ...]]


@dataclass(frozen=True)
class Rendered:
    """Every clause of the plan rendered, and every term the clauses define."""

    clauses: tuple[RenderedClause, ...]
    terms: dict[str, dict[str, Term]]  # term id -> language -> term
    term_sources: dict[str, ClauseVersion]


def helpers() -> dict[str, Any]:
    """Return the functions clause text may call; each prints a marker for the layout stage."""
    def ref(clause_id: str, sub: int | None = None) -> Raw:
        return Raw(marker("R", clause_id) if sub is None else marker("R", clause_id, int(sub)))

    def appendix(appendix_id: str) -> Raw:
        return Raw(marker("A", appendix_id))

    def term(term_id: str) -> Raw:
        return Raw(marker("T", term_id))

    def definitions() -> Raw:
        return Raw(marker("D"))

    return {"ref": ref, "appendix": appendix, "term": term, "definitions": definitions}


_HELPERS = frozenset(helpers())
# Rendered text and its blocks, by template and the values it reads (see assembler.library.memo): most clauses
# of a batch's agreements read no field that differs from row to row.
_TEXTS = Memo()
_NAMES: dict[jinja2.Template, tuple[str, ...] | None] = {}
_BLOCKS: dict[str, tuple[Block, ...]] = {}


def template_for(clause: ClauseVersion, lang: str) -> jinja2.Template:
    """Return the compiled template of one language section of a clause version (cached)."""
    # Leading blank lines keep Jinja's line numbers equal to the file's.
    source = "\n" * (clause.body_lines[lang] - 1) + clause.bodies[lang]
    try:
        return _named(compile_template(source, str(clause.path)), source)
    except jinja2.TemplateSyntaxError as exc:
        raise LibraryError(f"template syntax error: {exc.message}", Location(str(clause.path), exc.lineno),
                           code="library.template-syntax") from None


def _named(template: jinja2.Template, source: str) -> jinja2.Template:
    """Return ``template``, having worked out once which variables it reads."""
    if template not in _NAMES:
        if len(_NAMES) >= 4096:
            _NAMES.clear()
            _TEXTS.clear()
        try:
            _NAMES[template] = template_reads(template, _HELPERS)  # found when it was compiled
        except KeyError:
            _NAMES[template] = template_names(template, source, ENV, _HELPERS)
    return template


def render_memo(template: jinja2.Template, context: dict[str, Any], keys: ValueKeys, file: str) -> str:
    """Return :func:`render_text` of ``template``, remembered by the values of the variables it reads."""
    names = _NAMES.get(template)
    key = keys.key(names) if names is not None else None
    if key is None:
        keys.forget()  # a template not remembered may have changed a value the keys were made of
        return render_text(template, context, file)
    return str(remembered(_TEXTS, (template, *key), lambda: render_text(template, context, file),
                          budget_used, charge_budget))


def render_text(template: jinja2.Template, context: dict[str, Any], file: str) -> str:
    """Render a template; turn any failure into an error naming the file and line."""
    try:
        return template.render(context)
    except jinja2.UndefinedError as exc:
        raise RenderError(f"the text uses a value the answers do not have: {undefined_message(exc)}",
                          Location(file, template_line(exc, file)), code="render.undefined") from None
    except RenderError as exc:
        raise RenderError(exc.message, Location(file, template_line(exc, file)), code=exc.code) from None
    except LimitError as exc:
        raise LimitError(exc.message, Location(file, template_line(exc, file)), code=exc.code) from None
    except RecursionError:
        raise LimitError("the text's macros or expressions recurse without end", Location(file),
                         code="limit.expression-recursion") from None
    except jinja2.TemplateError as exc:
        raise RenderError(f"the text cannot be rendered: {exc}", Location(file, template_line(exc, file)),
                          code="render.failed") from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as exc:
        raise RenderError(f"the text cannot be rendered with these answers: {exc}",
                          Location(file, template_line(exc, file)), code="render.failed") from None


def _context(plan: Plan, lang: str) -> dict[str, Any]:
    ctx = dict(plan.context)
    ctx["lang"] = lang
    ctx["output_language"] = plan.language  # "sv", "en" or "sv+en", after any --lang override
    ctx.update(helpers())
    return ctx


def render_clause(clause: ClauseVersion, context: dict[str, Any], lang: str,
                  keys: ValueKeys | None = None) -> tuple[Block, ...]:
    """Return one clause's blocks in one language; ``keys`` (of ``context``) lets a remembered result be reused."""
    text = render_memo(template_for(clause, lang), context, keys or ValueKeys(context), str(clause.path))
    blocks = _BLOCKS.get(text)
    if blocks is not None:
        return blocks
    try:
        blocks = parse_blocks(text)
    except RenderError as exc:
        raise RenderError(exc.message, Location(str(clause.path), clause.body_lines[lang]), code=exc.code) from None
    if len(_BLOCKS) >= 4096:
        _BLOCKS.clear()
    _BLOCKS[text] = blocks  # blocks are frozen values: the same text always parses to equal ones
    return blocks


def render_plan(plan: Plan, languages: tuple[str, ...]) -> Rendered:
    """Render every clause of the plan and every term its clauses define, per language."""
    contexts = {lang: _context(plan, lang) for lang in languages}
    epoch = [0]  # the languages' contexts share the answers: see ValueKeys
    keys = {lang: ValueKeys(contexts[lang], epoch) for lang in languages}
    clauses = tuple(RenderedClause(cv, {lang: render_clause(cv, contexts[lang], lang, keys[lang])
                                        for lang in languages})
                    for cv in plan.clauses)
    terms: dict[str, dict[str, Term]] = {}
    sources: dict[str, ClauseVersion] = {}
    for cv in plan.clauses:
        for i, d in enumerate(cv.defines):
            per_lang: dict[str, Term] = {}
            for lang in languages:
                name = f"{cv.path}#defines[{i}].{lang}"
                source = d[lang]["definition"]
                try:
                    tpl = _named(compile_template(source, name), source)
                except jinja2.TemplateSyntaxError as exc:
                    raise LibraryError(f"template syntax error in a definition: {exc.message}",
                                         cv.front.locate(("defines", i, lang, "definition")),
        code="library.template-syntax") from None
                try:
                    text = render_memo(tpl, contexts[lang], keys[lang], name)
                    per_lang[lang] = Term(d[lang]["term"], parse_inline(" ".join(text.split())))
                except AssemblerError as exc:
                    # A definition may need answers that only agreements using the term have.
                    loc = cv.front.locate(("defines", i, lang, "definition"))
                    per_lang[lang] = Term(d[lang]["term"], (), RenderError(exc.message, loc, code="render.term"))
            terms[d["id"]] = per_lang
            sources[d["id"]] = cv
    return Rendered(clauses, terms, sources)
