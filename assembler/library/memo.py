"""A process's memo of template results: the same template given the same values gives the same result.

A batch builds hundreds of agreements that differ in a few fields (a
company's name and org number, the reference); most clauses read none of
them and would render the same text every time.  A result is remembered
under the template and the *values* of the variables it reads (found once
in its syntax tree), and reused only when every one of those values is
plain data (text, numbers, true/false, null, dates, lists and groups of
them) whose ``repr`` is the same: ``repr`` tells ``1``, ``1.0``, ``True``
and ``'1'`` apart, and keeps the order of a group's fields.  Keys hold a
digest of the ``repr`` (:func:`plain_key`), so a full memo stays small.

Templates that could do something else than compute from those values are
never remembered: one that calls a method (``x.append(…)`` could change the
answers a later clause sees) or draws a random value.  Filters that read
the output language from the context (``| date``, ``| sek``) make ``lang``
part of every key.  Loop steps a remembered result took are counted against
the build's budget again on reuse (see :mod:`assembler.library.template`).

Nothing is stored outside the process, and nothing here is ever executed:
the memo holds strings and the values derived from them.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

import jinja2
from jinja2 import meta, nodes

PLAIN_LEAVES = frozenset({str, int, float, bool, type(None), _dt.date, _dt.datetime})
_ALWAYS_READ = ("lang", "output_language")  # read by | date, | sek, | and_list through the context
_MISSING = "<missing>"  # never a value's key: those are hex digests
_LIMIT = 4096  # remembered results per memo; the memo starts over when full


def names_read(ast: nodes.Template, ignore: frozenset[str] = frozenset()) -> tuple[str, ...] | None:
    """Return the context variables a parsed template reads, sorted; None if it must never be remembered."""
    if not rememberable(ast):
        return None
    return names_of(meta.find_undeclared_variables(ast), ignore)


def rememberable(ast: nodes.Template) -> bool:
    """Whether a template's results may be remembered: it calls no methods and draws no random values.

    Ask before compiling: the compiler adds calls of its own to the tree (the loop counter).
    """
    for call in ast.find_all(nodes.Call):
        if not isinstance(call.node, nodes.Name):
            return False  # a method call: it may change the values it was called on
    return not any(flt.name == "random" for flt in ast.find_all(nodes.Filter))


def names_of(undeclared: Iterable[str], ignore: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Return the key names of a template whose undeclared variables (Jinja's word) are ``undeclared``, sorted."""
    return tuple(sorted((set(undeclared) - ignore) | set(_ALWAYS_READ)))


def _plain(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is plain data whose ``repr`` says everything a template can see of it."""
    kind = type(value)
    if kind in PLAIN_LEAVES:
        return True
    if depth > 64:
        return False
    if kind is list or kind is tuple:
        return all(_plain(v, depth + 1) for v in value)
    if kind is dict:
        return all(type(k) in PLAIN_LEAVES and _plain(v, depth + 1) for k, v in value.items())
    return False


def plain_key(value: Any) -> str | None:
    """Return the text that stands for ``value`` in a memo's key, or None if it is not plain data.

    The text is a 128-bit BLAKE2 digest of the ``repr``, not the ``repr`` itself: a key then takes 32
    characters however long the value (an answer file may hold 2 MB), so a full memo stays small; no two
    values that differ have been found to share a digest of that size.
    """
    if not _plain(value):
        return None
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class ValueKeys:
    """The key text of each variable of one context, worked out once per build and language.

    The contexts of one build share their values (the answers), so keys made
    together share ``epoch``: when a template that may change values runs
    with one of them, every one works its keys out afresh.
    """

    def __init__(self, context: dict[str, Any], epoch: list[int] | None = None) -> None:
        self.context = context
        self._keys: dict[str, str | None] = {}
        self._epoch = epoch if epoch is not None else [0]
        self._seen = self._epoch[0]

    def key(self, names: tuple[str, ...]) -> tuple[str, ...] | None:
        """Return the key of ``names``' values, or None when one of them is not plain data."""
        if self._seen != self._epoch[0]:
            self._keys.clear()
            self._seen = self._epoch[0]
        out = []
        for name in names:
            try:
                text = self._keys[name]
            except KeyError:
                value = self.context.get(name, _MISSING)
                text = _MISSING if value is _MISSING else plain_key(value)
                self._keys[name] = text
            if text is None:
                return None
            out.append(text)
        return tuple(out)

    def forget(self, name: str | None = None) -> None:
        """Work the key of ``name`` out afresh (it was just set), or every key of every context sharing the epoch
        (a template that may change values has just run)."""
        if name is None:
            self._epoch[0] += 1
        else:
            self._keys.pop(name, None)


class Memo:
    """Results by (template, key of the values read); each with the loop steps it took."""

    def __init__(self) -> None:
        self._results: dict[tuple[Any, ...], tuple[Any, int]] = {}

    def get(self, key: tuple[Any, ...]) -> tuple[Any, int] | None:
        """Return (result, steps) remembered under ``key``, or None."""
        return self._results.get(key)

    def put(self, key: tuple[Any, ...], result: Any, steps: int) -> None:
        """Remember a result and the loop steps it took."""
        if len(self._results) >= _LIMIT:
            self._results.clear()
        self._results[key] = (result, steps)

    def clear(self) -> None:
        """Forget every result."""
        self._results.clear()


def remembered(memo: Memo, key: tuple[Any, ...] | None, compute: Callable[[], Any],
               steps_used: Callable[[], int], charge: Callable[[int], bool]) -> Any:
    """Return the result remembered under ``key`` (its steps charged again), or compute and remember it.

    ``key`` None computes without remembering.  When the remembered steps
    would exceed the build's budget, the result is computed again, so the
    build fails exactly where it would have without the memo.
    """
    if key is None:
        return compute()
    found = memo.get(key)
    if found is not None and charge(found[1]):
        return found[0]
    before = steps_used()
    result = compute()
    memo.put(key, result, steps_used() - before)
    return result


def template_names(template: jinja2.Template, source: str, env: jinja2.Environment,
                   ignore: frozenset[str] = frozenset()) -> tuple[str, ...] | None:
    """Return what :func:`names_read` says of ``source`` (the text ``template`` was compiled from)."""
    try:
        return names_read(env.parse(source), ignore)
    except jinja2.TemplateSyntaxError:
        return None
