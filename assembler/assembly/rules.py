"""Applying a blueprint to answers: computed values, guards, clause choice and versions."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assembler.assembly.answers import Answers, canonical_answers, validate_answers
from assembler.errors import AnswersError, GuardError, LibraryError, Location, Problem
from assembler.library.load import Blueprint, ClauseVersion, Library
from assembler.library.memo import ValueKeys
from assembler.library.template import evaluate, reset_budget
from assembler.library.versions import VersionRange


@dataclass(frozen=True)
class PlannedAppendix:
    """An appendix of this agreement: blueprint appendices first, then the answers' own."""

    id: str
    title: dict[str, str]
    file: Path | None = None


@dataclass(frozen=True)
class Plan:
    """What to assemble: the chosen clause versions, appendices, warnings and the context."""

    blueprint: Blueprint
    answers: Answers
    clauses: tuple[ClauseVersion, ...]
    appendices: tuple[PlannedAppendix, ...]
    warnings: tuple[Problem, ...]
    language: str
    as_of: str
    draft: bool
    context: dict[str, Any] = field(compare=False)
    embed_text: bool = False  # the manifest carries the raw answer text (rebuilding an older agreement)


def guard_message(message: dict[str, str], language: str) -> str:
    """Return a guard's message in the agreement's language (both for sv+en)."""
    if language == "sv+en":
        return f"{message['sv']} / {message['en']}"
    return message.get(language) or message.get("sv") or next(iter(message.values()))


def check_approved(library: Library, cv: ClauseVersion) -> None:
    """Raise unless an approved (or retired) version's text is the text whose hash approved.yaml records.

    Approved means approved at build time: an approved file edited in place
    is refused by every build, draft or not (one SHA-256 per used clause,
    already computed when the library was loaded).
    """
    recorded = library.approved.get(cv.ref)
    if cv.status in ("approved", "retired") and recorded is not None and recorded != cv.sha256:
        raise LibraryError(f"the approved clause {cv.ref} has changed since it was approved: approved.yaml records "
                           f"sha256 {recorded}, the file now has {cv.sha256}; restore the approved text and write "
                           "new wording as a new version", Location(str(cv.path), 1, 1), code="library.approved-changed")


def select_version(library: Library, clause_id: str, rng: VersionRange, as_of: str, draft: bool,
                   location: Location, pin: str | None = None) -> ClauseVersion:
    """Return the highest version in range that is usable on ``as_of``, or exactly ``pin`` when given.

    Usable: approved (or draft when drafts are admitted), effective on or
    before the date, and not retired by then.  A pin (from the manifest of an
    agreement being rebuilt) bypasses all of that: the version used then is
    the version used again.
    """
    versions = library.clauses.get(clause_id)
    if not versions:
        raise LibraryError(f"the blueprint uses the clause '{clause_id}', which the library does not have", location,
                           code="library.clause-unknown")
    if pin is not None:
        pinned = library.clause(clause_id, pin)
        if pinned is None:
            raise LibraryError(f"the pinned version {clause_id}@{pin} is not in the library", location,
                               code="library.pin-unknown")
        return pinned
    usable = []
    for cv in versions:
        if not rng.contains(cv.version) or cv.effective > as_of:
            continue
        if cv.status == "approved" or (draft and cv.status == "draft"):
            usable.append(cv)
        elif cv.status == "retired" and str(cv.meta.get("retired_on", "")) > as_of:
            usable.append(cv)  # retired later: it was in force on the date asked for
    if not usable:
        kinds = "approved or draft" if draft else "approved"
        raise LibraryError(
            f"no {kinds} version of clause '{clause_id}' in range {rng} is effective on {as_of}"
            + ("" if draft else " (drafts are used only in draft mode)"), location, code="library.no-version")
    return max(usable, key=lambda c: c.version)


def base_context(library: Library, answers: Answers, as_of: str) -> dict[str, Any]:
    """Return the variables every expression sees: the answers, defaults and the date."""
    ctx: dict[str, Any] = dict(answers.data)
    ctx["defaults"] = dict(library.defaults)
    ctx["as_of"] = as_of
    return ctx


