"""Answer files: one collaboration described in YAML or JSON, validated against its schema."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assembler._files import decode_text, read_bytes
from assembler._limits import LIMITS, exceeded
from assembler.errors import AnswersError, Location, Problem
from assembler.library.identifiers import canonical_identifier, check_orgnr
from assembler.library.load import Blueprint
from assembler.library.schemas import validate_sourced
from assembler.library.sources import PathKey, Sourced, parse_json, parse_yaml

LANGUAGES = ("sv", "en", "sv+en")


@dataclass(frozen=True)
class Answers:
    """A parsed answer file: its data, where each value sits, and its hash.

    ``text`` and ``sha256`` are the file's own text and the hash of its bytes;
    answers made from a spreadsheet row have neither (both empty).
    """

    path: Path
    data: dict[str, Any]
    sha256: str
    doc: Sourced = field(compare=False)
    text: str = field(default="", compare=False)

    @property
    def agreement(self) -> str:
        return str(self.data.get("agreement", ""))

    @property
    def language(self) -> str:
        return str(self.data.get("language", "sv"))

    def locate(self, path: PathKey) -> Location:
        """Return the file:line:column of a field (or of its nearest parent)."""
        return self.doc.locate(path)


def load_answers(path: Path | str) -> Answers:
    """Read an answer file; raise in plain words if it is missing or not YAML/JSON."""
    p = Path(path)
    raw = read_bytes(p, "answer file", LIMITS.answers_bytes, "answers-bytes")
    text = decode_text(raw, p, "answer file")
    doc = parse_json(text, str(p)) if p.suffix.lower() == ".json" else parse_yaml(text, str(p))
    if not isinstance(doc.data, dict):
        raise AnswersError("an answer file must be a set of fields (name: value), starting with 'agreement:'",
                           Location(str(p), 1, 1),
                           code="answers.not-a-mapping")
    if "agreement" not in doc.data:
        raise AnswersError("the answer file does not say which agreement it is for: add 'agreement: opi-innovation'",
                           Location(str(p), 1, 1, "agreement"),
                           code="answers.agreement-missing")
    return Answers(p, doc.data, hashlib.sha256(raw).hexdigest(), doc, text)


def _identifier_warnings(answers: Answers, data: Any, path: PathKey) -> list[Problem]:
    out: list[Problem] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "orgnr" and isinstance(value, str):
                check = check_orgnr(value)
                if check.warning:
                    out.append(Problem(check.warning, answers.locate(path + (key,)), "warning", f"answers.{check.code}"))
            else:
                out += _identifier_warnings(answers, value, path + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            out += _identifier_warnings(answers, item, path + (i,))
    return out


# Characters no agreement needs and that XML cannot carry or that steer a
# terminal: C0 controls but tab, newline and return; DEL and C1; non-characters.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def text_problems(answers: Answers) -> list[Problem]:
    """Return a problem for every text (value or key) that is too long or holds an illegal character."""
    out: list[Problem] = []
    stack: list[tuple[Any, PathKey]] = [(answers.data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if ILLEGAL.search(str(key)):
                    out.append(_illegal(answers, path, str(key)))
                stack.append((item, path + (key,)))
        elif isinstance(value, list):
            stack.extend((item, path + (i,)) for i, item in enumerate(value))
        elif isinstance(value, str):
            if len(value) > LIMITS.answer_string_chars:
                err = exceeded("answer-string-chars", f"a text of {len(value):,} characters".replace(",", " "),
                               LIMITS.answer_string_chars, answers.locate(path), " characters")
                out.append(Problem(err.message, err.location, code=err.code))
            elif ILLEGAL.search(value):
                out.append(_illegal(answers, path, value))
    return sorted(out, key=lambda p: (p.location.line or 0) if p.location else 0)


def _illegal(answers: Answers, path: PathKey, text: str) -> Problem:
    char = ILLEGAL.search(text)
    shown = f"U+{ord(char.group()):04X}" if char else "?"
    return Problem(f"the text holds the control character {shown}, which no agreement can carry: remove it",
                   answers.locate(path), code="answers.illegal-character")


def validate_answers(answers: Answers, blueprint: Blueprint) -> list[Problem]:
    """Return every problem with the answers: text limits, schema errors, then identifier warnings."""
    problems = text_problems(answers)
    if problems:  # a schema's patterns never run on such text
        return problems
    problems = validate_sourced(answers.doc, blueprint.answers_schema, prefix="answers")
    problems += _identifier_warnings(answers, answers.data, ())
    return problems


def canonical_text(data: Any) -> str:
    """Return answers as the canonical text a manifest embeds: JSON of the data, in file order, no comments."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _canonical(data: Any, on: _dt.date | None) -> Any:
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if key == "orgnr" and isinstance(value, str):
                out[key] = canonical_identifier(value, on) or value
            else:
                out[key] = _canonical(value, on)
        return out
    if isinstance(data, list):
        return [_canonical(item, on) for item in data]
    return data


def canonical_text_of(raw: bytes, name: str) -> str:
    """Return the canonical text of an answer file's bytes (what a manifest of the canonical form hashes)."""
    text = decode_text(raw, Path(name), "answer file")
    doc = parse_json(text, name) if name.lower().endswith(".json") else parse_yaml(text, name)
    answers = Answers(Path(name), doc.data if isinstance(doc.data, dict) else {}, "", doc, text)
    return canonical_text(canonical_answers(answers).data)


def canonical_answers(answers: Answers) -> Answers:
    """Return the answers with every organisationsnummer and personnummer in the printed form NNNNNN-NNNN.

    Call it on validated answers: an identifier that does not pass its check is left as written.
    """
    signing = answers.data.get("signing")
    try:
        on = _dt.date.fromisoformat(str(signing.get("date"))) if isinstance(signing, dict) else None
    except ValueError:
        on = None
    return replace(answers, data=_canonical(answers.data, on))
