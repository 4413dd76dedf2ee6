"""Writing answers as a commented YAML answer file, in schema order, that ``build`` reads unchanged."""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

from assembler.interview.fields import Field, Form

WIDTH = 100


def scalar(value: Any) -> str:
    """Return one value as a YAML scalar, quoted where YAML would read it as something else."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**9)
    return text.removesuffix("\n").removesuffix("\n...").removesuffix("...").rstrip("\n")


def _comment(form: Form, f: Field, lang: str, indent: str) -> list[str]:
    title = form.labels.title(f, lang)
    help_text = form.labels.description(f, lang)
    text = f"{title}: {help_text}" if help_text else title
    if f.kind == "choice":
        choices = "; ".join(f"{o} = {form.labels.option(f, o, lang)}" for o in f.options)
        text += f" ({choices})"
    return [f"{indent}# {line}" for line in textwrap.wrap(text, WIDTH - len(indent) - 2)]


def _object(form: Form, f: Field, data: dict[str, Any], lang: str, indent: str, first_prefix: str = "") -> list[str]:
    lines: list[str] = []
    prefix = first_prefix
    known = {c.name for c in f.children}
    for c in f.children:
        if c.name not in data:
            continue
        value = data[c.name]
        lines += _comment(form, c, lang, indent) if not prefix else []
        lead = (indent[:-2] + prefix) if prefix else indent
        prefix = ""
        lines += _entry(form, c, value, lang, indent, lead)
    for name, extra in data.items():
        if name not in known:
            dumped = yaml.safe_dump({name: extra}, allow_unicode=True, sort_keys=False, width=WIDTH)
            lines += [indent + line for line in dumped.splitlines()]
    return lines


def _entry(form: Form, c: Field, value: Any, lang: str, indent: str, lead: str) -> list[str]:
    if c.kind == "object" and isinstance(value, dict):
        return [f"{lead}{c.name}:"] + _object(form, c, value, lang, indent + "  ")
    if c.kind == "array" and isinstance(value, list):
        out = [f"{lead}{c.name}:"]
        item = Field(c.name, c.item_key, "object", c.schema, True, c.children)
        for entry in value:
            if isinstance(entry, dict) and entry:
                first = next((x for x in item.children if x.name in entry), None)
                if first is not None:
                    out += _comment(form, first, lang, indent + "  ")
                out += _object(form, item, entry, lang, indent + "    ", first_prefix="- ")
            else:
                out.append(f"{indent}  - {scalar(entry)}")
        return out
    if isinstance(value, list):
        return [f"{lead}{c.name}:"] + [f"{indent}  - {scalar(v)}" for v in value]
    return [f"{lead}{c.name}: {scalar(value)}"]


def answers_yaml(form: Form, answers: dict[str, Any], lang: str, schema_uri: str | None = None) -> str:
    """Return the answers as YAML with a comment above every field in ``lang``.

    The first line, ``# yaml-language-server: $schema=…``, lets an editor
    validate the file against the answers schema as it is edited.
    """
    head = [f"# yaml-language-server: $schema={schema_uri}"] if schema_uri else []
    root_title = form.labels.title(form.root, lang)
    head += [f"# {line}" for line in textwrap.wrap(root_title + ". " + form.labels.description(form.root, lang),
                                                     WIDTH - 2)]
    return "\n".join(head + _object(form, form.root, answers, lang, "")) + "\n"
