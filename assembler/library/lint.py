"""Validating a whole clause library: collect every problem, each with its file and line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from assembler._files import read_bytes, read_text
from assembler._limits import LIMITS
from assembler.errors import AssemblerError, Location, Problem
from assembler.library.load import Blueprint, ClauseVersion, Library, load_library
from assembler.library.schemas import check_schema_file
from assembler.library.sources import parse_yaml
from assembler.library.template import ENV, compile_expression
from assembler.library.versions import Version, VersionRange

# Names every clause template may use besides the answers and computed values.
BUILTIN_NAMES = {"lang", "output_language", "defaults", "as_of", "ref", "appendix", "term", "definitions", "months_between",
                 "days_between", "loop", "range", "true", "false", "none"}
_ITEM_LINE = re.compile(r"^(- +|[a-z]\) +)")
_JINJA_TAG_LINE = re.compile(r"^\s*(\{%.*?%\}\s*)+$")
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a library."""

    root: Path
    problems: tuple[Problem, ...]
    clause_count: int
    blueprint_count: int

    @property
    def ok(self) -> bool:
        return not any(p.level == "error" for p in self.problems)


def _calls(ast: nodes.Node, name: str) -> Iterator[tuple[nodes.Call, list[Any]]]:
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == name:
            args = [a.value if isinstance(a, nodes.Const) else None for a in call.args]
            yield call, args


class _SchemaScope:
    """Resolves `a.b.c` paths of a template against the answers schema."""

    def __init__(self, schema: dict[str, Any], extra: set[str]) -> None:
        self.schema = schema
        self.extra = extra
        self.bindings: dict[str, dict[str, Any] | None] = {}

    def lookup(self, node: nodes.Node) -> tuple[dict[str, Any] | None, str | None]:
        """Return (schema of the expression or None when unknown, problem text or None)."""
        if isinstance(node, nodes.Name):
            if node.name in self.bindings:
                return self.bindings[node.name], None
            props = self.schema.get("properties", {})
            if node.name in props:
                return props[node.name], None
            if node.name in self.extra or node.name in BUILTIN_NAMES:
                return None, None
            return None, f"the variable '{node.name}' is not declared in the answers schema"
        if isinstance(node, nodes.Getattr):
            parent, problem = self.lookup(node.node)
            if problem or parent is None:
                return None, problem
            props = parent.get("properties")
            if props is None:
                return None, None
            if node.attr in props:
                return props[node.attr], None
            return None, f"the field '{node.attr}' is not declared in the answers schema"
        if isinstance(node, nodes.Getitem):
            parent, problem = self.lookup(node.node)
            if problem or parent is None:
                return None, problem
            if isinstance(parent.get("items"), dict):
                return parent["items"], None
        return None, None


def check_template_variables(ast: nodes.Template, schema: dict[str, Any], extra: set[str]) -> list[tuple[int, str]]:
    """Return (line, problem) for each answers field a template uses that the schema does not declare."""
    scope = _SchemaScope(schema, extra)
    for loop in ast.find_all(nodes.For):
        items, _ = scope.lookup(loop.iter)
        item_schema = items.get("items") if isinstance(items, dict) else None
        for target in ([loop.target] if isinstance(loop.target, nodes.Name) else list(loop.target.find_all(nodes.Name))):
            scope.bindings[target.name] = item_schema if isinstance(item_schema, dict) else None
    for assign in ast.find_all(nodes.Assign):
        for target in assign.target.find_all(nodes.Name):
            scope.bindings[target.name] = None
    out: list[tuple[int, str]] = []
    seen: set[str] = set()
    for node in ast.find_all((nodes.Getattr, nodes.Name)):
        if isinstance(node, nodes.Name) and node.ctx != "load":
            continue
        _, problem = scope.lookup(node)
        if problem and problem not in seen:
            seen.add(problem)
            out.append((node.lineno, problem))
    return out


