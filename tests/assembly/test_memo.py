"""The memo of template and rule results: reused only for the same values, never for a template that may act."""

from __future__ import annotations

import pytest

from assembler._limits import LimitError, Limits
from assembler.assembly import render
from assembler.errors import Location
from assembler.library import template
from assembler.library.memo import ValueKeys, names_read, plain_key
from assembler.library.template import ENV, budget_used, charge_budget, compile_template, evaluate, reset_budget


def _render(source: str, context: dict[str, object]) -> str:
    tpl = render._named(compile_template(source, "memo-test"), source)
    return render.render_memo(tpl, context, ValueKeys(context), "memo-test")


def test_the_same_values_reuse_the_text_and_other_values_render_anew() -> None:
    source = "{{ party.name }} ({{ party.orgnr }})"
    first = _render(source, {"party": {"name": "Alfa AB", "orgnr": "556016-0680"}, "other": 1})
    again = _render(source, {"party": {"name": "Alfa AB", "orgnr": "556016-0680"}, "other": 2})  # not read
    assert again is first  # the remembered string itself
    assert _render(source, {"party": {"name": "Beta AB", "orgnr": "556016-0680"}}) == "Beta AB (556016-0680)"


@pytest.mark.parametrize("value", [1, True, 1.0, "1", [1], (1,), {"1": 1}, {1: 1}, None])
def test_values_that_compare_equal_but_print_differently_have_their_own_keys(value: object) -> None:
    keys = {repr(v): ValueKeys({"x": v}).key(("x",)) for v in [1, True, 1.0, "1", [1], (1,), {"1": 1}, {1: 1}, None]}
    assert len(set(keys.values())) == len(keys)
    assert ValueKeys({"x": value}).key(("x",)) == keys[repr(value)]


def test_a_key_is_small_however_long_the_value() -> None:
    """A full memo holds thousands of keys: each is a digest, not the value's text (an answer may be 20,000
    characters, an answer file 2 MB)."""
    long_text = "x" * 20_000
    key = ValueKeys({"x": [long_text] * 100}).key(("x",))
    assert key is not None and len(key[0]) == 32
    assert key != ValueKeys({"x": [long_text] * 99 + [long_text + "y"]}).key(("x",))


def test_values_that_are_not_plain_data_are_never_keys() -> None:
    class Thing:
        pass

    assert ValueKeys({"x": Thing()}).key(("x",)) is None
    assert ValueKeys({"x": [1, {"y": Thing()}]}).key(("x",)) is None
    assert ValueKeys({"x": template.Raw("**")}).key(("x",)) is None  # a str subclass prints otherwise than a str
    assert ValueKeys({}).key(("x",)) == ("<missing>",)


def test_templates_that_call_methods_or_draw_at_random_are_not_remembered() -> None:
    assert names_read(ENV.parse("{{ items.append(1) }}{{ items | length }}")) is None
    assert names_read(ENV.parse("{{ items | random }}")) is None
    assert names_read(ENV.parse("{{ ref('x') }} {{ a.b }} {% for i in c %}{{ i }}{% endfor %}")) == (
        "a", "c", "lang", "output_language", "ref")
    context = {"items": [1, 2]}
    source = "{{ items.append(3) or items | length }}"
    assert _render(source, context) == "3" and _render(source, context) == "4"  # run each time


def test_reused_results_count_their_loop_steps_and_fail_where_a_fresh_render_would(
        monkeypatch: pytest.MonkeyPatch) -> None:
    source = "{% for i in items %}x{% endfor %}"
    context = {"items": list(range(10))}
    reset_budget()
    first = _render(source, context)
    assert budget_used() == 10
    reset_budget()
    assert _render(source, context) is first and budget_used() == 10  # reused, and counted again
    monkeypatch.setattr(template, "LIMITS", Limits(expression_steps=15))
    reset_budget()
    assert charge_budget(10)
    with pytest.raises(LimitError) as raised:  # 10 + 10 > 15: rendered again, failing in the loop
        _render(source, context)
    assert raised.value.code == "limit.expression-steps"


def test_rule_results_are_reused_for_the_same_values_only() -> None:
    where = Location("blueprint.yaml", 3)
    context: dict[str, object] = {"amount": 0, "parties": [{"name": "A"}]}
    keys = ValueKeys(context)
    assert evaluate("amount == 0 and parties | length == 1", context, where, keys) is True
    context["amount"] = 5
    keys.forget("amount")
    assert evaluate("amount == 0 and parties | length == 1", context, where, keys) is False
    assert evaluate("parties + parties", context, where, keys) == [{"name": "A"}] * 2
    listed = evaluate("parties + parties", context, where, keys)
    listed.append("changed")  # a list result is the caller's own: never shared with the next build
    assert evaluate("parties + parties", context, where, keys) == [{"name": "A"}] * 2


def test_a_template_that_may_change_values_makes_every_language_work_its_keys_out_afresh() -> None:
    parties = [{"name": "A"}]
    epoch = [0]
    sv, en = ValueKeys({"parties": parties}, epoch), ValueKeys({"parties": parties}, epoch)
    before = en.key(("parties",))
    parties.append({"name": "B"})  # as `parties.append(...)` in the Swedish text would
    assert en.key(("parties",)) == before  # not seen until told
    sv.forget()
    assert en.key(("parties",)) != before and en.key(("parties",)) == (plain_key(parties),)


TRICKY = [
    "{% for i in c %}{{ i }}{{ loop.index }}{% endfor %}{{ i }}",
    "{% set x = a %}{{ x }}{{ y | default(z) }}",
    "{% macro m(p) %}{{ p }}{{ q }}{% endmacro %}{{ m(r) }}",
    "{% if s %}{% for k, v in d.items() %}{{ k }}{% endfor %}{% endif %}",
    "{% for p in parties if p.kind == wanted %}{{ p.name | upper }}{% else %}{{ none_text }}{% endfor %}",
    "{% with w = v %}{{ w }}{% endwith %}{{ w }}",
    "{% filter upper %}{{ f }}{% endfilter %}{{ items | random }}",
    "{{ range(n) | list }} {{ lang }} {{ term('x') }}",
]


@pytest.mark.parametrize("source", TRICKY)
def test_names_found_while_compiling_are_those_a_separate_pass_finds(source: str) -> None:
    """The variables noted in the compile's own code generation are exactly jinja2.meta's, for clause text and rule
    expressions alike (a template that must not be remembered stays so)."""
    tpl = compile_template(source, f"names-{TRICKY.index(source)}")
    assert template.template_reads(tpl, render._HELPERS) == names_read(ENV.parse(source), render._HELPERS)
    expression = source.replace("{{", "(").replace("}}", ")") if "{%" not in source else None
    if expression is not None:
        template._expression_code(expression)
        assert template._EXPRESSION_NAMES[expression] == names_read(template._expression_tree(expression))


def test_every_library_template_and_rule_reads_the_names_a_separate_pass_finds() -> None:
    from conftest import REPO

    from assembler.assembly.pipeline import assemble
    for example in sorted((REPO / "examples").glob("*.yaml")):
        assemble(example, as_of="2026-12-01")
    templates = dict(template._TEMPLATES)
    assert len(templates) > 50 and len(template._EXPRESSION_NAMES) > 50
    for (source, _name), tpl in templates.items():
        assert template.template_reads(tpl, render._HELPERS) == names_read(ENV.parse(source), render._HELPERS)
    for source, names in template._EXPRESSION_NAMES.items():
        assert names == names_read(template._expression_tree(source)), source
