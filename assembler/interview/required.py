"""What the answers schema's ``if``/``then`` rules make required, given the answers so far."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from assembler.interview.fields import Field, Path_, item_field


def conditional_required(f: Field, data: Any, path: Path_, out: set[Path_]) -> None:
    if not isinstance(data, dict):
        return
    for rule in f.schema.get("allOf") or ():
        if isinstance(rule, dict) and "if" in rule and "then" in rule and _if_validator(rule["if"]).is_valid(data):
            _required_by(rule["then"], path, out)
    for c in f.children:
        if c.kind == "object":
            conditional_required(c, data.get(c.name), path + (c.name,), out)
        elif c.kind == "array":
            for i, item in enumerate(data.get(c.name) or ()):
                conditional_required(item_field(c), item, path + (c.name, i), out)


_IF_VALIDATORS: dict[int, tuple[dict[str, Any], Draft202012Validator]] = {}


def _if_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """Return the validator of an ``if`` subschema, made once per schema node."""
    cached = _IF_VALIDATORS.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, Draft202012Validator(schema))
        _IF_VALIDATORS[id(schema)] = cached
    return cached[1]


def _required_by(then: dict[str, Any], path: Path_, out: set[Path_]) -> None:
    for name in then.get("required") or ():
        out.add(path + (str(name),))
    for name, sub in (then.get("properties") or {}).items():
        if isinstance(sub, dict):
            _required_by(sub, path + (str(name),), out)
