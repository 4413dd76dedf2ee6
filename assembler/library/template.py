"""The expression and template language: Jinja2 in a sandbox, strict about missing values.

Conditions, computed values, guards and clause text all use one environment.
Nothing from an answer file is ever compiled: answers are data passed in as
variables, and every printed value is escaped for the clause markup.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import threading
from collections.abc import Callable
from types import CodeType
from typing import Any

import jinja2
from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.compiler import CodeGenerator
from jinja2.environment import TemplateExpression
from jinja2.parser import Parser
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from assembler._limits import LIMITS, LimitError, exceeded
from assembler.errors import LibraryError, Location, RenderError
from assembler.library.memo import PLAIN_LEAVES, Memo, ValueKeys, names_of, rememberable

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


class _Budget:
    """The work expressions may do in one build: loop iterations counted against a limit."""

    steps = 0


def reset_budget() -> None:
    """Start a new build's expression budget (the pipeline calls this once per build)."""
    _Budget.steps = 0


def budget_used() -> int:
    """Return the loop steps this build's expressions have taken so far."""
    return _Budget.steps


def charge_budget(steps: int) -> bool:
    """Count ``steps`` a remembered result once took against this build's budget; False (nothing counted) if over."""
    if _Budget.steps + steps > LIMITS.expression_steps:
        return False
    _Budget.steps += steps
    return True


def _over(name: str, what: str, limit: int, unit: str) -> LimitError:
    return exceeded(name, what, limit, unit=unit)


def _counted(items: Any) -> Any:
    """Yield ``items``, counting each against the build's budget (every template loop goes through this)."""
    for item in items:
        _Budget.steps += 1
        if _Budget.steps > LIMITS.expression_steps:
            raise _over("expression-steps", "the work of the library's expressions (loop iterations)",
                        LIMITS.expression_steps, " steps")
        yield item


def _safe_replace(value: Any, old: str, new: str, count: int = -1) -> str:
    """Jinja's ``replace`` filter, refusing a result longer than the sequence limit (``'a' | replace('', 'x' * n)``)."""
    text = str(value)
    grows = max(len(str(new)) - len(str(old)), 0)
    if grows and (text.count(str(old)) if old else len(text) + 1) * grows + len(text) > LIMITS.expression_sequence:
        raise _over("expression-sequence", "text built by replace", LIMITS.expression_sequence, " characters")
    return text.replace(str(old), str(new), count)


def _safe_range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > LIMITS.expression_sequence:
        raise _over("expression-sequence", f"range() of {len(rng):,} items".replace(",", " "),
                    LIMITS.expression_sequence, " items")
    return rng


