"""Swedish identifiers: organisationsnummer and personnummer.

The checks never echo the number itself: a personnummer is personal data and
must not end up in logs or error output.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

_ORGNR = re.compile(r"^(?:16)?(\d{6})-?(\d{4})$")
_PNR = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$")

# The first digit of an organisationsnummer tells the kind of legal person.
ORGNR_GROUPS = {
    "1": "dödsbon (estates)",
    "2": "stat, region, kommun, församling (public bodies)",
    "3": "utländska företag (foreign companies)",
    "5": "aktiebolag (limited companies)",
    "6": "enkla bolag (simple partnerships)",
    "7": "ekonomiska föreningar (economic associations)",
    "8": "ideella föreningar och stiftelser (non-profit associations, foundations)",
    "9": "handelsbolag och kommanditbolag (partnerships)",
}


@dataclass(frozen=True)
class IdentifierCheck:
    """The outcome of a check: ``error`` or ``warning`` in plain words, or neither."""

    error: str | None = None
    warning: str | None = None
    kind: str = ""  # "orgnr" | "personnummer"
    code: str = ""  # what is wrong, stable: "orgnr.check-digit", "personnummer.date" …


def luhn_ok(digits: str) -> bool:
    """Return whether the last digit is the Luhn (mod 10) check digit of the others."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def check_personnummer(value: str) -> IdentifierCheck:
    """Check a personnummer or samordningsnummer (YYMMDD-NNNC or YYYYMMDDNNNC)."""
    text = value.strip()
    m = _PNR.match(text)
    if not m:
        return IdentifierCheck("is not a personnummer: expected YYMMDD-NNNC or YYYYMMDD-NNNC", code="personnummer.form",
                               kind="personnummer")
    century, six, _sep, four = m.groups()
    digits = six + four
    month, day = int(six[2:4]), int(six[4:6])
    if day > 60:  # samordningsnummer: the day plus 60
        day -= 60
    yy = int(six[:2])
    years = [int(century + six[:2])] if century else [1900 + yy, 2000 + yy]
    if not any(_is_date(y, month, day) for y in years):
        return IdentifierCheck("is not a personnummer: the date part is not a real date", code="personnummer.date",
                               kind="personnummer")
    if not luhn_ok(digits):
        return IdentifierCheck("the check digit is wrong (personnummer)", kind="personnummer",
                               code="personnummer.check-digit")
    return IdentifierCheck(kind="personnummer")


def check_orgnr(value: str) -> IdentifierCheck:
    """Check an organisationsnummer (NNNNNN-NNNN, or 16NNNNNNNNNN).

    A number whose third and fourth digits are below 20 is read as a sole
    trader's personnummer and checked as one.
    """
    text = value.strip()
    m = _ORGNR.match(text)
    if not m:
        if _PNR.match(text):
            return check_personnummer(text)
        return IdentifierCheck("is not an organisationsnummer: expected ten digits as NNNNNN-NNNN",
                               kind="orgnr", code="orgnr.form")
    digits = m.group(1) + m.group(2)
    if int(digits[2:4]) < 20:
        return check_personnummer(text)
    if not luhn_ok(digits):
        return IdentifierCheck("the check digit is wrong (organisationsnummer)", kind="orgnr", code="orgnr.check-digit")
    group = digits[0]
    if group not in ORGNR_GROUPS:
        return IdentifierCheck(
            warning=f"the organisationsnummer starts with {group}, which is not a known group digit "
                    "(1–3, 5–9); check the number",
            kind="orgnr", code="orgnr.group")
    return IdentifierCheck(kind="orgnr")


def canonical_identifier(value: str, on: _dt.date | None = None) -> str | None:
    """Return a valid organisationsnummer or personnummer in the printed form NNNNNN-NNNN, else None.

    A 12-digit form loses its prefix (16 for an organisation, the century for
    a person).  A personnummer keeps ``+`` when it was written with one, and
    gets it when a 12-digit form shows the person is 100 or older on ``on``
    (the signing date), as the Tax Agency writes it.
    """
    check = check_orgnr(value)
    if check.error:
        return None
    text = value.strip()
    if check.kind == "orgnr":
        m = _ORGNR.match(text)
        return f"{m.group(1)}-{m.group(2)}" if m else None
    m = _PNR.match(text)
    if not m:
        return None
    century, six, sep, four = m.groups()
    plus = sep == "+"
    if century and on is not None:
        born = int(century + six[:2])
        plus = on.year - born > 100 or (on.year - born == 100 and (on.month, on.day) >= (int(six[2:4]), int(six[4:6]) % 60))
    return f"{six}{'+' if plus else '-'}{four}"
