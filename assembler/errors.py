"""Errors raised by the assembler library, as data.

Every error is an :class:`AssemblerError` with a stable ``code`` (for example
``answers.orgnr.check-digit`` or ``manifest.missing``) that callers branch on,
and may carry a :class:`Location` so that the command line can say
``file:line:column: field.path: message``.  The message is for people and may
change freely; the code may not.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a problem sits: a file, a 1-based line and column, a field path."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.path:
            parts.append(self.path)
        return ": ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One finding: an error or a warning, with its stable code and its location."""

    message: str
    location: Location | None = None
    level: str = "error"  # "error" | "warning"
    code: str = "problem"

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location and str(self.location) else ""
        return f"{prefix}{self.message}"


class AssemblerError(Exception):
    """The root of every error the library raises on purpose.

    ``exit_code`` is what the command line exits with: 1 for invalid content,
    2 for a usage error (a missing file, a wrong option).  ``code`` is stable:
    each subclass has a default, and a raise may name a more precise one.
    """

    exit_code = 1
    default_code = "error"

    def __init__(self, message: str, location: Location | None = None,
                 problems: tuple[Problem, ...] = (), *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.problems = problems
        self.code = code or self.default_code

    def __str__(self) -> str:
        if self.location and str(self.location):
            return f"{self.location}: {self.message}"
        return self.message

    def as_problems(self) -> tuple[Problem, ...]:
        """Return the problems this error stands for: its own list, or itself as one problem."""
        return self.problems or (Problem(self.message, self.location, code=self.code),)


class UsageError(AssemblerError):
    """The user asked for something impossible: a missing file, a bad option.

    ``option`` names the parameter concerned (``as_of``, ``output`` …) so that
    only the command line spells its flag; the message never does.
    """

    exit_code = 2
    default_code = "usage"

    def __init__(self, message: str, location: Location | None = None,
                 problems: tuple[Problem, ...] = (), *, code: str | None = None, option: str | None = None) -> None:
        super().__init__(message, location, problems, code=code)
        self.option = option


class InputError(UsageError):
    """An input file cannot be read at all: missing, a folder, unreadable, not text."""

    default_code = "input.unreadable"


class LibraryError(AssemblerError):
    """The clause library is broken: a bad fragment, blueprint or schema."""

    default_code = "library.invalid"


class AnswersError(AssemblerError):
    """The answer file is invalid."""

    default_code = "answers.invalid"


class GuardError(AssemblerError):
    """A guard of level error fired: the collaboration as described is not OPI."""

    default_code = "guard.failed"


class RenderError(AssemblerError):
    """A clause could not be rendered with the given answers."""

    default_code = "render.failed"


class ManifestError(AssemblerError):
    """A manifest is missing, unreadable or not one of ours."""

    default_code = "manifest.invalid"


class DocumentFormatError(AssemblerError):
    """A document is not what its kind promises: not a DOCX, a damaged PDF, not UTF-8 text."""

    default_code = "document.format"


class AppendixError(AssemblerError):
    """An appendix file cannot be merged: missing, not a PDF, encrypted or corrupt."""

    default_code = "appendix.unreadable"


class RegisterError(AssemblerError):
    """The agreement register cannot be opened or used: a bad URL, an unreachable server, a newer schema."""

    exit_code = 2
    default_code = "register.unavailable"


class ValidationFailed(AssemblerError):
    """Several problems were found; ``problems`` lists them all."""

    default_code = "validation.failed"


class LimitError(AssemblerError):
    """An input exceeds one of the limits of ``assembler._limits``; ``code`` is ``limit.<name>``."""

    default_code = "limit"
