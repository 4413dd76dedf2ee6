"""JSON Schemas: finding them, checking Swedish identifiers, and turning errors into plain words."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import regex
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry

from assembler._files import bundled_dir, read_bytes
from assembler._limits import LIMITS, exceeded
from assembler.errors import AssemblerError, LibraryError, Location, Problem
from assembler.library import schema_memo
from assembler.library.identifiers import check_orgnr, check_personnummer
from assembler.library.sources import PathKey, Sourced, format_path

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def bundled_schema_dir() -> Path:
    """Return the folder of the schemas shipped with the package."""
    return bundled_dir("schemas")


class FormatProblem(ValueError):
    """A value that does not have its format, with the stable code of what is wrong."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _check_identifier(check: Any) -> Any:
    def checker(value: object) -> bool:
        if not isinstance(value, str):
            return True
        result = check(value)
        if result.error:
            raise FormatProblem(result.error, result.code)
        return True
    return checker


def _check_email(value: object) -> bool:
    if isinstance(value, str) and not _EMAIL.match(value):
        raise FormatProblem("is not an e-mail address", "email.form")
    return True


def _check_date(value: object) -> bool:
    import datetime as dt
    if isinstance(value, str):
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            raise FormatProblem("is not a date: write it as YYYY-MM-DD, e.g. 2026-03-01", "date.form")
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            # Written right, but no such day: 2027-02-30, 2026-13-01.
            raise FormatProblem(f"{value} is not a day in the calendar", "date.form") from None
    return True


