"""Errors raised by the assembler library.

Every error is an :class:`AssemblerError` and may carry a :class:`Location` so
that the command line can say ``file:line:column: field.path: message``.
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
    """One finding: an error or a warning, with its location."""

    message: str
    location: Location | None = None
    level: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location and str(self.location) else ""
        return f"{prefix}{self.message}"


class AssemblerError(Exception):
    """The root of every error the library raises on purpose.

    ``exit_code`` is what the command line exits with: 1 for invalid content,
    2 for a usage error (a missing file, a wrong option).
    """

    exit_code = 1

    def __init__(self, message: str, location: Location | None = None,
                 problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.problems = problems

    def __str__(self) -> str:
        if self.location and str(self.location):
            return f"{self.location}: {self.message}"
        return self.message


class UsageError(AssemblerError):
    """The user asked for something impossible: a missing file, a bad option."""

    exit_code = 2


class LibraryError(AssemblerError):
    """The clause library is broken: a bad fragment, blueprint or schema."""


class AnswersError(AssemblerError):
    """The answer file is invalid."""


class GuardError(AssemblerError):
    """A guard of level error fired: the collaboration as described is not OPI."""


class RenderError(AssemblerError):
    """A clause could not be rendered with the given answers."""


class ValidationFailed(AssemblerError):
    """Several problems were found; ``problems`` lists them all."""
