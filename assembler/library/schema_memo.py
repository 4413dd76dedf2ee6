"""Schema validation that remembers which top-level fields were valid, per process.

The agreements of a batch are one base answer file with a few fields set by
each row of a sheet: the project, the contributions and the terms are the
same in every row, and validating them again costs a tenth of each build.
An object's errors under ``properties`` are the errors of each field's value
under that field's subschema, so a field whose value was found valid under
the same subschema once is valid again.  Only that is remembered: a field
with errors is always validated afresh, so every error is reported as if
nothing were remembered.

The other keywords of the object (``required``, ``additionalProperties``,
``allOf``, ``if``, ``unevaluatedProperties`` …) run on the whole object as
before, with each field's subschema replaced by ``true``: they see which
fields ``properties`` names (all that jsonschema's keywords read of it),
not what it says of them.  A value is remembered only when it is plain data,
under a digest of its ``repr`` (:func:`assembler.library.memo.plain_key`),
which tells ``1``, ``1.0``, ``True`` and ``'1'`` apart.  The format checks
(org numbers, dates, e-mail) depend on the value alone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import jsonschema

from assembler.library.memo import plain_key

_LIMIT = 4096  # remembered fields per validator; started over when full

_lock = threading.Lock()
# id(validator) -> (validator, a validator of its schema with every field accepted, the fields remembered valid).
# The validator is held so that its id is never another's.
_MEMO: dict[int, tuple[Any, Any, set[tuple[str, str]]]] = {}


def iter_errors(validator: Any, instance: Any) -> Iterator[jsonschema.ValidationError]:
    """Yield the errors ``validator.iter_errors(instance)`` yields (in another order), skipping fields known valid."""
    schema = validator.schema
    if not (isinstance(instance, dict) and isinstance(schema, dict) and isinstance(schema.get("properties"), dict)):
        yield from validator.iter_errors(instance)
        return
    rest, valid = _memo(validator)
    yield from rest.iter_errors(instance)
    for name, subschema in schema["properties"].items():
        if name not in instance:
            continue
        key = plain_key(instance[name])
        if key is not None and (name, key) in valid:
            continue
        found = False
        for error in validator.descend(instance[name], subschema, path=name, schema_path=name):
            error.relative_schema_path.appendleft("properties")  # as the properties keyword reports it
            found = True
            yield error
        if not found and key is not None:
            with _lock:
                if len(valid) >= _LIMIT:
                    valid.clear()
                valid.add((name, key))


def _memo(validator: Any) -> tuple[Any, set[tuple[str, str]]]:
    with _lock:
        held = _MEMO.get(id(validator))
        if held is None:
            schema = validator.schema
            # The same object keywords with every field accepted as it is: additionalProperties still knows the
            # names, required and allOf still see the whole object.
            rest = validator.evolve(schema={**schema, "properties": {name: True for name in schema["properties"]}})
            if len(_MEMO) >= 64:
                _MEMO.clear()
            held = _MEMO[id(validator)] = (validator, rest, set())
        return held[1], held[2]
