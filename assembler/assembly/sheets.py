"""Spreadsheets of agreements: each row one agreement, each column a dotted field path, over a base answer file.

A procurement unit keeps its twenty companies in a sheet: ``private_parties[0].name``,
``private_parties[0].orgnr``, ``reference`` … as column headings, one company a
row.  What the rows share (the project, the public party, the terms) sits in a
base answer file.  A row's answers are validated like a file's, and every
problem names the sheet, the row and the column it came from.
"""

from __future__ import annotations

import copy
import csv
import datetime as _dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assembler._files import decode_text, read_bytes
from assembler._limits import check_zip
from assembler.assembly.answers import Answers
from assembler.errors import AnswersError, DocumentFormatError, Location, UsageError
from assembler.library.sources import PathKey, Sourced, format_path

SHEET_SUFFIXES = (".csv", ".xlsx")
_INT = re.compile(r"-?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]+")
_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[0-9]+\])*)")


@dataclass(frozen=True)
class Row:
    """One agreement of a sheet: its 1-based line and its cells (heading, value or None when empty, column)."""

    sheet: Path
    line: int
    cells: tuple[tuple[str, Any, int], ...]

    @property
    def label(self) -> str:
        return f"{self.sheet} row {self.line}"


def parse_field_path(text: str) -> PathKey:
    """Return the key path of a heading such as ``private_parties[0].orgnr``; raise ValueError if it is not one."""
    out: list[str | int] = []
    for part in text.strip().split("."):
        match = _PART.fullmatch(part)
        if match is None:
            raise ValueError(text)
        out.append(match.group(1))
        out.extend(int(i) for i in re.findall(r"\[([0-9]+)\]", match.group(2)))
    return tuple(out)


def read_sheet(path: Path) -> list[Row]:
    """Return the rows of a CSV or XLSX sheet whose first row holds field paths; raise UsageError if it cannot be read."""
    if path.suffix.lower() == ".xlsx":
        table = _xlsx_rows(path)
    else:
        text = _csv_text(read_bytes(path, "spreadsheet"), path)
        heading = text.split("\n", 1)[0]
        # Swedish Excel writes semicolons, "Unicode text" tabs; the heading row has the most of its delimiter.
        delimiter = max((",", ";", "\t"), key=heading.count)
        table = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    if not table or not any(str(c).strip() for c in table[0]):
        raise UsageError(f"the spreadsheet '{path}' has no heading row of field paths", Location(str(path), 1),
                         code="batch.sheet.empty")
    headings = [str(c).strip() if c is not None else "" for c in table[0]]
    seen: dict[PathKey, tuple[int, str]] = {}
    for column, heading in enumerate(headings, 1):
        if heading:
            try:
                key = parse_field_path(heading)
            except ValueError:
                raise UsageError(f"the heading '{heading}' is not a field path (write e.g. private_parties[0].orgnr)",
                                 Location(str(path), 1, column), code="batch.sheet.heading") from None
            # Two columns for one field would leave which cell counts to chance; one inside the other likewise.
            for other, (first, name) in seen.items():
                if other == key[:len(other)] or key == other[:len(key)]:
                    what = "the same field as" if other == key else "a field that overlaps"
                    raise UsageError(f"the heading '{heading}' names {what} '{name}' in column {first}: "
                                     "give each field one column", Location(str(path), 1, column),
                                     code="batch.sheet.heading-twice")
            seen[key] = (column, heading)
    rows: list[Row] = []
    for line, values in enumerate(table[1:], 2):
        cells = tuple((h, None if i >= len(values) or _blank(values[i]) else values[i], i + 1)
                      for i, h in enumerate(headings) if h)
        if any(value is not None for _, value, _ in cells):
            rows.append(Row(path, line, cells))
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook  # only a batch over an XLSX sheet needs it
    data = read_bytes(path, "spreadsheet")
    check_zip(data, "the spreadsheet", Location(str(path)))  # a workbook is a zip: no part inflating to gigabytes
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises zip, XML and key errors on a file that is not a workbook
        raise UsageError(f"the spreadsheet '{path}' is not an Excel workbook (.xlsx) that can be read: open it in "
                         "Excel and save it as 'Excel Workbook', or as 'CSV UTF-8'", code="batch.sheet.unreadable",
                         ) from None
    try:
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def cell_value(value: Any) -> Any:
    """Return a cell as an answer value: whole numbers and true/false typed, dates as ISO text, the rest text.

    A leading apostrophe keeps a cell text (``'0701234567``), as in Excel;
    numbers with a leading zero stay text, since they are phone or org numbers.
    """
    if isinstance(value, bool | int | float):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith("'"):
        return text[1:]
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


@dataclass(frozen=True)
class RowSourced(Sourced):
    """A row's answers: a field set by a cell is located at its row and column, the rest in the base file."""

    base: Sourced | None = None
    columns: dict[PathKey, int] = field(default_factory=dict)
    line: int = 1
    emptied: dict[PathKey, int] = field(default_factory=dict)  # fields an empty cell removed

    def locate(self, path: PathKey) -> Location:
        probe = tuple(path)
        while probe:
            if probe in self.columns:
                return Location(self.file, self.line, self.columns[probe], format_path(path) or None)
            # A required field missing because its cell was empty: point at that cell.
            column = self._emptied_column(probe)
            if column is not None:
                return Location(self.file, self.line, column, format_path(path) or None)
            if self.base is not None and probe in self.base.positions:
                return self.base.locate(path)
            probe = probe[:-1]
        return Location(self.file, self.line, None, format_path(path) or None)

    def _emptied_column(self, probe: PathKey) -> int | None:
        """Return the column of the empty cell nearest ``probe``: its own, else one inside it, else the cell that
        emptied the item it is in."""
        best: tuple[int, int] | None = None
        for key, column in self.emptied.items():
            if key == probe:
                return column
            if key[:len(probe)] == probe:  # an empty cell inside it
                rank = 0
            elif probe[:len(key)] == key:  # the emptied item (or group) it is in: the nearer the better
                rank = len(probe) - len(key)
            else:
                continue
            if best is None or rank < best[0]:
                best = (rank, column)
        return best[1] if best is not None else None

    def text_hint(self, path: PathKey, value: Any) -> str:
        if tuple(path) in self.columns:
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            return (f" (the cell holds {shown} as a {'true/false value' if isinstance(value, bool) else 'number'};"
                    f" make the cell text, for example by typing '{shown} with a leading apostrophe)")
        if self.base is not None:
            return self.base.text_hint(path, value)
        return super().text_hint(path, value)


