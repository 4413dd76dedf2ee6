"""Reading YAML and JSON files while keeping the source position of every value."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from assembler._limits import LIMITS, LimitError, exceeded
from assembler.errors import AssemblerError, DocumentFormatError, LibraryError, Location

try:  # the C parser is several times faster; positions are the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

PathKey = tuple[str | int, ...]


def format_path(path: PathKey) -> str:
    """Return a field path as users write it: ``private_parties[0].orgnr``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class Sourced:
    """Parsed data and the 1-based (line, column) of every value in it."""

    data: Any
    file: str
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    line_offset: int = 0
    typed: dict[PathKey, str] = field(default_factory=dict)  # what was written where YAML read a number or true/false

    def locate(self, path: PathKey) -> Location:
        """Return the location of the value at ``path``, or of its nearest parent."""
        probe = tuple(path)
        while probe not in self.positions and probe:
            probe = probe[:-1]
        line, column = self.positions.get(probe, (1, 1))
        return Location(self.file, line + self.line_offset, column, format_path(path) or None)

    def text_hint(self, path: PathKey, value: Any) -> str:
        """Return advice for a value at ``path`` that should be text but was read as a number or true/false."""
        if self.file.lower().endswith(".json"):
            return f" (the file gives {json.dumps(value)} without quotes; put the value in quotes)"
        # YAML reads yes/no/on/off as true/false and digits as numbers (0701234567 even as an octal number).
        written = self.typed.get(tuple(path))
        if written is not None and written != str(value).lower():
            kind = "true/false" if isinstance(value, bool) else "a number"
            return f" (YAML reads {written} as {kind}; put the value in quotes: \"{written}\")"
        return f" (YAML read it as {str(value).lower()}; put the value in quotes)"


class _Builder:
    """Turns a composed YAML node tree into plain values, noting positions."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[PathKey, tuple[int, int]] = {}
        self.constructor = yaml.SafeLoader("")  # only its scalar constructors are used
        self.open: set[int] = set()  # the lists and groups being built: an alias to one of them is a loop
        self.typed: dict[PathKey, str] = {}
        self.count = 0

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        # An alias is the same node met again.  PyYAML writes them for shared
        # objects, so they are read; but every value counts after expansion
        # (no alias bomb), and an alias inside what it names (a loop) is refused.
        self.count += 1
        if self.count > LIMITS.yaml_nodes:
            mark = node.start_mark
            raise exceeded("yaml-nodes", "the number of values (aliases expanded)", LIMITS.yaml_nodes,
                           Location(self.file, mark.line + 1, mark.column + 1, format_path(path) or None), " values")
        if id(node) in self.open:
            self._alias(node, path)
        if len(path) > LIMITS.nesting_depth:
            mark = node.start_mark
            raise exceeded("nesting-depth", "the nesting of lists and groups", LIMITS.nesting_depth,
                           Location(self.file, mark.line + 1, mark.column + 1), " levels")
        self.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            self.open.add(id(node))
            try:
                return self._collection(node, path)
            finally:
                self.open.discard(id(node))
        value = self._scalar(node)
        if isinstance(value, (bool, int, float)):
            self.typed[path] = node.value
        return value

    def _collection(self, node: yaml.Node, path: PathKey) -> Any:
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self._error(key_node, "a key must be plain text")
                key = str(self.constructor.construct_object(key_node))
                if key == "<<":
                    raise self._error(key_node, "YAML merge keys (<<) are not supported")
                if key in out:
                    raise self._error(key_node, f"the key '{key}' appears twice")
                if id(value_node) in self.open:  # an alias to itself: point at its key, not at the anchor
                    self._alias(key_node, path + (key,))
                out[key] = self.build(value_node, path + (key,))
                if not isinstance(value_node, yaml.ScalarNode):
                    # A block of fields is best pointed at by its key's line.
                    mark = key_node.start_mark
                    self.positions[path + (key,)] = (mark.line + 1, mark.column + 1)
            return out
        return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]

    def _scalar(self, node: yaml.Node) -> Any:
        try:
            value = self.constructor.construct_object(node)
        except yaml.constructor.ConstructorError:
            raise self._error(node, f"the YAML tag {node.tag} is not allowed here; write plain values") from None
        except (ValueError, TypeError, OverflowError):
            # Looks like a date or number but is none (2026-13-01): keep the text,
            # so the schema can say what is wrong with it in plain words.
            return node.value
        if isinstance(value, (_dt.date, _dt.datetime)):
            # Dates stay ISO text, exactly as JSON answer files carry them.
            return value.isoformat()
        return value

    def _alias(self, node: yaml.Node, path: PathKey) -> None:
        mark = node.start_mark
        raise LimitError("an alias (*name) inside the very part it names would repeat without end",
                         Location(self.file, mark.line + 1, mark.column + 1, format_path(path) or None),
                         code="limit.yaml-alias-loop")

    def _error(self, node: yaml.Node, message: str) -> AssemblerError:
        mark = node.start_mark
        return DocumentFormatError(message, Location(self.file, mark.line + 1, mark.column + 1), code="input.yaml")


def parse_yaml(text: str, file: str, line_offset: int = 0) -> Sourced:
    """Parse YAML (or JSON) text into plain values with positions.

    Raises AssemblerError naming the line and column of a syntax error.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "unreadable YAML"
        if "nesting depth" in problem:  # libyaml's own limit (1,000), far above ours
            raise exceeded("nesting-depth", "the nesting of lists and groups", LIMITS.nesting_depth,
                           Location(file, line, column), " levels") from None
        raise DocumentFormatError(f"this is not valid YAML: {problem}",
                             Location(file, line, column), code="input.yaml") from None
    except yaml.YAMLError as exc:
        raise DocumentFormatError(f"this is not valid YAML: {exc}", Location(file), code="input.yaml") from None
    except RecursionError:
        raise exceeded("nesting-depth", "the nesting of lists and groups", LIMITS.nesting_depth,
                       Location(file), " levels") from None
    if node is None:
        return Sourced(None, file, {(): (1, 1)}, line_offset)
    builder = _Builder(file)
    try:
        data = builder.build(node, ())
    except AssemblerError as exc:
        if exc.location and exc.location.line is not None and line_offset:
            loc = Location(file, exc.location.line + line_offset, exc.location.column, exc.location.path)
            raise type(exc)(exc.message, loc, code=exc.code) from None
        raise
    return Sourced(data, file, builder.positions, line_offset, builder.typed)


