"""Rendering clauses: answers into text in every language, markers for the layout stage, errors at the clause line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MINI

from assembler.assembly.pipeline import plan_answers
from assembler.assembly.render import render_plan, render_text
from assembler.errors import RenderError
from assembler.library.template import compile_template
from assembler.model import Paragraph


def _text(blocks: tuple) -> str:
    return " ".join("".join(s.text for s in b.spans) for b in blocks if isinstance(b, Paragraph))


def test_every_clause_is_rendered_in_every_language_asked_for(mini_answers: Path) -> None:
    plan = plan_answers(mini_answers, library=MINI, as_of="2026-03-01")
    rendered = render_plan(plan, ("sv", "en"))
    assert [rc.clause.id for rc in rendered.clauses] == [cv.id for cv in plan.clauses]
    assert all(set(rc.blocks) == {"sv", "en"} for rc in rendered.clauses)
    parties = next(rc for rc in rendered.clauses if rc.clause.id == "parter")
    assert "Ljus AB" in _text(parties.blocks["sv"]) and "Ljus AB" in _text(parties.blocks["en"])


def test_terms_defined_by_clauses_are_rendered_per_language(mini_answers: Path) -> None:
    rendered = render_plan(plan_answers(mini_answers, library=MINI, as_of="2026-03-01"), ("sv", "en"))
    assert set(rendered.terms["projektet"]) == {"sv", "en"}


def test_template_syntax_in_an_answer_is_printed_not_run(mini_answers: Path) -> None:
    text = mini_answers.read_text(encoding="utf-8").replace("title: Smart belysning", "title: '{{ 7*7 }}'")
    mini_answers.write_text(text, encoding="utf-8")
    rendered = render_plan(plan_answers(mini_answers, library=MINI, as_of="2026-03-01"), ("sv",))
    joined = " ".join(_text(rc.blocks["sv"]) for rc in rendered.clauses)
    assert "49" not in joined


@pytest.mark.parametrize(("source", "context", "code"), [
    ("{{ missing.field }}", {}, "render.undefined"),
    ("{{ value }}", {"value": None}, "render.empty-value"),
    ("{{ flag }}", {"flag": True}, "render.bool-printed"),
])
def test_a_failure_names_the_file_line_and_code(source: str, context: dict, code: str) -> None:
    template = compile_template("\n\n" + source, "fragments/x/1.0.0.md")
    with pytest.raises(RenderError) as caught:
        render_text(template, context, "fragments/x/1.0.0.md")
    assert caught.value.code == code
    assert (caught.value.location.file, caught.value.location.line) == ("fragments/x/1.0.0.md", 3)
