"""Reading one answer typed by a person, and checking it at once, with messages in Swedish or English.

Each finding carries a stable code (``answers.orgnr.check-digit``); the
message is chosen by code and language, never by reading another message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from assembler.interview.fields import Field, Path_
from assembler.library.identifiers import check_orgnr, check_personnummer
from assembler.library.schemas import format_checker

YES = {"ja", "j", "yes", "y", "true", "sant", "1"}
NO = {"nej", "n", "no", "false", "falskt", "0"}

MESSAGES: dict[str, dict[str, str]] = {
    "answers.required": {"sv": "Fältet måste fyllas i.", "en": "This field is required."},
    "answers.boolean": {"sv": "Svara ja eller nej.", "en": "Answer yes or no."},
    "answers.integer": {"sv": "Skriv ett heltal, till exempel 30.", "en": "Write a whole number, e.g. 30."},
    "answers.number": {"sv": "Skriv ett tal, till exempel 10 000 000.", "en": "Write a number, e.g. 10,000,000."},
    "answers.choice": {"sv": "Välj ett av alternativen: {allowed}.", "en": "Choose one of: {allowed}."},
    "answers.date": {"sv": "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-01.",
                     "en": "Write the date as YYYY-MM-DD, e.g. 2026-03-01."},
    "answers.email": {"sv": "Det är inte en e-postadress.", "en": "This is not an e-mail address."},
    "answers.uri": {"sv": "Skriv en hel webbadress, till exempel https://example.org/utlysning.",
                    "en": "Write a full web address, e.g. https://example.org/call."},
    "answers.minimum": {"sv": "Värdet måste vara minst {limit}.", "en": "The value must be at least {limit}."},
    "answers.maximum": {"sv": "Värdet får vara högst {limit}.", "en": "The value must be at most {limit}."},
    "answers.exclusive-minimum": {"sv": "Värdet måste vara större än {limit}.",
                                  "en": "The value must be greater than {limit}."},
    "answers.min-items": {"sv": "Ange minst {limit}.", "en": "Give at least {limit}."},
    "answers.pattern": {"sv": "Värdet har inte rätt form.", "en": "The value does not have the expected form."},
    "answers.sentence": {"sv": "Skriv hela meningar som slutar med punkt.",
                         "en": "Write complete sentences ending with a full stop."},
    "answers.country": {"sv": "Skriv landskoden med två stora bokstäver, till exempel SE eller DK.",
                        "en": "Write the country code in two capital letters, e.g. SE or DK."},
    "answers.orgnr.form": {"sv": "Ett organisationsnummer har tio siffror: NNNNNN-NNNN.",
                           "en": "An organisationsnummer has ten digits: NNNNNN-NNNN."},
    "answers.orgnr.check-digit": {"sv": "Kontrollsiffran stämmer inte – kontrollera organisationsnumret.",
                                  "en": "The check digit is wrong – check the organisationsnummer."},
    "answers.orgnr.group": {"sv": "Organisationsnumret börjar med {group}, som inte är en känd gruppsiffra; "
                                  "kontrollera numret.",
                            "en": "The organisationsnummer starts with {group}, which is not a known group digit; "
                                  "check the number."},
    "answers.personnummer.form": {"sv": "Ett personnummer skrivs ÅÅMMDD-NNNN.",
                                  "en": "A personnummer is written YYMMDD-NNNN."},
    "answers.personnummer.date": {"sv": "Personnumrets datumdel är inget riktigt datum.",
                                  "en": "The date part of the personnummer is not a real date."},
    "answers.personnummer.check-digit": {"sv": "Kontrollsiffran stämmer inte – kontrollera personnumret.",
                                         "en": "The check digit is wrong – check the personnummer."},
    "answers.invalid": {"sv": "Värdet är inte giltigt.", "en": "The value is not valid."},
}


@dataclass(frozen=True)
class Finding:
    """A problem with one answer: a stable code, its level, the message in one language, the field."""

    code: str
    level: str  # "error" | "warning"
    message: str
    path: Path_ = ()


def message(code: str, lang: str, **params: Any) -> str:
    """Return the message of a code in ``lang`` (English when not translated)."""
    texts = MESSAGES.get(code) or MESSAGES["answers.invalid"]
    return (texts.get(lang) or texts["en"]).format(**params)


def _finding(code: str, lang: str, path: Path_, level: str = "error", **params: Any) -> Finding:
    return Finding(code, level, message(code, lang, **params), path)


def parse_text(f: Field, text: str, lang: str, path: Path_ = ()) -> tuple[Any, Finding | None]:
    """Return the value a person typed for a field (None for an empty answer) and a problem, if any."""
    raw = text.strip()
    if not raw:
        return None, None
    if f.kind == "boolean":
        word = raw.lower()
        if word in YES or word in NO:
            return word in YES, None
        return None, _finding("answers.boolean", lang, path)
    if f.kind == "integer":
        digits = raw.replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"-?\d+", digits):
            return int(digits), None
        return None, _finding("answers.integer", lang, path)
    if f.kind == "number":
        digits = raw.replace(" ", "").replace("\u00a0", "").replace(",", ".")
        if re.fullmatch(r"-?\d+(\.\d+)?", digits):
            number = float(digits)
            return (int(number) if number.is_integer() else number), None
        return None, _finding("answers.number", lang, path)
    if f.kind == "choice":
        if raw.isdigit() and 1 <= int(raw) <= len(f.options):
            return f.options[int(raw) - 1], None
        if raw in f.options:
            return raw, None
        return None, _finding("answers.choice", lang, path, allowed=", ".join(f.options))
    return raw, None


def check_value(f: Field, value: Any, lang: str, path: Path_ = ()) -> list[Finding]:
    """Return the problems of one value against its field's schema: errors first, then warnings."""
    if value is None:
        return [_finding("answers.required", lang, path)] if f.kind != "list" else []
    errors = sorted(_validator(f).iter_errors(value), key=lambda e: list(e.absolute_path))
    out = [_describe(f, e, value, lang, path) for e in errors[:1]]
    if not out and f.schema.get("format") == "se-orgnr" and isinstance(value, str):
        check = check_orgnr(value)
        if check.warning:
            out.append(_finding("answers.orgnr.group", lang, path, "warning", group=value.strip()[:1]))
    return out