def parse_json(text: str, file: str) -> Sourced:
    """Parse JSON text with positions.

    JSON is read by the YAML parser, which keeps positions; JSON it cannot
    read (tab indentation, for one) is read by the json module, and then
    errors point at the file without a line.
    """
    try:
        return parse_yaml(text, file)
    except LimitError:
        raise
    except AssemblerError:
        try:
            data = json.loads(text, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as exc:
            raise DocumentFormatError(f"this is not valid JSON: {exc.msg}", Location(file, exc.lineno, exc.colno),
                                      code="input.json") from None
        except RecursionError:
            raise exceeded("nesting-depth", "the nesting of lists and groups", LIMITS.nesting_depth,
                           Location(file), " levels") from None
        except _DuplicateKey as exc:
            raise AssemblerError(f"the key '{exc.args[0]}' appears twice", Location(file, path=exc.args[0]),
                                 code="input.duplicate-key") from None
        if _depth(data) > LIMITS.nesting_depth:
            raise exceeded("nesting-depth", "the nesting of lists and groups", LIMITS.nesting_depth,
                           Location(file), " levels") from None
        return Sourced(data, file, {(): (1, 1)})


class _DuplicateKey(ValueError):
    """A JSON object names one key twice (the YAML reader says so too, with a line)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _depth(value: Any) -> int:
    """Return how deep lists and dicts nest in ``value`` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def front_matter_end(lines: list[str]) -> int | None:
    """Return the index of the line closing a file's front matter (``---`` … ``---``), or None if it has none."""
    if not lines or lines[0].strip() != "---":
        return None
    return next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)


def split_front_matter(lines: list[str], file: str) -> int:
    """Return the index of the closing ``---`` line; raise LibraryError saying what is wrong if there is none."""
    if not lines or lines[0].strip() != "---":
        raise LibraryError("a clause file must start with front matter between '---' lines", Location(file, 1, 1),
                           code="library.front-matter")
    end = front_matter_end(lines)
    if end is None:
        raise LibraryError("the front matter has no closing '---' line", Location(file, 1, 1),
                           code="library.front-matter")
    return end