def format_checker() -> FormatChecker:
    """Return a format checker knowing se-orgnr, se-personnummer, date and email."""
    checker = FormatChecker(formats=())
    checker.checks("se-orgnr", raises=ValueError)(_check_identifier(check_orgnr))
    checker.checks("se-personnummer", raises=ValueError)(_check_identifier(check_personnummer))
    checker.checks("email", raises=ValueError)(_check_email)
    checker.checks("date", raises=ValueError)(_check_date)
    return checker


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterable[ValidationError]:
    """The ``pattern`` keyword, matched with a time limit (a library's regex may be catastrophic)."""
    if validator.is_type(instance, "string") and _search(pattern, instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any, schema: Any) -> Iterable[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _search(pattern, key) is not None:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _search(pattern: str, text: str) -> object:
    try:
        return regex.search(pattern, text, timeout=LIMITS.schema_pattern_ms / 1000)
    except TimeoutError:
        raise exceeded("schema-pattern-ms", f"matching the pattern {pattern!r} of the answers schema",
                       LIMITS.schema_pattern_ms, unit=" ms") from None
    except regex.error as exc:
        raise LibraryError(f"the pattern {pattern!r} of the answers schema is not a regular expression ({exc})",
                           code="library.schema-pattern") from None


_Validator = jsonschema.validators.extend(Draft202012Validator, {"pattern": _pattern,
                                                                 "patternProperties": _pattern_properties})


def check_schema_safety(schema: Any, file: str) -> None:
    """Raise LibraryError if a schema refers outside itself or holds an over-long pattern.

    References are allowed only within the schema (``#/$defs/...``): a
    library's schema never makes the assembler read another file or the network.
    """
    stack = [(schema, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("$ref", "$dynamicRef") and not (isinstance(value, str) and value.startswith("#")):
                    raise LibraryError(f"the schema refers to {str(value)[:200]!r}: only references within the "
                                       "schema (#/...) are allowed", Location(file, path=where.strip(".") or None),
                                       code="library.schema-ref")
                if key == "pattern" and isinstance(value, str) and len(value) > LIMITS.schema_pattern_chars:
                    raise exceeded("schema-pattern-chars", "a pattern of the schema", LIMITS.schema_pattern_chars,
                                   Location(file, path=where.strip(".") or None), " characters")
                stack.append((value, f"{where}.{key}"))
        elif isinstance(node, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(node))


@lru_cache(maxsize=32)
def _validator_for(path: str, mtime: float) -> Draft202012Validator:
    try:
        schema = json.loads(read_bytes(Path(path), "schema", LIMITS.library_file_bytes, "library-file-bytes"))
    except ValueError as exc:
        raise LibraryError(f"the schema cannot be read: {exc}", Location(path)) from None
    except RecursionError:
        raise exceeded("nesting-depth", "the nesting of the schema", LIMITS.nesting_depth, Location(path)) from None
    check_schema_safety(schema, path)
    # Checking the schema against the meta-schema costs more than everything
    # else in a build; `assembler validate` does it (check_schema_file).
    return _Validator(schema, format_checker=format_checker(), registry=Registry())


def validator(path: Path) -> Draft202012Validator:
    """Return a (cached) Draft 2020-12 validator for the schema file at ``path``."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise LibraryError("the schema file does not exist", Location(str(path))) from None
    return _validator_for(str(path), mtime)


def check_schema_file(path: Path) -> list[Problem]:
    """Return the problems of a schema file: against the JSON Schema meta-schema, and its references and patterns."""
    try:
        schema = json.loads(read_bytes(path, "schema", LIMITS.library_file_bytes, "library-file-bytes"))
    except AssemblerError as exc:
        code = "library.schema-missing" if exc.code == "input.missing" else exc.code
        return [Problem(exc.message, exc.location or Location(str(path)), code=code)]
    except ValueError as exc:
        return [Problem(f"the schema is not valid JSON: {exc}", Location(str(path)), code="library.schema-json")]
    except RecursionError:
        return [Problem("the schema nests too deeply", Location(str(path)), code="limit.nesting-depth")]
    try:
        check_schema_safety(schema, str(path))
    except AssemblerError as exc:
        return [Problem(exc.message, exc.location, code=exc.code)]
    return [Problem(f"the schema is not a valid JSON Schema: {e.message}",
                    Location(str(path), path=format_path(tuple(e.absolute_path)) or None), code="library.schema-invalid")
            for e in Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema)]


def _type_name(expected: Any) -> str:
    names = {"string": "text", "integer": "a whole number", "number": "a number",
             "boolean": "true or false", "array": "a list", "object": "a group of fields",
             "null": "empty"}
    if isinstance(expected, list):
        return " or ".join(names.get(str(e), str(e)) for e in expected)
    return names.get(expected, str(expected))


def unknown_keys(error: jsonschema.ValidationError) -> list[str]:
    """Return the keys an additionalProperties error is about, in the order of the instance."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    known = set(schema.get("properties") or {})
    patterns = [re.compile(p) for p in (schema.get("patternProperties") or {})]
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [str(k) for k in instance if k not in known and not any(p.search(str(k)) for p in patterns)]


def describe_error(error: jsonschema.ValidationError, doc: Sourced | None = None) -> tuple[PathKey, str]:
    """Return the field path and a plain-words message for one schema error.

    ``doc`` is where the data came from: a value that should be text but was
    read as a number or true/false gets advice for that kind of source (quotes
    in a YAML or JSON file, a text cell in a spreadsheet).
    """
    path: PathKey = tuple(error.absolute_path)
    v = error.validator
    if v == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        name = missing.group(1) if missing else "?"
        return path + (name,), "this required field is missing"
    if v == "additionalProperties":
        extra = unknown_keys(error)
        if len(extra) == 1:
            return path + (extra[0],), f"unknown field '{extra[0]}' (check the spelling)"
        return path, f"unknown fields {', '.join(extra) or '?'} (check the spelling)"
    if v == "format":
        cause = error.cause
        if cause is not None:
            return path, str(cause)
        return path, f"is not a valid {error.validator_value}"
    if v == "enum":
        allowed = ", ".join(str(x) for x in error.validator_value)
        return path, f"must be one of: {allowed}"
    if v == "const":
        return path, f"must be {error.validator_value!r}"
    if v == "type":
        message = f"must be {_type_name(error.validator_value)}"
        if error.validator_value == "string" and isinstance(error.instance, (bool, int, float)):
            message += (doc or Sourced(None, "")).text_hint(path, error.instance)
        return path, message
    if v == "minItems":
        return path, f"needs at least {error.validator_value} entr{'y' if error.validator_value == 1 else 'ies'}"
    if v == "maxItems":
        return path, f"may have at most {error.validator_value} entries"
    if v == "minLength":
        return path, "must not be empty"
    if v == "minimum":
        return path, f"must be at least {error.validator_value}"
    if v == "maximum":
        return path, f"must be at most {error.validator_value}"
    if v == "pattern":
        # The pattern itself is for the machine; the field's description says the form in words.
        hint = str(error.schema.get("description") or error.schema.get("title") or "").strip()
        return path, "does not have the expected form" + (f": {hint}" if hint else "")
    if v in ("oneOf", "anyOf"):
        best = jsonschema.exceptions.best_match(error.context or [])
        if best is not None and best is not error:
            return describe_error(best, doc)
        return path, "does not match any of the allowed forms"
    return path, error.message


def _sort_key(error: jsonschema.ValidationError) -> tuple[Any, ...]:
    return tuple(str(p) for p in error.absolute_path), error.validator or ""


def error_code(error: jsonschema.ValidationError, prefix: str) -> str:
    """Return the stable code of a schema error: ``answers.orgnr.check-digit``, ``answers.schema.required`` …"""
    cause = error.cause
    if error.validator == "format" and isinstance(cause, FormatProblem):
        return f"{prefix}.{cause.code}"
    if error.validator in ("oneOf", "anyOf"):
        best = jsonschema.exceptions.best_match(error.context or [])
        if best is not None and best is not error:
            return error_code(best, prefix)
    return f"{prefix}.schema.{error.validator}"


def validate_sourced(doc: Sourced, schema_path: Path, data: Any | None = None, *,
                     prefix: str = "library") -> list[Problem]:
    """Validate parsed data against a schema; return every problem with its location and code.

    ``prefix`` starts every code: ``answers`` for an answer file, ``library``
    for the library's own files.
    """
    instance = doc.data if data is None else data
    problems: list[Problem] = []
    errors: Iterable[jsonschema.ValidationError] = schema_memo.iter_errors(validator(schema_path), instance)
    for error in sorted(errors, key=_sort_key):
        if error.validator == "additionalProperties":
            # One problem per unknown key, each located at the key itself rather than its parent.
            base: PathKey = tuple(error.absolute_path)
            found = [(base + (key,), f"unknown field '{key}' (check the spelling)") for key in unknown_keys(error)]
        else:
            found = [describe_error(error, doc)]
        for path, message in found:
            loc = doc.locate(path)
            problems.append(Problem(message, Location(loc.file, loc.line, loc.column, format_path(path) or None),
                                    code=error_code(error, prefix)))
    # Users read a file top down: report in the order of the lines.
    problems.sort(key=lambda p: (p.location.line or 0, p.location.column or 0) if p.location else (0, 0))
    return problems
