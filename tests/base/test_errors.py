"""Errors are data: a stable code per class, a location, and problems that keep both."""

from __future__ import annotations

import pytest

from assembler import errors
from assembler.errors import AssemblerError, Location, Problem, UsageError


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


@pytest.mark.parametrize("cls", [AssemblerError, *_subclasses(AssemblerError)], ids=lambda c: c.__name__)
def test_every_error_class_has_a_default_code_and_takes_a_precise_one(cls: type[AssemblerError]) -> None:
    assert cls.default_code and cls(message="x").code == cls.default_code
    assert cls("x", code="answers.orgnr.check-digit").code == "answers.orgnr.check-digit"
    assert cls.__module__ == errors.__name__


def test_an_error_reads_as_location_then_message_and_is_one_problem() -> None:
    exc = AssemblerError("the check digit is wrong", Location("a.yaml", 14, 7, "parties[0].orgnr"), code="answers.x")
    assert str(exc) == "a.yaml:14:7: parties[0].orgnr: the check digit is wrong"
    assert exc.as_problems() == (Problem("the check digit is wrong", exc.location, code="answers.x"),)


def test_a_usage_error_names_its_parameter_not_its_flag() -> None:
    exc = UsageError("'1 mars' is not a date", option="as_of")
    assert exc.exit_code == 2 and exc.option == "as_of" and "--" not in exc.message