def _structure(source: str) -> tuple[int, int]:
    """Return (paragraphs, list items) of a clause's source text, Jinja tag lines aside."""
    text = _JINJA_COMMENT.sub("", source)
    paragraphs = items = 0
    in_para = False
    for line in text.split("\n"):
        if _JINJA_TAG_LINE.match(line):
            continue
        stripped = line.strip()
        if not stripped:
            in_para = False
            continue
        if _ITEM_LINE.match(stripped) and not line.startswith(" "):
            items += 1
            in_para = False
            continue
        if line.startswith("  ") and not in_para:
            continue  # continuation of a list item
        if not in_para:
            paragraphs += 1
            in_para = True
    return paragraphs, items


class _Validator:
    def __init__(self, library: Library) -> None:
        self.lib = library
        self.problems: list[Problem] = list(library.problems)
        self.cross = True

    def add(self, code: str, message: str, location: Location | None, level: str = "error") -> None:
        self.problems.append(Problem(message, location, level, code))

    def run(self) -> None:
        # Without a blueprint (none loaded: already reported) nothing is declared
        # or used, and checking clauses against them would list every use again.
        self.cross = bool(self.lib.blueprints)
        schemas = self.answer_schemas()
        used_ids = {v.clause_id for bp in self.lib.blueprints.values() for s in bp.sections for v in s.variants}
        appendix_ids = {a.id for bp in self.lib.blueprints.values() for a in bp.appendices}
        term_ids = {d["id"] for versions in self.lib.clauses.values() for cv in versions for d in cv.defines}
        computed = {name for bp in self.lib.blueprints.values() for name, _, _ in bp.computed}
        schema = self.merged_schema(schemas)
        for versions in self.lib.clauses.values():
            for cv in versions:
                self.check_clause(cv, schema, computed, used_ids, appendix_ids, term_ids)
        for bp in self.lib.blueprints.values():
            self.check_blueprint(bp)
        self.check_lifecycle()

    def answer_schemas(self) -> dict[str, dict[str, Any]]:
        out = {}
        for bp in self.lib.blueprints.values():
            self.problems += check_schema_file(bp.answers_schema) if bp.answers_schema.is_file() else []
            try:
                out[bp.id] = json.loads(read_bytes(bp.answers_schema, "answers schema", LIMITS.library_file_bytes,
                                                 "library-file-bytes"))
            except AssemblerError:
                self.add("library.schema-missing",
                         f"the answers schema '{bp.answers_schema}' does not exist or cannot be read",
                         bp.doc.locate(("answers_schema",)))
            except ValueError as exc:
                self.add("library.schema-json", f"the answers schema is not valid JSON: {exc}", Location(str(bp.answers_schema)))
        return out

    @staticmethod
    def merged_schema(schemas: dict[str, dict[str, Any]]) -> dict[str, Any]:
        props: dict[str, Any] = {}
        for s in schemas.values():
            props.update(s.get("properties", {}))
        return {"properties": props}

    def check_clause(self, cv: ClauseVersion, schema: dict[str, Any], computed: set[str], used_ids: set[str],
                     appendix_ids: set[str], term_ids: set[str]) -> None:
        file = str(cv.path)
        recorded = self.lib.approved.get(cv.ref)
        if cv.status == "approved":
            if recorded is None:
                self.add("library.approved-unrecorded", f"approved version {cv.ref} has no recorded hash in approved.yaml "
                         "(approve it, which records the hash)", Location(file, 1, 1))
            elif recorded != cv.sha256:
                self.add("library.approved-changed",
                         f"approved version {cv.ref} has changed since it was approved; approved versions never "
                         "change: restore the file and write the new wording as a new version "
                         "(`assembler clauses new-version`)", Location(file, 1, 1))
        if cv.status != "draft" and not self.lib.approver(cv):
            self.add("library.approved-by-missing",
                     f"{cv.status} version {cv.ref} names no approver: give it 'approved_by' (approve it with "
                     "`assembler clauses approve`), or give library.yaml an 'approved_by' for versions approved "
                     "before approvals were recorded", cv.front.locate(("status",)))
        structures: dict[str, tuple[int, int]] = {}
        for lang, body in cv.bodies.items():
            offset = cv.body_lines[lang] - 1
            try:
                ast = ENV.parse("\n" * offset + body, name=file, filename=file)
            except jinja2.TemplateSyntaxError as exc:
                self.add("library.template-syntax", f"template syntax error: {exc.message}", Location(file, exc.lineno))
                continue
            if self.cross:
                self.check_uses(ast, file, schema, computed, used_ids, appendix_ids)
            for call, args in _calls(ast, "term"):
                if args and isinstance(args[0], str) and args[0] not in term_ids:
                    self.add("library.term-unknown",
                             f"use of the term '{args[0]}', which no clause defines", Location(file, call.lineno))
            structures[lang] = _structure(body)
        if len(set(structures.values())) > 1:
            counts = "; ".join(f"{lang}: {p} paragraphs, {i} list items" for lang, (p, i) in structures.items())
            self.add("library.language-parity",
                     f"the languages differ in structure ({counts}); each language needs the same paragraphs "
                     "and list items", Location(file, cv.body_lines.get(next(iter(structures)), 1) - 1))

    def check_uses(self, ast: Any, file: str, schema: dict[str, Any], computed: set[str], used_ids: set[str],
                   appendix_ids: set[str]) -> None:
        """Check a clause's variables, cross-references and appendix references against the blueprints."""
        for line, problem in check_template_variables(ast, schema, computed):
            self.add("library.template-variable", problem, Location(file, line))
        for call, args in _calls(ast, "ref"):
            if args and isinstance(args[0], str) and args[0] not in self.lib.clauses:
                self.add("library.xref-unknown",
                         f"cross-reference to the clause '{args[0]}', which the library does not have",
                         Location(file, call.lineno))
            elif args and isinstance(args[0], str) and args[0] not in used_ids:
                self.add("library.xref-unused", f"cross-reference to the clause '{args[0]}', which no blueprint uses",
                         Location(file, call.lineno))
        for call, args in _calls(ast, "appendix"):
            if args and isinstance(args[0], str) and args[0] not in appendix_ids:
                self.add("library.appendix-unknown",
                         f"reference to the appendix '{args[0]}', which no blueprint has", Location(file, call.lineno))

    def check_blueprint(self, bp: Blueprint) -> None:
        expressions = [(e, loc) for _, e, loc in bp.computed]
        expressions += [(g.when, g.location) for g in bp.guards]
        expressions += [(a.when, a.location) for a in bp.appendices if a.when]
        for s in bp.sections:
            if s.when:
                expressions.append((s.when, s.location))
            expressions += [(v.when, v.location) for v in s.variants if v.when]
        for expr, loc in expressions:
            try:
                compile_expression(expr, loc)
            except AssemblerError as exc:
                self.add(exc.code, exc.message, exc.location)
        for s in bp.sections:
            for v in s.variants:
                self.check_range(v.clause_id, v.range, v.location)

    def check_range(self, clause_id: str, rng: VersionRange, location: Location) -> None:
        versions = self.lib.clauses.get(clause_id)
        if not versions:
            self.add("library.clause-unknown",
                     f"the blueprint uses the clause '{clause_id}', which the library does not have", location)
            return
        if not any(rng.contains(cv.version) and cv.status == "approved" for cv in versions):
            self.add("library.range-unmatched", f"no approved version of '{clause_id}' matches the range {rng}", location)

    def check_lifecycle(self) -> None:
        """Check that versions are never reused or go backwards, and that retired ones are not pinned."""
        for versions in self.lib.clauses.values():
            first: dict[Version, ClauseVersion] = {}
            for cv in sorted(versions, key=lambda c: str(c.path)):
                claimed = first.setdefault(cv.version, cv)
                if claimed is not cv:
                    self.add("library.version-duplicate",
                             f"{cv.ref} is also claimed by {claimed.path}; every version has its own number",
                             cv.front.locate(("version",)))
            for cv in versions:
                self.check_history(cv, versions)
        self.check_records()
        for bp in self.lib.blueprints.values():
            for s in bp.sections:
                for v in s.variants:
                    bounds = v.range.bounds
                    pinned = self.lib.clause(v.clause_id, bounds[0][1]) \
                        if len(bounds) == 1 and bounds[0][0] == "=" else None
                    if pinned is not None and pinned.status == "retired":
                        instead = pinned.meta.get("replaced_by")
                        self.add("library.pin-retired", f"the blueprint pins {pinned.ref}, which is retired"
                                 + (f"; {instead} replaces it" if instead else ""), v.location)

    def check_history(self, cv: ClauseVersion, versions: tuple[ClauseVersion, ...]) -> None:
        """Check one version against the record of approvals and against the versions before it."""
        file = str(cv.path)
        recorded = self.lib.approved.get(cv.ref)
        if cv.status == "retired":
            # Retired versions are still what issued agreements were made of: they never change either.
            if recorded is None:
                self.add("library.approved-unrecorded",
                         f"retired version {cv.ref} has no recorded hash in approved.yaml", Location(file, 1, 1))
            elif recorded != cv.sha256:
                self.add("library.approved-changed",
                         f"retired version {cv.ref} has changed since it was approved; approved versions never "
                         "change: restore the file", Location(file, 1, 1))
        elif cv.status == "draft" and recorded is not None:
            self.add("library.version-reused",
                     f"{cv.ref} was approved before (approved.yaml) and is now a draft; a version number is never "
                     "reused: restore the approved file and draft the new wording as a new version",
                     cv.front.locate(("status",)))
        earlier = [o for o in versions if o.version < cv.version and o.version.major == cv.version.major
                   and o.status != "draft" and o.effective > cv.effective]
        if earlier:
            last = max(earlier, key=lambda o: o.effective)
            self.add("library.effective-order", f"{cv.ref} takes effect {cv.effective}, before the earlier version {last.ref} "
                     f"({last.effective}); effective dates never go backwards",
                     cv.front.locate(("effective",)), "warning" if cv.status == "draft" else "error")
        for i, entry in enumerate(cv.meta.get("changelog") or []):
            mentioned = _version(entry.get("version"))
            if mentioned is not None and mentioned > cv.version:
                self.add("library.changelog",
                         f"the changelog mentions {mentioned}, a later version than this file's {cv.version}; "
                         "version numbers never go backwards", cv.front.locate(("changelog", i, "version")))
        for key, later in (("replaces", False), ("replaced_by", True)):
            ref = cv.meta.get(key)
            if not ref:
                continue
            ident, _, ver = str(ref).partition("@")
            other = _version(ver)
            if other is None or self.lib.clause(ident, other) is None:
                self.add("library.replaces-unknown",
                         f"{key} names {ref}, which the library does not have", cv.front.locate((key,)))
            elif ident == cv.id and (other > cv.version) != later:
                self.add("library.replaces-order", f"{key} names {ref}, which is {'an earlier' if later else 'a later'} version; "
                         "a version replaces earlier ones", cv.front.locate((key,)))

    def check_records(self) -> None:
        """Check that every version recorded as approved still has its file."""
        path = self.lib.root / "approved.yaml"
        if not path.is_file():
            return
        try:
            doc = parse_yaml(read_text(path), str(path))
        except AssemblerError:
            return  # already reported by the loader
        if not isinstance(doc.data, dict):
            return
        for key in doc.data:
            ident, _, ver = str(key).partition("@")
            version = _version(ver)
            line = Location(str(path), doc.locate((key,)).line, 1)
            if version is None:
                self.add("library.approved-file", f"'{key}' is not a clause version (write it as id@1.2.3)", line)
            elif not (self.lib.root / "fragments" / ident / f"{version}.md").is_file():
                self.add("library.approved-missing",
                         f"approved.yaml records {key}, but fragments/{ident}/{version}.md is gone; approved versions "
                         "are never deleted: agreements issued with it could not be rebuilt", line)


def _version(text: object) -> Version | None:
    try:
        return Version.parse(str(text))
    except ValueError:
        return None


def validate_library(root: Path | str | None = None) -> ValidationReport:
    """Validate the library at ``root`` (the bundled one when None) and list every problem."""
    lib = load_library(root, collect=True)
    v = _Validator(lib)
    v.run()
    count = sum(len(vs) for vs in lib.clauses.values())
    return ValidationReport(lib.root, tuple(v.problems), count, len(lib.blueprints))
