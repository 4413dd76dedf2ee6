"""Dates as the package reads them: ISO ``YYYY-MM-DD``, strictly from users and leniently from its own files."""

from __future__ import annotations

import datetime as _dt

from assembler.errors import UsageError


def parse_date(value: str | _dt.date | None, *, option: str | None = None) -> _dt.date:
    """Return the date a user gave (or today for None); raise UsageError naming ``option`` if it is not one."""
    if value is None:
        return _dt.date.today()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"'{value}' is not a date: write it as YYYY-MM-DD", code="usage.date", option=option) from None


def date_or_none(text: str | None) -> _dt.date | None:
    """Return the date an ISO date or timestamp starts with ("2026-03-01", "2026-03-01T10:00"), or None."""
    try:
        return _dt.date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def midnight_utc(day: _dt.date | None) -> _dt.datetime | None:
    """Return midnight UTC of a date (the time our documents carry), or None."""
    return _dt.datetime.combine(day, _dt.time(), _dt.UTC) if day is not None else None
