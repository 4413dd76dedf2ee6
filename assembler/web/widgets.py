"""The new-agreement form as a tree of widgets for the templates: one per schema field, labelled, with its error."""

from __future__ import annotations

from dataclasses import dataclass, field

from assembler.interview.fields import Field, Form, Path_
from assembler.interview.values import Finding
from assembler.web.forms import SERVER_PATHS, FormState, id_of, name_of


@dataclass
class Widget:
    """One field, group or list of groups of the form, ready to render."""

    kind: str  # group | items | list | text | date | integer | number | boolean | choice | upload
    name: str
    id: str
    label: str
    help: str
    required: bool = False
    optional_group: bool = False
    included: bool = True
    value: str = ""
    finding: Finding | None = None
    shown: bool = True
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Widget] = field(default_factory=list)
    count: int = 0
    min_items: int = 0
    item_label: str = ""

    @property
    def described_by(self) -> str:
        """Return the ids of the help text and the error, for aria-describedby."""
        ids = [f"{self.id}-help"] if self.help else []
        return " ".join(ids + [f"{self.id}-error"])


def build_widgets(form: Form, state: FormState, lang: str) -> list[Widget]:
    """Return the widgets of the whole form, in schema order."""
    return _children(form, form.root, state, (), lang)


def _children(form: Form, f: Field, state: FormState, path: Path_, lang: str) -> list[Widget]:
    out = []
    for c in f.children:
        if c.kind == "const":
            continue
        w = _widget(form, c, state, path + (c.name,), lang)
        if c.name in SERVER_PATHS:  # a file: uploaded with the form, never a typed path
            # The schema's help speaks of a path beside the answer file; the page says what an upload takes.
            w.kind, w.value, w.help = "upload", state.attached.get(w.name, ""), ""
        out.append(w)
    return out


def _widget(form: Form, f: Field, state: FormState, path: Path_, lang: str) -> Widget:
    name = name_of(path)
    labels = form.labels
    needed = f.required or name in state.needed
    w = Widget("group" if f.kind == "object" else "items" if f.kind == "array" else f.kind, name, id_of(name),
               labels.title(f, lang), labels.description(f, lang), required=needed)
    if f.kind in ("object", "array"):
        w.optional_group = not needed
        w.included = needed or state.decided.get(path) is True
        w.shown = needed or name in state.shown
    if f.kind == "object":
        w.children = _children(form, f, state, path, lang)
    elif f.kind == "array":
        w.count = state.counts.get(name, max(f.min_items, 1))
        w.min_items = f.min_items
        w.item_label = labels.item(f, lang)
        item = Field(f.name, f.item_key, "object", f.schema, True, f.children)
        for i in range(w.count):
            group = Widget("group", f"{name}.{i}", id_of(f"{name}.{i}"), f"{w.item_label} {i + 1}", "", required=True)
            group.children = _children(form, item, state, path + (i,), lang)
            w.children.append(group)
    else:
        w.value = state.raw.get(name, "")
        w.finding = state.findings.get(name)
        w.shown = name in state.shown
        w.options = [(o, labels.option(f, o, lang)) for o in f.options]
    return w
