"""Answers as a tree of groups and lists: reading, setting and removing one value by its path."""

from __future__ import annotations

import itertools
from typing import Any

from assembler.interview.fields import Path_


def set_value(answers: dict[str, Any], path: Path_, value: Any) -> None:
    """Set the answer at ``path``, making the groups and list items on the way."""
    node: Any = answers
    for part, nxt in itertools.pairwise(path):
        if isinstance(part, int):
            while len(node) <= part:
                node.append({})
            node = node[part]
        else:
            if part not in node or not isinstance(node[part], (dict, list)):
                node[part] = [] if isinstance(nxt, int) else {}
            node = node[part]
    last = path[-1]
    if isinstance(node, list) and isinstance(last, int):
        while len(node) <= last:
            node.append({})
    node[last] = value


def remove_value(answers: dict[str, Any], path: Path_) -> None:
    """Remove the answer at ``path``, and an array item or group it leaves empty."""
    trail: list[tuple[Any, str | int]] = []
    node: Any = answers
    for part in path[:-1]:
        try:
            trail.append((node, part))
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1]
    if isinstance(node, dict):
        node.pop(last, None)  # type: ignore[call-overload]
    while trail and node in ({}, []):
        parent, part = trail.pop()
        if isinstance(parent, list) and part == len(parent) - 1:
            parent.pop()
        elif isinstance(parent, dict) and isinstance(part, str):
            parent.pop(part, None)
        else:
            break
        node = parent


def with_value(answers: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    """Return a copy of the answers with one value set, copying only the groups and lists on its path."""
    top: dict[str, Any] = dict(answers)
    node: Any = top
    for part, nxt in itertools.pairwise(path):
        if isinstance(node, list) and isinstance(part, int):
            while len(node) <= part:
                node.append({})
            child = node[part]
        else:
            child = node.get(part, [] if isinstance(nxt, int) else {})
        child = list(child) if isinstance(child, list) else dict(child)
        node[part] = child
        node = child
    last = path[-1]
    if isinstance(node, list) and isinstance(last, int):
        while len(node) <= last:
            node.append({})
    node[last] = value
    return top


def patched(filled: dict[str, Any], path: Path_, value: Any) -> dict[str, Any] | None:
    """Return filled answers with one value set (None: removed), or None when a pending value is in the way."""
    top: dict[str, Any] = dict(filled)
    node: Any = top
    for part in path[:-1]:
        try:
            child = node[part]
        except (KeyError, IndexError, TypeError):
            return None
        if not isinstance(child, (dict, list)):
            return None
        child = list(child) if isinstance(child, list) else dict(child)
        node[part] = child
        node = child
    if not isinstance(node, dict):
        return None
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return top


def get_value(answers: Any, path: Path_) -> Any:
    """Return the answer at ``path``, or None."""
    node = answers
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node