_VALIDATORS: dict[int, tuple[dict[str, Any], Draft202012Validator]] = {}


def _validator(f: Field) -> Draft202012Validator:
    """Return the validator of one field's schema, made once per schema node.

    Keyed by the node's identity: hashing a field would walk its whole subtree
    on every keystroke the web form checks.
    """
    cached = _VALIDATORS.get(id(f.schema))
    if cached is None or cached[0] is not f.schema:
        cached = (f.schema, Draft202012Validator(f.schema, format_checker=_checker()))
        _VALIDATORS[id(f.schema)] = cached
    return cached[1]


@lru_cache(maxsize=1)
def _checker() -> Any:
    return format_checker()


def _identifier_code(fmt: str, value: str) -> str:
    check = check_orgnr(value) if fmt == "se-orgnr" else check_personnummer(value)
    return f"answers.{check.code}" if check.code else "answers.invalid"


def _describe(f: Field, error: Any, value: Any, lang: str, path: Path_) -> Finding:
    v = error.validator
    if v == "format":
        fmt = str(error.validator_value)
        if fmt in ("se-orgnr", "se-personnummer"):
            return _finding(_identifier_code(fmt, str(value)), lang, path)
        return _finding({"date": "answers.date", "email": "answers.email", "uri": "answers.uri"}.get(fmt, "answers.invalid"),
                        lang, path)
    if v == "type":
        return _finding({"integer": "answers.integer", "number": "answers.number",
                         "boolean": "answers.boolean"}.get(str(error.validator_value), "answers.invalid"), lang, path)
    if v == "enum":
        return _finding("answers.choice", lang, path, allowed=", ".join(f.options))
    if v in ("minimum", "maximum", "exclusiveMinimum"):
        code = {"minimum": "answers.minimum", "maximum": "answers.maximum",
                "exclusiveMinimum": "answers.exclusive-minimum"}[v]
        return _finding(code, lang, path, limit=error.validator_value)
    if v == "minItems":
        return _finding("answers.min-items", lang, path, limit=error.validator_value)
    if v == "minLength":
        return _finding("answers.required", lang, path)
    if v == "pattern":
        pattern = str(error.validator_value)
        code = {"[.!?]$": "answers.sentence", "^[A-Z]{2}$": "answers.country"}.get(pattern, "answers.pattern")
        return _finding(code, lang, path)
    return _finding("answers.invalid", lang, path)


def check_answers(form: Any, answers: dict[str, Any], lang: str) -> list[Finding]:
    """Return every schema problem of a whole answer set, each tied to its field, in field order."""
    validator = Draft202012Validator(form.schema, format_checker=_checker())
    out: list[Finding] = []
    for error in sorted(validator.iter_errors(answers), key=lambda e: [str(p) for p in e.absolute_path]):
        path: Path_ = tuple(error.absolute_path)
        if error.validator == "required":
            missing = [n for n in error.validator_value if isinstance(error.instance, dict) and n not in error.instance]
            out += [_finding("answers.required", lang, path + (str(n),)) for n in missing]
            continue
        f = form.field_at(path)
        if f is None:
            out.append(_finding("answers.invalid", lang, path))
            continue
        if error.validator == "minItems":
            out.append(_finding("answers.min-items", lang, path, limit=error.validator_value))
            continue
        out.append(_describe(f, error, error.instance, lang, path))
    return out
