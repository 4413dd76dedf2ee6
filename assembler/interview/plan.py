"""The question plan: which question comes next, and which fields matter, given the answers so far.

Everything here is derived, never listed by hand: the questions and their
order are the properties of the answers schema; a field is required when the
schema says so (``required``, or an ``if``/``then`` that the answers so far
satisfy); an optional yes/no or choice field is relevant when one of its
values changes what the blueprint decides (a section's condition, a variant,
a guard, an appendix) — tried out on the answers so far; an optional group of
fields (an open call, external funding) is offered with a yes/no question.

Fields not answered yet are *pending*: a rule that reads one cannot be
decided yet, so a guard is reported only once everything it reads is known.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jinja2

from assembler.errors import AssemblerError, Location
from assembler.interview.answertree import patched, with_value
from assembler.interview.fields import Field, Form, Path_, item_field, load_form
from assembler.interview.required import conditional_required
from assembler.library.load import Blueprint, Guard, Library
from assembler.library.template import evaluate

Decided = Mapping[Path_, bool]  # include/add-another answers, and optional fields left empty (False)


class PendingValue(jinja2.UndefinedError):
    """Raised when a rule reads a field that has not been answered yet."""


class _Pending:
    """A value not answered yet: any use of it in a rule makes the rule undecidable.

    Unlike Jinja's Undefined it counts as *defined*, so ``x is not defined``
    does not fire a guard for a question that simply has not been asked.
    """

    def _fail(self, *_: Any, **__: Any) -> Any:
        raise PendingValue("a value is not answered yet")

    __getattr__ = __getitem__ = __bool__ = __len__ = __iter__ = __contains__ = _fail  # type: ignore[assignment]
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __add__ = __radd__ = _fail  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<pending>"


PENDING = _Pending()
_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
UNDECIDED = "<undecided>"  # what an outcome holds for a condition that cannot be decided yet


@dataclass(frozen=True)
class Step:
    """One question: a value at ``path``, whether to include an optional group, or whether to add another item."""

    path: Path_
    field: Field
    kind: str  # "value" | "include" | "more"


@dataclass(frozen=True)
class Plan:
    """The question plan of one agreement type: its form, its blueprint and the library defaults."""

    form: Form
    blueprint: Blueprint
    defaults: dict[str, Any]
    clause_texts: dict[str, str] = field(default_factory=dict, repr=False)  # clause id -> every version's text
    reader_cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def next_step(self, answers: dict[str, Any], decided: Decided) -> Step | None:
        """Return the first question still open, in schema order; None when the answers are complete."""
        ctx = _Walk(self, answers, decided, collect=False, complete=False)
        return ctx.walk(self.form.root, answers, ())

    def relevant(self, answers: dict[str, Any], decided: Decided, *, complete: bool = True) -> list[Step]:
        """Return every question that applies given ``answers``, answered or not, in order.

        ``complete`` reads the answers as a whole form (what is missing is left
        out, lists are as long as they are), as the web form submits them.
        """
        walk = _Walk(self, answers, decided, collect=True, complete=complete)
        walk.walk(self.form.root, answers, ())
        return walk.found

    def context(self, answers: dict[str, Any], decided: Decided, *, complete: bool = False,
                computed: frozenset[str] | None = None) -> dict[str, Any]:
        """Return the variables the blueprint's rules see: the answers, pending values, computed values.

        ``computed`` limits the computed values worked out to those named (all by default).
        """
        return self.context_of(_fill(self.form.root, answers, (), decided, complete), computed)

    def context_of(self, filled: dict[str, Any], computed: frozenset[str] | None = None) -> dict[str, Any]:
        """Return the rules' variables for answers already filled with pending values."""
        ctx = dict(filled)
        ctx["defaults"] = dict(self.defaults)
        ctx["as_of"] = PENDING
        for name, expr, loc in self.blueprint.computed:
            if computed is None or name in computed:
                ctx[name] = _try(expr, ctx, loc, PENDING)
        return ctx

    def reading(self, name: str) -> tuple[list[tuple[str, Location]], frozenset[str]]:
        """Return the conditions that read a field called ``name`` and the computed values they need."""
        cached = self.reader_cache.get(f"conditions:{name}")
        if cached is None:
            conditions = [(expr, loc) for expr, loc in self.conditions() if self.mentions(expr, name)]
            cached = (conditions, self._computed_for([expr for expr, _ in conditions]))
            self.reader_cache[f"conditions:{name}"] = cached
        return cached  # type: ignore[return-value]

    def _computed_for(self, sources: list[str]) -> frozenset[str]:
        computed = {n: e for n, e, _ in self.blueprint.computed}
        needed: set[str] = set()
        todo = list(sources)
        while todo:
            text = todo.pop()
            for other, source in computed.items():
                if other not in needed and re.search(rf"\b{re.escape(other)}\b", text):
                    needed.add(other)
                    todo.append(source)
        return frozenset(needed)

    def conditions(self) -> list[tuple[str, Location]]:
        """Return every condition of the blueprint: sections, variants, guards, appendices."""
        out: list[tuple[str, Location]] = []
        for section in self.blueprint.sections:
            if section.when:
                out.append((section.when, section.location))
            out.extend((v.when, v.location) for v in section.variants if v.when)
        out.extend((g.when, g.location) for g in self.blueprint.guards)
        out.extend((a.when, a.location) for a in self.blueprint.appendices if a.when)
        return out

    def outcome(self, ctx: dict[str, Any]) -> tuple[Any, ...]:
        """Return what the blueprint decides on ``ctx``: each condition's truth, or UNDECIDED."""
        return tuple(_truth(expr, ctx, loc) for expr, loc in self.conditions())

    def mentions(self, expr: str, name: str) -> bool:
        """Return whether a rule reads a field called ``name``, itself or through computed values."""
        computed = {n: e for n, e, _ in self.blueprint.computed}
        seen: set[str] = set()
        todo = [expr]
        while todo:
            text = todo.pop()
            if re.search(rf"\b{re.escape(name)}\b", text):
                return True
            for other, source in computed.items():
                if other not in seen and re.search(rf"\b{re.escape(other)}\b", text):
                    seen.add(other)
                    todo.append(source)
        return False

    def fired_guards(self, answers: dict[str, Any], decided: Decided, *, complete: bool = False) -> list[Guard]:
        """Return the guards that can already be decided and fire on the answers so far."""
        ctx = self.context(answers, decided, complete=complete)
        return [g for g in self.blueprint.guards if _try(g.when, ctx, g.location, False) is True]

    def readers(self, path: Path_) -> frozenset[str]:
        """Return the clauses whose text prints or tests the field at ``path``."""
        return _readers(self, _reader_pattern(path))

    def clauses_chosen(self, ctx: dict[str, Any]) -> set[str]:
        """Return the clauses the blueprint chooses on ``ctx``, counting those it cannot decide yet."""
        out: set[str] = set()
        for section in self.blueprint.sections:
            if section.when and _truth(section.when, ctx, section.location) is False:
                continue
            for v in section.variants:
                chosen = _truth(v.when, ctx, v.location) if v.when else True
                if chosen is False:
                    continue
                out.add(v.clause_id)
                if chosen is True:
                    break
        return out

    def required(self, answers: dict[str, Any]) -> set[Path_]:
        """Return the paths an ``if``/``then`` of the schema makes required on these answers."""
        out: set[Path_] = set()
        conditional_required(self.form.root, answers, (), out)
        return out