def resolve(library: Library, answers: Answers, *, as_of: _dt.date | str, draft: bool = False,
            strict: bool = False, language: str | None = None, pins: Mapping[str, str] | None = None,
            blueprint_version: str | None = None, embed_text: bool = False,
            appendix_dir: Path | None = None) -> Plan:
    """Validate the answers and apply the blueprint's rules; return the plan to render.

    Appendix files must lie inside the answer file's folder, or inside
    ``appendix_dir`` when given (relative paths then start there).

    ``pins`` maps clause ids to the exact version to use (for rebuilding an
    issued agreement); clauses not pinned are chosen by range and date.
    ``blueprint_version`` picks an archived blueprint version (rebuild);
    ``embed_text`` makes the manifest carry the raw answer text, as older manifests did.

    Raises AnswersError for invalid answers (``problems`` lists them all),
    GuardError when a guard of level error fires (or a warning with ``strict``).
    """
    as_of = as_of.isoformat() if isinstance(as_of, _dt.date) else str(as_of)
    blueprint = library.blueprint_version(answers.agreement, blueprint_version)
    reset_budget()
    problems = validate_answers(answers, blueprint)
    errors = tuple(p for p in problems if p.level == "error")
    warnings = [p for p in problems if p.level == "warning"]
    if errors:
        raise AnswersError(errors[0].message, errors[0].location, errors, code=errors[0].code)
    answers = canonical_answers(answers)  # identifiers are compared and printed as NNNNNN-NNNN
    lang = language or answers.language
    ctx = base_context(library, answers, as_of)
    keys = ValueKeys(ctx)  # results of expressions are remembered by the values they read
    for name, expr, loc in blueprint.computed:
        ctx[name] = evaluate(expr, ctx, loc, keys)
        keys.forget(name)

    _apply_guards(blueprint, answers, ctx, lang, warnings, strict, keys)
    chosen = _choose_clauses(library, blueprint, ctx, as_of, draft, pins or {}, keys)
    for cv in chosen:
        check_approved(library, cv)
    appendices = _plan_appendices(blueprint, answers, ctx, appendix_dir, keys)
    _add_signing_context(blueprint, ctx)
    is_draft = draft or any(c.status == "draft" for c in chosen)
    return Plan(blueprint, answers, tuple(chosen), appendices, tuple(warnings), lang, as_of, is_draft, ctx,
                embed_text)


def _apply_guards(blueprint: Blueprint, answers: Answers, ctx: dict[str, Any], lang: str,
                  warnings: list[Problem], strict: bool, keys: ValueKeys | None = None) -> None:
    """Evaluate every guard; raise GuardError for those of level error (all of them with ``strict``).

    Guard warnings are appended to ``warnings``.
    """
    guard_errors: list[Problem] = []
    for guard in blueprint.guards:
        if not evaluate(guard.when, ctx, guard.location, keys):
            continue
        loc = answers.locate(tuple(_split_field(guard.field))) if guard.field else Location(str(answers.path))
        problem = Problem(guard_message(guard.message, lang), loc, guard.level, f"guard.{guard.id}")
        (guard_errors if problem.level == "error" else warnings).append(problem)
    if guard_errors:
        raise GuardError(guard_errors[0].message, guard_errors[0].location, tuple(guard_errors),
                         code=guard_errors[0].code)
    if strict and warnings:
        first = warnings[0]
        raise GuardError(first.message + " (strict: warnings count as errors)", first.location,
                         tuple(Problem(w.message, w.location, "error", w.code) for w in warnings), code=first.code)


def _choose_clauses(library: Library, blueprint: Blueprint, ctx: dict[str, Any], as_of: str, draft: bool,
                    pins: Mapping[str, str], keys: ValueKeys | None = None) -> list[ClauseVersion]:
    """Return the clause version of every section whose condition holds, from its first variant that applies."""
    chosen: list[ClauseVersion] = []
    for section in blueprint.sections:
        if section.when and not evaluate(section.when, ctx, section.location, keys):
            continue
        variant = next((v for v in section.variants if not v.when or evaluate(v.when, ctx, v.location, keys)), None)
        if variant is None:
            continue  # no variant applies: the section is left out
        chosen.append(select_version(library, variant.clause_id, variant.range, as_of, draft, variant.location,
                                     pins.get(variant.clause_id)))
    return chosen