def _set(data: dict[str, Any], key: PathKey, value: Any, where: Location) -> None:
    node: Any = data
    for part, following in zip(key[:-1], key[1:]):
        empty: Any = [] if isinstance(following, int) else {}
        node = _step(node, part, empty, where)
    last = key[-1]
    if isinstance(last, int):
        _step(node, last, None, where)
    elif not isinstance(node, dict):
        raise AnswersError(f"'{format_path(key)}' sets a field inside something that is not a set of fields", where,
                           code="batch.sheet.path")
    node[last] = value


def _step(node: Any, part: str | int, empty: Any, where: Location) -> Any:
    if isinstance(part, int):
        if not isinstance(node, list):
            raise AnswersError("this column indexes a field that is not a list", where, code="batch.sheet.path")
        if part > len(node):
            raise AnswersError(f"index [{part}] skips an item: the list has {len(node)}", where, code="batch.sheet.path")
        if part == len(node):
            node.append(empty)
        elif empty is not None and not isinstance(node[part], type(empty)):
            node[part] = empty
        return node[part]
    if not isinstance(node, dict):
        raise AnswersError("this column sets a field inside something that is not a set of fields", where,
                           code="batch.sheet.path")
    if not isinstance(node.get(part), type(empty)):
        node[part] = empty
    return node[part]


def _csv_text(data: bytes, path: Path) -> str:
    """Return the text of a CSV file as Excel saves it: UTF-8 ("CSV UTF-8"), UTF-16 with its byte-order mark
    ("Unicode text"), or Windows-1252 (plain "CSV" on a Swedish Windows, where å, ä and ö are single bytes)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return decode_text(data, path, "spreadsheet")
        except DocumentFormatError:
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                pass
    raise DocumentFormatError("the spreadsheet is neither UTF-8 nor Windows-1252 text: in Excel, save it as "
                              "'CSV UTF-8' or as an Excel workbook (.xlsx)", Location(str(path)),
                              code="input.not-utf8")


def row_answers(row: Row, base: Answers | None) -> Answers:
    """Return the answers of a row: the base answer file with every cell set over it.

    A column owns its field: an empty cell removes what the base file says
    there, and a list item that any column fills (``private_parties[0]``)
    starts empty, so that one company's org number or address never slips
    into another's row.
    The manifest records the merged answers (canonically, as for any
    answer file), so an agreement built from a row can be rebuilt from itself
    like any other.
    """
    data: dict[str, Any] = copy.deepcopy(base.data) if base is not None else {}
    columns: dict[PathKey, int] = {}
    emptied: dict[PathKey, int] = {}
    for heading, value, column in sorted(row.cells, key=lambda c: _order(parse_field_path(c[0]))):
        key = parse_field_path(heading)
        item = _item(key)
        if item is not None and item not in emptied and _remove_item_fields(data, item):
            emptied[item] = column  # a list item the sheet fills starts empty: a missing field points here
        if value is None:
            _remove(data, key)
            emptied[key] = column  # the field is not there now (removed here, or with its emptied item)
            continue
        _set(data, key, cell_value(value), Location(str(row.sheet), row.line, column, heading))
        columns[key] = column
    file = str(row.sheet)
    if "agreement" not in data:
        raise AnswersError("neither the row nor the base answer file says which agreement it is for "
                           "(add an 'agreement' column or --base FILE)", Location(file, row.line, None, "agreement"),
                           code="answers.agreement.missing")
    doc = RowSourced(data, file, base=base.doc if base is not None else None, columns=columns, line=row.line,
                     emptied=emptied)
    origin = base.path if base is not None else row.sheet  # appendix files resolve beside the base file
    return Answers(origin, data, "", doc)  # no file text of its own: a manifest records the canonical answers


def _item(key: PathKey) -> PathKey | None:
    """Return the path of the first list item a key goes into (``private_parties[0]``), or None."""
    for i, part in enumerate(key[:-1]):
        if isinstance(part, int):
            return key[:i + 1]
    return None


def _remove_item_fields(data: Any, item: PathKey) -> bool:
    """Empty the list item at ``item`` if it is a set of fields with something in it; return whether it was."""
    node = data
    for part in item:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False
        elif not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    if isinstance(node, dict) and node:
        node.clear()
        return True
    return False


def _remove(data: Any, key: PathKey) -> bool:
    """Remove the field at ``key`` if it is there; return whether it was."""
    node = data
    for part in key[:-1]:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False
        elif not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    last = key[-1]
    if isinstance(node, dict) and isinstance(last, str) and last in node:
        del node[last]
        return True
    return False  # a list item is not removed: the items after it would change places


def _order(key: PathKey) -> tuple[tuple[int, str | int], ...]:
    # Lower list indexes first, so that [1] never comes before [0] of the same list.
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in key)