def plan_for(library: Library, agreement: str) -> Plan:
    """Return the question plan of one agreement type of a library."""
    blueprint = library.blueprint(agreement)
    # Only the template code of a clause reads answers; its prose may use the same words.
    texts = {cid: "\n".join(_CODE.findall("\n".join(body for cv in versions for body in cv.bodies.values())))
             for cid, versions in library.clauses.items()}
    return Plan(load_form(agreement, blueprint.answers_schema), blueprint, dict(library.defaults), texts)


def _reader_pattern(path: Path_) -> str:
    """Return a regular expression for how a clause text refers to the field at ``path``."""
    names = [p for p in path if isinstance(p, str)]
    last_index = max((i for i, p in enumerate(path) if isinstance(p, int)), default=-1)
    own = [p for p in path[last_index + 1:] if isinstance(p, str)]
    if last_index < 0 and len(names) == 1:
        return rf"(?<![\w.]){re.escape(names[0])}\b"
    if len(own) == 1:
        return rf"\.{re.escape(own[0])}\b"  # an item field, read through a loop variable
    return rf"\b{re.escape(names[-2])}\.{re.escape(names[-1])}\b"


def _readers(plan: Plan, pattern: str) -> frozenset[str]:
    found = plan.reader_cache.get(pattern)
    if found is None:
        regex = re.compile(pattern)
        found = frozenset(cid for cid, text in plan.clause_texts.items() if regex.search(text))
        plan.reader_cache[pattern] = found
    return found


def _try(expr: str, ctx: dict[str, Any], loc: Location, fallback: Any) -> Any:
    try:
        return evaluate(expr, ctx, loc)
    except (AssemblerError, PendingValue, TypeError, ValueError, ArithmeticError, jinja2.TemplateError):
        return fallback


def _truth(expr: str, ctx: dict[str, Any], loc: Location) -> Any:
    value = _try(expr, ctx, loc, UNDECIDED)
    if value is UNDECIDED or value is PENDING:
        return UNDECIDED
    try:
        return bool(value)
    except PendingValue:
        return UNDECIDED


