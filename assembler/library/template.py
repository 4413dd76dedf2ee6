"""The expression and template language: Jinja2 in a sandbox, strict about missing values.

Conditions, computed values, guards and clause text all use one environment.
Nothing from an answer file is ever compiled: answers are data passed in as
variables, and every printed value is escaped for the clause markup.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable
from types import CodeType
from typing import Any

import jinja2
from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.environment import TemplateExpression
from jinja2.parser import Parser
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from assembler._cache import cached_code
from assembler.errors import LibraryError, Location, RenderError

MONTHS = {
    "sv": ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}
WORDS = {"sv": {"and": "och", "or": "eller"}, "en": {"and": "and", "or": "or"}}

# Private-use characters delimit helper markers in rendered text; the markup
# parser turns them into spans.  Answer values can never contain them.
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"


class Raw(str):
    """Text produced by a helper: already markup, printed without escaping."""


def escape_markup(text: str) -> str:
    """Return answer text escaped so the clause markup prints it literally."""
    text = text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
    text = " ".join(text.split())  # a value never breaks a paragraph or adds double spaces
    text = text.replace("\\", "\\\\").replace("*", "\\*")
    if text.startswith("- ") or (len(text) > 2 and text[0].isalpha() and text[1] == ")"):
        text = "\\" + text
    return text


def _finalize(value: Any) -> Any:
    if isinstance(value, Raw):
        return value
    if value is None:
        raise RenderError("a value printed in the clause is empty (null) in the answers", code="render.empty-value")
    if isinstance(value, (list, dict)):
        raise RenderError("a list or group of fields is printed as it is; use a loop or | and_list",
                          code="render.list-printed")
    if isinstance(value, bool):
        raise RenderError("a true/false value is printed as it is; use {% if %} instead", code="render.bool-printed")
    text = str(value)
    if not text.strip():
        raise RenderError("a value printed in the clause is empty in the answers", code="render.empty-value")
    return escape_markup(text)


class _Environment(SandboxedEnvironment):
    """Sandboxed, strict, and reading answer fields as keys, never as methods."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict):
            # `contribution.items` must be the answer field, not dict.items.
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def _lang(ctx: Context) -> str:
    lang = ctx.get("lang")
    return lang if lang in MONTHS else "sv"


def parse_date(value: Any) -> _dt.date:
    """Return a date from an ISO date string (or a date)."""
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise RenderError(f"'{value}' is not a date of the form YYYY-MM-DD", code="render.date") from None


def long_date(value: Any, lang: str) -> str:
    """Return an ISO date written out in a language: 2 mars 2026, 2 March 2026."""
    d = parse_date(value)
    return f"{d.day} {MONTHS[lang if lang in MONTHS else 'sv'][d.month - 1]} {d.year}"


@pass_context
def _date(ctx: Context, value: Any) -> str:
    return long_date(value, _lang(ctx))


def _group_thousands(amount: float, sep: str) -> str:
    if float(amount).is_integer():
        return f"{int(amount):,}".replace(",", sep)
    whole, frac = f"{amount:,.2f}".split(".")
    return whole.replace(",", sep) + ("," if sep == " " else ".") + frac


@pass_context
def _sek(ctx: Context, value: Any) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
        raise RenderError(f"'{value}' is not an amount", code="render.amount")
    if _lang(ctx) == "sv":
        return f"{_group_thousands(value, ' ')} kronor"
    return f"SEK {_group_thousands(value, ',')}"


def _join(items: Any, word: str) -> str:
    if not isinstance(items, (list, tuple)):
        raise RenderError("| and_list and | or_list need a list", code="render.list")
    texts = [str(i) for i in items]
    if any(not t.strip() for t in texts):
        raise RenderError("a list has an empty entry", code="render.empty-value")
    if not texts:
        raise RenderError("a list printed in the clause is empty", code="render.empty-value")
    if len(texts) == 1:
        return texts[0]
    return ", ".join(texts[:-1]) + f" {word} " + texts[-1]


@pass_context
def _and_list(ctx: Context, items: Any) -> str:
    return _join(items, WORDS[_lang(ctx)]["and"])


