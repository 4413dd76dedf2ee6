"""The new-agreement form: posted fields to answers and back, checked with the interview's question plan.

Field names are answer paths (``public_parties.0.contact.name``); an optional
group has a checkbox ``include.<path>``, a list of groups a count
``count.<path>``.  Nothing typed is ever used as anything but a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assembler.interview.answertree import get_value, remove_value, set_value
from assembler.interview.fields import Field, Path_
from assembler.interview.plan import Plan
from assembler.interview.values import Finding, check_value, parse_text
from assembler.library.load import Guard

MAX_ITEMS = 20  # parties, contributions or appendices one form may hold
# Fields that name a file on disk (an appendix's ``file``): the web app never takes a path from a request.
# Such a field is an upload on the page (web/uploads.py); the answer names the file the app made of it.
SERVER_PATHS = frozenset({"file"})


def name_of(path: Path_) -> str:
    """Return the form field name of an answers path."""
    return ".".join(str(p) for p in path)


def id_of(name: str) -> str:
    """Return the HTML id of a form field name."""
    return "f-" + name.replace(".", "-").replace("+", "-")


@dataclass
class FormState:
    """A submitted form read as answers, with what it showed, what it lacks and which guards fire."""

    answers: dict[str, Any]
    decided: dict[Path_, bool]
    raw: dict[str, str]
    counts: dict[str, int]
    findings: dict[str, Finding] = field(default_factory=dict)
    guards: list[Guard] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)
    needed: set[str] = field(default_factory=set)  # names the schema requires because of other answers
    required: set[str] = field(default_factory=set)  # shown fields that must be answered, given the answers
    attached: dict[str, str] = field(default_factory=dict)  # upload field -> the file name the app gave it

    @property
    def errors(self) -> dict[str, Finding]:
        """Return the field errors (warnings left out)."""
        return {k: f for k, f in self.findings.items() if f.level == "error"}

    @property
    def guard_errors(self) -> list[Guard]:
        return [g for g in self.guards if g.level == "error"]


def _count(data: Mapping[str, str], name: str, f: Field) -> int:
    try:
        n = int(data.get(f"count.{name}", "") or max(f.min_items, 1))
    except ValueError:
        n = max(f.min_items, 1)
    return min(max(n, f.min_items, 0), MAX_ITEMS)


def _read(plan: Plan, state: FormState, f: Field, data: Mapping[str, str], path: Path_, lang: str) -> None:
    for c in f.children:
        p = path + (c.name,)
        name = name_of(p)
        if c.name in SERVER_PATHS:
            if name in state.attached:
                set_value(state.answers, p, state.attached[name])
            continue
        if c.kind == "const":
            set_value(state.answers, p, c.schema.get("const"))
            continue
        if c.kind in ("object", "array") and not c.required:
            included = data.get(f"include.{name}") == "1"
            state.decided[p] = included
            if not included:
                continue
        if c.kind == "object":
            _read(plan, state, c, data, p, lang)
        elif c.kind == "array":
            n = _count(data, name, c)
            state.counts[name] = n
            item = Field(c.name, c.item_key, "object", c.schema, True, c.children)
            for i in range(n):
                _read(plan, state, item, data, p + (i,), lang)
                if get_value(state.answers, p + (i,)) is None:
                    set_value(state.answers, p + (i,), {})
            state.decided[p + (n,)] = False
        else:
            _read_value(state, c, data, p, name, lang)


def _read_value(state: FormState, f: Field, data: Mapping[str, str], p: Path_, name: str, lang: str) -> None:
    text = str(data.get(name, ""))
    state.raw[name] = text
    if f.kind == "list":
        items = [line.strip() for line in text.splitlines() if line.strip()]
        if items:
            set_value(state.answers, p, items)
        return
    value, problem = parse_text(f, text, lang, p)
    if problem is not None:
        state.findings[name] = problem
    elif value is not None:
        set_value(state.answers, p, value)


def read_form(plan: Plan, data: Mapping[str, str], lang: str, *, submitted: bool,
              attached: Mapping[str, str] | None = None) -> FormState:
    """Return the answers a posted form describes, checked: field errors, relevance and guards.

    ``submitted`` reports missing required fields too (not on the first, empty form);
    ``attached`` gives the file name of each appendix uploaded with the form.
    """
    state = FormState({}, {}, {}, {}, attached=dict(attached or {}))
    _read(plan, state, plan.form.root, data, (), lang)
    steps = plan.relevant(state.answers, state.decided)
    relevant = {s.path for s in steps if s.kind == "value"}
    for name in list(state.raw):
        path = _path_of(name)
        if path not in relevant and get_value(state.answers, path) is not None:
            remove_value(state.answers, path)  # an answer that no longer applies is not part of the agreement
    _keep_items(state)
    needed = plan.required(state.answers)
    state.needed = {name_of(p) for p in needed}
    for step in steps:
        name = name_of(step.path)
        state.shown.add(name)
        if step.kind != "value" or name in state.findings:
            continue
        value = get_value(state.answers, step.path)
        is_needed = step.field.required or step.path in needed
        if is_needed:
            state.required.add(name)
        if value is None and not (is_needed and submitted):
            continue
        problems = check_value(step.field, value, lang, step.path)
        if problems:
            state.findings[name] = problems[0]
    # A ticked group stays on the page: the plan asks "include it?" only while the group is empty, so the
    # group itself is not among its steps once it holds an answer (the cause of a group vanishing mid-typing).
    state.shown.update(name_of(p) for p, included in state.decided.items()
                       if included and not isinstance(p[-1], int) and _parent_shown(state, p))
    fired = plan.fired_guards(state.answers, state.decided, complete=True)
    # Before the first submit, a guard speaks only about a field the user has filled in: an empty
    # form is not yet "missing an open call".
    state.guards = fired if submitted else [g for g in fired if g.field and _filled(state.answers, g.field)]
    return state


def _parent_shown(state: FormState, path: Path_) -> bool:
    """Whether the group holding ``path`` is on the page (the top level always is)."""
    parent = tuple(p for p in path[:-1] if not isinstance(p, int))
    return not parent or name_of(parent) in state.shown or state.decided.get(parent) is not False


def _filled(answers: dict[str, Any], field_name: str) -> bool:
    return get_value(answers, _path_of(field_name)) is not None


def _keep_items(state: FormState) -> None:
    """Put back the list items that lost every value, so the form keeps its blocks."""
    for name, n in state.counts.items():
        path = _path_of(name)
        for i in range(n):
            if get_value(state.answers, path + (i,)) is None:
                set_value(state.answers, path + (i,), {})


def _path_of(name: str) -> Path_:
    return tuple(int(p) if p.isdigit() else p for p in name.split("."))


def form_data(plan: Plan, answers: Mapping[str, Any]) -> dict[str, str]:
    """Return the form fields that show an answer set (to continue from an uploaded answer file)."""
    out: dict[str, str] = {}
    _write(plan.form.root, answers, (), out)
    return out


def _write(f: Field, data: Any, path: Path_, out: dict[str, str]) -> None:
    if not isinstance(data, Mapping):
        return
    for c in f.children:
        if c.name not in data or c.name in SERVER_PATHS:
            continue
        p = path + (c.name,)
        name = name_of(p)
        value = data[c.name]
        if c.kind in ("object", "array") and not c.required:
            out[f"include.{name}"] = "1"
        if c.kind == "object":
            _write(c, value, p, out)
        elif c.kind == "array" and isinstance(value, list):
            out[f"count.{name}"] = str(min(len(value), MAX_ITEMS))
            item = Field(c.name, c.item_key, "object", c.schema, True, c.children)
            for i, entry in enumerate(value[:MAX_ITEMS]):
                _write(item, entry, p + (i,), out)
        elif c.kind == "list" and isinstance(value, list):
            out[name] = "\n".join(str(v) for v in value)
        elif c.kind == "boolean":
            out[name] = "ja" if value is True else "nej" if value is False else ""
        else:
            out[name] = "" if value is None else str(value)