def _fill(f: Field, data: Any, path: Path_, decided: Decided, complete: bool) -> Any:
    """Return ``data`` with every field not answered yet (and not left out) set to PENDING.

    With ``complete`` nothing is pending: what is missing is left out.
    """
    if f.kind == "object":
        if not isinstance(data, dict):
            return PENDING
        out: dict[str, Any] = {}
        for c in f.children:
            p = path + (c.name,)
            if c.name in data:
                out[c.name] = _fill(c, data[c.name], p, decided, complete)
            elif c.kind == "const":
                out[c.name] = c.schema.get("const")
            elif complete or decided.get(p) is False:
                continue  # left out on purpose: undefined, as in a finished answer file
            elif c.kind == "object" and decided.get(p) is True:
                out[c.name] = _fill(c, {}, p, decided, complete)
            else:
                out[c.name] = PENDING
        return out
    if f.kind == "array" and isinstance(data, list):
        if not complete and decided.get(path + (len(data),)) is not False:
            return PENDING  # more items may come: its length is not known yet
        return [_fill(item_field(f), d, path + (i,), decided, complete) for i, d in enumerate(data)]
    return data


class _Walk:
    """One pass over the form in schema order, finding the first open question or all relevant ones."""

    def __init__(self, plan: Plan, answers: dict[str, Any], decided: Decided, collect: bool, complete: bool) -> None:
        self.plan = plan
        self.complete = complete
        self.answers = answers
        self.decided = decided
        self.collect = collect
        self.needed = plan.required(answers)
        self.found: list[Step] = []
        self._chosen: set[str] | None = None
        self._filled: dict[str, Any] | None = None

    def stop(self, step: Step, answered: bool) -> Step | None:
        """Record a question; return it when it is the open one being looked for."""
        if self.collect:
            self.found.append(step)
            return None
        return None if answered else step

    def walk(self, f: Field, data: Any, path: Path_) -> Step | None:
        data = data if isinstance(data, dict) else {}
        for c in f.children:
            step = self.child(c, data, path + (c.name,))
            if step is not None:
                return step
        return None

    def child(self, c: Field, data: dict[str, Any], p: Path_) -> Step | None:
        present = c.name in data
        needed = c.required or p in self.needed
        if c.kind == "const":
            return None
        if c.kind in ("object", "array") and not present and not needed:
            choice = self.decided.get(p)
            step = self.stop(Step(p, c, "include"), choice is not None)
            if step is not None or choice is not True:
                return step
        if c.kind == "object":
            return self.walk(c, data.get(c.name), p)
        if c.kind == "array":
            return self.items(c, data.get(c.name), p)
        if not present and not needed:
            if self.decided.get(p) is False and not self.collect:
                return None
            if not self.wanted(p, c):
                return None
        return self.stop(Step(p, c, "value"), present or self.decided.get(p) is False)

    def items(self, c: Field, items: Any, p: Path_) -> Step | None:
        items = items if isinstance(items, list) else []
        item = item_field(c)
        for i, entry in enumerate(items):
            step = self.walk(item, entry, p + (i,))
            if step is not None:
                return step
        n = len(items)
        if n < max(c.min_items, 1):
            return self.walk(item, {}, p + (n,))
        more = self.decided.get(p + (n,))
        step = self.stop(Step(p + (n,), c, "more"), more is not None)
        if step is not None or not more:
            return step
        return self.walk(item, {}, p + (n,))

    def wanted(self, path: Path_, f: Field) -> bool:
        """Return whether an optional field is worth asking, given the answers so far.

        A yes/no or choice field is, when one of its values changes a condition
        of the blueprint; any field is, when a clause the blueprint chooses (or
        may still choose) reads it; a field nothing in the library reads is
        asked (something else, such as the page header, may print it).
        """
        if f.kind in ("boolean", "choice") and self.matters(path, f):
            return True
        readers = self.plan.readers(path)
        if readers:
            if self._chosen is None:
                ctx = self.plan.context(self.answers, self.decided, complete=self.complete)
                self._chosen = self.plan.clauses_chosen(ctx)
            return bool(readers & self._chosen)
        return f.kind not in ("boolean", "choice")

    def matters(self, path: Path_, f: Field) -> bool:
        """Return whether some value of an optional yes/no or choice field changes what the blueprint decides."""
        conditions, computed = self.plan.reading(f.name)
        if not conditions:
            return False  # no rule reads it: no value of it changes what the blueprint decides
        values: list[Any] = [True, False] if f.kind == "boolean" else list(f.options)
        if self._filled is None:
            self._filled = _fill(self.plan.form.root, self.answers, (), self.decided, self.complete)
        outcomes = []
        for value in [None, *values]:
            filled = patched(self._filled, path, value)
            if filled is None:  # the path runs through a pending value: fill the trial answers afresh
                decided = {**self.decided, path: False} if value is None else dict(self.decided)
                trial = self.answers if value is None else with_value(self.answers, path, value)
                filled = _fill(self.plan.form.root, trial, (), decided, self.complete)
            ctx = self.plan.context_of(filled, computed)
            outcomes.append(tuple(_truth(expr, ctx, loc) for expr, loc in conditions))
        for decisions in zip(*outcomes):
            if any(v is UNDECIDED for v in decisions):
                return True  # a rule reading this field cannot be decided yet: ask rather than guess
            if len(set(decisions)) > 1:
                return True
        return False