@pass_context
def _or_list(ctx: Context, items: Any) -> str:
    return _join(items, WORDS[_lang(ctx)]["or"])


def months_between(start: Any, end: Any) -> float:
    """Return the months from ``start`` to ``end`` (ISO dates), days counted as a fraction."""
    a, b = parse_date(start), parse_date(end)
    return (b.year - a.year) * 12 + (b.month - a.month) + (b.day - a.day) / 31


def days_between(start: Any, end: Any) -> int:
    """Return the whole days from ``start`` to ``end`` (ISO dates); negative when ``end`` is earlier."""
    return (parse_date(end) - parse_date(start)).days


def _make_environment() -> _Environment:
    env = _Environment(
        undefined=StrictUndefined, autoescape=False, finalize=_finalize,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
    )
    env.filters.update(date=_date, sek=_sek, and_list=_and_list, or_list=_or_list)
    env.globals.update(months_between=months_between, days_between=days_between)
    return env


ENV = _make_environment()


_EXPRESSIONS: dict[str, Callable[..., Any]] = {}
_TEMPLATES: dict[tuple[str, str], jinja2.Template] = {}


def compile_expression(source: str, location: Location) -> Callable[..., Any]:
    """Compile a rule expression (cached); raise LibraryError at ``location`` on a syntax error."""
    fn = _EXPRESSIONS.get(source)
    if fn is None:
        try:
            code = cached_code("expression", "", source, lambda: _expression_code(source))
        except jinja2.TemplateSyntaxError as exc:
            raise LibraryError(f"the expression `{source}` is not valid: {exc.message}", location) from None
        template = ENV.template_class.from_code(ENV, code, ENV.make_globals(None), None)
        fn = _EXPRESSIONS[source] = TemplateExpression(template, undefined_to_none=False)
    return fn


def _expression_code(source: str) -> CodeType:
    # The same steps as Environment.compile_expression, stopping at the code
    # object so that it can be cached.
    parser = Parser(ENV, source, state="variable")
    expr = parser.parse_expression()
    if not parser.stream.eos:
        raise jinja2.TemplateSyntaxError("unexpected text after the expression", parser.stream.current.lineno)
    body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
    return ENV.compile(nodes.Template(body, lineno=1))


def evaluate(source: str, context: dict[str, Any], location: Location) -> Any:
    """Evaluate a rule expression against the answers; raise in plain words if it cannot be."""
    fn = compile_expression(source, location)
    try:
        return fn(**context)
    except jinja2.UndefinedError as exc:
        raise RenderError(f"the rule `{source}` needs a value the answers do not have: {undefined_message(exc)}",
                             location, code="rule.undefined") from None
    except (TypeError, ValueError, ArithmeticError, jinja2.TemplateError, RenderError) as exc:
        raise RenderError(f"the rule `{source}` cannot be evaluated: {exc}", location, code="rule.failed") from None


def undefined_message(exc: jinja2.UndefinedError) -> str:
    """Return Jinja's undefined-value message in plain words."""
    text = str(exc.message or exc)
    text = text.replace("'dict object' has no attribute", "no field").replace("is undefined", "is not in the answers")
    return text


def template_line(exc: BaseException, template_name: str) -> int | None:
    """Return the line of ``template_name`` at which a rendering error arose, if known."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.lineno
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == template_name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def compile_template(source: str, name: str) -> jinja2.Template:
    """Compile clause text (cached); ``name`` is used to find error lines."""
    key = (source, name)
    tpl = _TEMPLATES.get(key)
    if tpl is None:
        code = cached_code("template", name, source, lambda: ENV.compile(source, name=name, filename=name))
        tpl = _TEMPLATES[key] = ENV.template_class.from_code(ENV, code, ENV.make_globals(None), None)
    return tpl


__all__ = [
    "ENV",
    "MARK_CLOSE",
    "MARK_OPEN",
    "Raw",
    "compile_expression",
    "compile_template",
    "escape_markup",
    "evaluate",
    "days_between",
    "long_date",
    "months_between",
    "parse_date",
    "template_line",
    "undefined_message",
]
