"""Organisationsnummer and personnummer checks, with the test vectors of DOMAIN.md."""

from __future__ import annotations

import pytest

from assembler.library.identifiers import check_orgnr, check_personnummer, luhn_ok


@pytest.mark.parametrize("number", ["212000-0142", "212000-1355", "556036-0793", "5560360793", "16556036-0793"])
def test_valid_organisationsnummer(number: str) -> None:
    result = check_orgnr(number)
    assert result.error is None and result.warning is None
    assert result.kind == "orgnr"


def test_wrong_check_digit_is_an_error() -> None:
    assert check_orgnr("556036-0794").error == "the check digit is wrong (organisationsnummer)"


def test_malformed_orgnr_is_an_error() -> None:
    assert "expected ten digits" in (check_orgnr("55603-0793").error or "")


def test_unknown_group_digit_is_only_a_warning() -> None:
    # 412000-0006: digits 3-4 = 20, valid Luhn, group digit 4 is unassigned.
    number = next(f"412000-000{d}" for d in range(10) if luhn_ok(f"412000000{d}"))
    result = check_orgnr(number)
    assert result.error is None
    assert result.warning is not None and "group digit" in result.warning


def test_a_sole_traders_personnummer_is_accepted_as_orgnr() -> None:
    result = check_orgnr("640823-3234")
    assert result.error is None and result.kind == "personnummer"


@pytest.mark.parametrize("number", ["640823-3234", "19640823-3234", "196408233234", "640823+3234"])
def test_valid_personnummer(number: str) -> None:
    assert check_personnummer(number).error is None


def test_personnummer_check_digit_and_date() -> None:
    assert "check digit" in (check_personnummer("640823-3235").error or "")
    assert "not a real date" in (check_personnummer("641323-3234").error or "")


def test_samordningsnummer_adds_sixty_to_the_day() -> None:
    body = "640883323"  # day 23 + 60 = 83
    check = next(d for d in range(10) if luhn_ok(body + str(d)))
    assert check_personnummer(f"640883-323{check}").error is None
    assert "not a real date" in (check_personnummer(f"640893-323{check}").error or "")


def test_errors_never_echo_the_number() -> None:
    for bad in ("556036-0794", "640823-3235", "641323-3234"):
        message = (check_orgnr(bad).error or "") + (check_personnummer(bad).error or "")
        assert bad not in message and bad.replace("-", "") not in message