class _CountingGenerator(CodeGenerator):
    """Compiles every ``{% for %}`` to iterate through :func:`_counted`, so loops cannot run unbounded.

    It also notes the variables the template reads from the context, as
    ``jinja2.meta.find_undeclared_variables`` finds them (by the same frames),
    in the one code generation a compile makes: ``_GENERATED.undeclared``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.undeclared: set[str] = set()
        _GENERATED.undeclared = self.undeclared

    def enter_frame(self, frame: Any) -> None:
        super().enter_frame(frame)
        for _, (action, param) in frame.symbols.loads.items():
            if action == "resolve" and param not in self.environment.globals:
                self.undeclared.add(param)

    def visit_For(self, node: nodes.For, frame: Any) -> None:
        node.iter = nodes.Call(nodes.EnvironmentAttribute("counted", lineno=node.lineno), [node.iter], [], None, None,
                               lineno=node.lineno)
        super().visit_For(node, frame)


_SIZED = (str, list, tuple)
_BIG_WIDTH = re.compile(r"\d{5,}")


class _Environment(SandboxedEnvironment):
    """Sandboxed, strict, and reading answer fields as keys, never as methods.

    The sandbox limits access; the hooks here limit work: ``**`` may not make
    a huge number, ``*`` may not make a huge string or list, ``%`` does not
    format text, format widths stay small, and loops are counted.
    """

    code_generator_class = _CountingGenerator
    intercepted_binops = frozenset({"*", "**", "%"})

    @staticmethod
    def counted(items: Any) -> Any:
        """The iterable of every template loop, counted (see :class:`_CountingGenerator`)."""
        return _counted(items)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            if right * max(abs(left), 2).bit_length() > LIMITS.expression_power_bits:
                raise _over("expression-power-bits", "a power (**) in the library's expressions",
                            LIMITS.expression_power_bits, " bits")
        elif operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, _SIZED) and isinstance(count, int) and len(seq) * count > LIMITS.expression_sequence:
                    raise _over("expression-sequence", "a repetition (*) in the library's expressions",
                                LIMITS.expression_sequence, " items")
        elif operator == "%" and isinstance(left, str):
            raise RenderError("text is not formatted with % in the library's expressions; use the filters")
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None and _BIG_WIDTH.search(str(value.__self__)):
            raise RenderError("a format width in the library's expressions is too large")
        return wrapped

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
    # Filters and globals that multiply text by a number, or carry state from
    # one loop iteration to the next, are not needed by any clause.
    for name in ("center", "indent", "wordwrap", "format"):
        env.filters.pop(name, None)
    env.filters["replace"] = _safe_replace
    for name in ("lipsum", "cycler", "joiner", "namespace"):
        env.globals.pop(name, None)
    env.globals.update(months_between=months_between, days_between=days_between, range=_safe_range)
    return env


ENV = _make_environment()


_EXPRESSIONS: dict[str, Callable[..., Any]] = {}
_TEMPLATES: dict[tuple[str, str], jinja2.Template] = {}


def compile_expression(source: str, location: Location) -> Callable[..., Any]:
    """Compile a rule expression (cached); raise LibraryError at ``location`` on a syntax error."""
    fn = _EXPRESSIONS.get(source)
    if fn is None:
        try:
            code = _expression_code(source)
        except jinja2.TemplateSyntaxError as exc:
            raise LibraryError(f"the expression `{source}` is not valid: {exc.message}", location) from None
        template = ENV.template_class.from_code(ENV, code, ENV.make_globals(None), None)
        fn = _EXPRESSIONS[source] = TemplateExpression(template, undefined_to_none=False)
    return fn


def _expression_tree(source: str) -> nodes.Template:
    # The same steps as Environment.compile_expression, stopping at the tree so that its code can be cached.
    parser = Parser(ENV, source, state="variable")
    expr = parser.parse_expression()
    if not parser.stream.eos:
        raise jinja2.TemplateSyntaxError("unexpected text after the expression", parser.stream.current.lineno)
    tree = nodes.Template([nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)], lineno=1)
    tree.set_environment(ENV)
    return tree


def _expression_code(source: str) -> CodeType:
    tree = _expression_tree(source)
    code, read = _compiled(tree)
    _EXPRESSION_NAMES[source] = None if read is None else names_of(read)
    return code


_GENERATED = threading.local()  # the variables the last code generation in this thread found read


def _compiled(tree: nodes.Template, name: str | None = None) -> tuple[CodeType, frozenset[str] | None]:
    """Compile a parsed template; return its code and the variables it reads (found in the same pass), or None
    for those if its results must never be remembered (see ``memo.names_read``)."""
    remember = rememberable(tree)  # before compiling: the compiler adds its loop-counting calls to the tree
    code = ENV.compile(tree, name=name, filename=name)
    return code, frozenset(_GENERATED.undeclared) if remember else None


# Results of rule expressions by source and the values they read (see assembler.library.memo); only results
# that are plain values (true/false, text, numbers) are kept, so that no build can change another's.
_EXPRESSION_NAMES: dict[str, tuple[str, ...] | None] = {}
_RESULTS = Memo()


def evaluate(source: str, context: dict[str, Any], location: Location, keys: ValueKeys | None = None) -> Any:
    """Evaluate a rule expression against the answers; raise in plain words if it cannot be.

    With ``keys`` (of ``context``) a result already worked out for the same values is reused.
    """
    fn = compile_expression(source, location)
    if keys is None:
        return _evaluate(fn, source, context, location)
    names = _EXPRESSION_NAMES.get(source)
    if names is None:
        keys.forget()  # an expression not remembered may have changed a value the keys were made of
        return _evaluate(fn, source, context, location)
    key = keys.key(names)
    if key is None:
        return _evaluate(fn, source, context, location)
    found = _RESULTS.get((source, *key))
    if found is not None and charge_budget(found[1]):
        return found[0]
    before = budget_used()
    result = _evaluate(fn, source, context, location)
    if type(result) in PLAIN_LEAVES:
        _RESULTS.put((source, *key), result, budget_used() - before)
    return result


def _evaluate(fn: Callable[..., Any], source: str, context: dict[str, Any], location: Location) -> Any:
    try:
        return fn(**context)
    except jinja2.UndefinedError as exc:
        raise RenderError(f"the rule `{source}` needs a value the answers do not have: {undefined_message(exc)}",
                             location, code="rule.undefined") from None
    except LimitError as exc:
        raise LimitError(f"the rule `{source}`: {exc.message}", location, code=exc.code) from None
    except RecursionError:
        raise LimitError(f"the rule `{source}` recurses without end", location, code="limit.expression-recursion") from None
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
        code, read = _compiled(ENV.parse(source, name=name, filename=name), name)
        tpl = ENV.template_class.from_code(ENV, code, ENV.make_globals(None), None)
        _TEMPLATE_READS[tpl] = read
        _TEMPLATES[key] = tpl
    return tpl


_TEMPLATE_READS: dict[jinja2.Template, frozenset[str] | None] = {}


def template_reads(template: jinja2.Template, ignore: frozenset[str]) -> tuple[str, ...] | None:
    """Return what ``memo.names_read`` says of the source a template from :func:`compile_template` was compiled
    from (``ignore`` left out); raise KeyError for another template."""
    read = _TEMPLATE_READS[template]
    return None if read is None else names_of(read, ignore)


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
    "reset_budget",
    "template_line",
    "template_reads",
    "undefined_message",
]
