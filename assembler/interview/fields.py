"""The answers schema as a tree of fields, with their titles and help texts per language.

The tree is read from the blueprint's answers schema (``$ref`` resolved,
properties in schema order); the Swedish texts and the titles of enum choices
come from the labels file beside the schema (``<agreement>.labels.yaml``),
which translates and adds nothing else.  English falls back to the schema's
own ``title`` and ``description``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assembler.errors import LibraryError, Location

Path_ = tuple[str | int, ...]  # a concrete answers path: ("public_parties", 0, "orgnr")

SCALAR_KINDS = ("text", "date", "integer", "number", "boolean", "choice")


@dataclass(frozen=True)
class Field:
    """One property of the answers schema: where it sits, what it accepts, how it is labelled."""

    name: str
    key: str  # the labels key of the node its texts come from, e.g. "$defs/contact/name"
    kind: str  # object | array (of objects) | list (of text) | text | date | integer | number | boolean | choice | const
    schema: dict[str, Any] = field(compare=False, repr=False)
    required: bool = False
    children: tuple[Field, ...] = ()
    options: tuple[str, ...] = ()
    option_key: str = ""  # labels key of the choices
    title: str = ""
    description: str = ""
    min_items: int = 0
    item_key: str = ""  # for an array of objects: the labels key of one item, e.g. "$defs/public_party"
    item_title: str = ""  # for an array of objects: the schema's title of one item

    def child(self, name: str) -> Field | None:
        """Return the child field called ``name``, or None."""
        return next((c for c in self.children if c.name == name), None)


@dataclass(frozen=True)
class Labels:
    """Titles and help texts per language, keyed by schema location, and the titles of choices."""

    texts: dict[str, dict[str, dict[str, str]]]  # lang -> key -> {title, description}
    options: dict[str, dict[str, dict[str, str]]]  # key -> value -> lang -> title

    def title(self, f: Field, lang: str) -> str:
        """Return the field's title in ``lang`` (the schema's English title when untranslated)."""
        return self.texts.get(lang, {}).get(f.key, {}).get("title") or f.title or f.name

    def description(self, f: Field, lang: str) -> str:
        """Return the field's help text in ``lang`` (the schema's description when untranslated)."""
        return self.texts.get(lang, {}).get(f.key, {}).get("description") or f.description

    def item(self, f: Field, lang: str) -> str:
        """Return the title of one item of a list of groups in ``lang``, e.g. "Offentlig part"."""
        return self.texts.get(lang, {}).get(f.item_key, {}).get("title") or f.item_title or self.title(f, lang)

    def option(self, f: Field, value: str, lang: str) -> str:
        """Return the title of one choice of an enum field in ``lang`` (the value itself when untitled)."""
        return self.options.get(f.option_key, {}).get(value, {}).get(lang) or value


@dataclass(frozen=True)
class Form:
    """The answers schema of one agreement type, as a field tree with labels."""

    agreement: str
    schema_path: Path
    schema: dict[str, Any] = field(repr=False)
    root: Field
    labels: Labels

    def field_at(self, path: Path_) -> Field | None:
        """Return the field a concrete answers path points at (array indices step into items)."""
        current: Field | None = self.root
        for part in path:
            if current is None:
                return None
            if isinstance(part, int):
                if current.kind not in ("array", "list"):
                    return None
                continue
            current = current.child(part)
        return current


def item_field(f: Field) -> Field:
    """Return the field of one item of an array of objects."""
    return Field(f.name, f.item_key, "object", f.schema, True, f.children)


def _resolve(node: dict[str, Any], schema: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Return a node with its ``$ref`` merged in (the node's own keys win) and the ref's key."""
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return node, None
    target: Any = schema
    for part in ref[2:].split("/"):
        target = target.get(part, {}) if isinstance(target, dict) else {}
    merged = dict(target)
    merged.update({k: v for k, v in node.items() if k != "$ref"})
    return merged, ref[2:].replace("/properties/", "/")


def _kind(node: dict[str, Any]) -> str:
    if "const" in node:
        return "const"
    if "enum" in node:
        return "choice"
    t = node.get("type")
    if t == "object":
        return "object"
    if t == "array":
        items = node.get("items") or {}
        return "array" if items.get("type") == "object" or "$ref" in items else "list"
    if t == "string":
        return "date" if node.get("format") == "date" else "text"
    if t in ("integer", "number", "boolean"):
        return str(t)
    return "text"


def build_field(name: str, node: dict[str, Any], key: str, schema: dict[str, Any], required: bool) -> Field:
    """Return the field of one schema node, with its children for objects and arrays of objects."""
    node, ref_key = _resolve(node, schema)
    kind = _kind(node)
    children: tuple[Field, ...] = ()
    body = node
    body_key = key
    if kind == "array":
        body, item_ref = _resolve(node.get("items") or {}, schema)
        body_key = item_ref or (f"{key}/items" if key else "items")
    elif ref_key is not None:
        body_key = ref_key
    if kind in ("object", "array"):
        needed = set(body.get("required") or ())
        children = tuple(build_field(n, sub, f"{body_key}/{n}" if body_key else n, schema, n in needed)
                         for n, sub in (body.get("properties") or {}).items())
    options = tuple(str(v) for v in node.get("enum") or ())
    return Field(name, key, kind, node, required, children, options, option_key=ref_key or key,
                 title=str(node.get("title") or ""), description=str(node.get("description") or ""),
                 min_items=int(node.get("minItems") or 0), item_key=body_key if kind == "array" else "",
                 item_title=str(body.get("title") or "") if kind == "array" else "")


def _labels_file(schema_path: Path) -> Path:
    stem = schema_path.name.removesuffix(".schema.json").removesuffix(".json")
    return schema_path.with_name(stem + ".labels.yaml")


def load_labels(schema_path: Path) -> Labels:
    """Return the labels beside a schema; none (English from the schema) when there is no labels file."""
    path = _labels_file(schema_path)
    if not path.is_file():
        return Labels({}, {})
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise LibraryError(f"the labels file cannot be read: {exc}", Location(str(path)), code="library.labels") from None
    texts = {str(lang): {str(k): {str(a): str(b) for a, b in (v or {}).items()} for k, v in (entries or {}).items()}
             for lang, entries in data.items() if lang != "options"}
    options = {str(k): {str(val): {str(a): str(b) for a, b in (langs or {}).items()} for val, langs in (v or {}).items()}
               for k, v in (data.get("options") or {}).items()}
    return Labels(texts, options)


@lru_cache(maxsize=8)
def _load_form(agreement: str, schema_path: str, mtime: float) -> Form:
    path = Path(schema_path)
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LibraryError(f"the answers schema cannot be read: {exc}", Location(schema_path),
                           code="library.answers-schema") from None
    root = build_field("", schema, "", schema, True)
    return Form(agreement, path, schema, root, load_labels(path))


def load_form(agreement: str, schema_path: Path) -> Form:
    """Return the form of an agreement type from its answers schema (cached while the file is unchanged)."""
    try:
        mtime = schema_path.stat().st_mtime
    except OSError:
        raise LibraryError("the answers schema does not exist", Location(str(schema_path)),
                           code="library.answers-schema") from None
    return _load_form(agreement, str(schema_path), mtime)