def _add_signing_context(blueprint: Blueprint, ctx: dict[str, Any]) -> None:
    """Put the signing parties and the blueprint's signing switches into ``ctx`` for the signature page."""
    parties_expr = blueprint.meta.get("parties") or "public_parties + private_parties"
    ctx["signing_parties"] = list(evaluate(parties_expr, ctx, blueprint.doc.locate(("parties",))))
    for key in ("electronic_signing", "print_place_date"):
        expr = blueprint.meta.get(key)
        ctx[key] = bool(expr and evaluate(expr, ctx, blueprint.doc.locate((key,))))


def _split_field(path: str) -> list[str | int]:
    out: list[str | int] = []
    for part in path.replace("]", "").replace("[", ".").split("."):
        if part:
            out.append(int(part) if part.isdigit() else part)
    return out


def _title_key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _blueprint_appendix_id(blueprint: Blueprint, entry: dict[str, Any], answers: Answers, i: int) -> str | None:
    """Return the blueprint appendix an answer entry belongs to: by id, else by title; None for an extra one."""
    known = [a.id for a in blueprint.appendices]
    ident = entry.get("id")
    if ident:
        if ident not in known:
            raise AnswersError(f"there is no appendix '{ident}' in this agreement type (its appendices: "
                               f"{', '.join(known)})", answers.locate(("appendices", i, "id")),
                               code="answers.appendix-unknown")
        return str(ident)
    title = _title_key(entry.get("title", ""))
    for spec in blueprint.appendices:
        if title in {_title_key(t) for t in spec.title.values()}:
            return spec.id
    if entry.get("extra"):
        return None
    raise AnswersError(f"the appendix '{entry.get('title', '')}' is not one of this agreement's appendices "
                       f"({', '.join(known)}): give the id of the one it belongs to, or add 'extra: true' to attach "
                       "it as a further appendix", answers.locate(("appendices", i, "title")),
                       code="answers.appendix.unknown-title")


def appendix_path(answers: Answers, i: int, name: str, folder: Path) -> Path:
    """Return appendix ``name`` resolved inside ``folder``; raise if it leads outside (``..``, absolute, symlink).

    An answer file (or a manifest received from elsewhere) never pulls in a
    file from outside its own folder.
    """
    root = Path(os.path.realpath(folder))
    resolved = Path(os.path.realpath(folder / name))
    if resolved != root and root not in resolved.parents:
        raise AnswersError(f"the appendix file '{name}' lies outside the folder '{folder}': copy it into that folder "
                           "(or name the appendix folder when building)", answers.locate(("appendices", i, "file")),
                           code="answers.appendix-outside")
    return resolved


def _plan_appendices(blueprint: Blueprint, answers: Answers, ctx: dict[str, Any],
                     appendix_dir: Path | None = None, keys: ValueKeys | None = None) -> tuple[PlannedAppendix, ...]:
    given = answers.data.get("appendices") or []
    base = appendix_dir or answers.path.parent
    files: dict[str, Path] = {}
    seen: dict[str, int] = {}
    extra: list[PlannedAppendix] = []
    for i, entry in enumerate(given):
        file = appendix_path(answers, i, str(entry["file"]), base) if entry.get("file") else None
        ident = _blueprint_appendix_id(blueprint, entry, answers, i)
        if ident is None:
            title = str(entry.get("title", ""))
            extra.append(PlannedAppendix(f"appendix-{i + 1}", {"sv": title, "en": title}, file))
            continue
        if ident in seen:
            raise AnswersError(f"the appendix '{ident}' is given twice (appendices entries {seen[ident] + 1} and "
                               f"{i + 1}): keep one", answers.locate(("appendices", i)), code="answers.appendix.duplicate")
        seen[ident] = i
        if file is not None:
            files[ident] = file
    planned = [PlannedAppendix(a.id, a.title, files.get(a.id)) for a in blueprint.appendices
               if not a.when or evaluate(a.when, ctx, a.location, keys)]
    for spec in blueprint.appendices:
        if (spec.file_required and spec.id in {p.id for p in planned} and spec.id not in files
                and evaluate(spec.file_required, ctx, spec.location, keys)):
            where = ("appendices", seen[spec.id]) if spec.id in seen else ("appendices",)
            raise AnswersError(f"the appendix '{spec.title.get('en', spec.id)}' ({spec.id}) must be attached as a "
                               f"file: add an entry under appendices with id: {spec.id} and file: the path to it",
                               answers.locate(where), code="answers.appendix.file-missing")
    return tuple(planned + extra)
