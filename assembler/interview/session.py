"""The guided interview in a terminal: one question at a time from the question plan.

It talks through a two-method protocol (``ask`` a line, ``say`` a text), so
it runs the same on a terminal, with piped input, and in tests.  Typing
``<`` goes back one question; ``?`` shows the help text again; ``q`` stops
and keeps what has been answered, so the interview can be resumed from the
partial file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from assembler._files import decode_text, read_bytes
from assembler.errors import AnswersError, Location
from assembler.interview.answertree import remove_value, set_value
from assembler.interview.fields import Field, Form, Path_
from assembler.interview.plan import Plan, Step
from assembler.interview.values import Finding, check_answers, check_value, parse_text
from assembler.library.load import Guard
from assembler.library.sources import parse_json, parse_yaml

BACK = {"<", "tillbaka", "back"}
HELP = {"?", "hjälp", "help"}
QUIT = {"q", "avsluta", "quit"}

TEXTS: dict[str, dict[str, str]] = {
    "sv": {"yes_no": "(ja/nej)", "skip": "[tomt = hoppa över]", "include": "Ska avtalet ha uppgifter om: {title}?",
           "more": "Lägga till ytterligare: {title}?", "list": "En per rad; avsluta med en tom rad.",
           "first": "Du har inte svarat på något ännu att gå tillbaka till.",
           "start": "Svara på frågorna; < går tillbaka, ? visar hjälp, q avslutar och sparar det du har svarat.",
           "guard_error": "Stopp: {message}", "guard_warning": "Varning: {message}",
           "fix": "Gå tillbaka med < och ändra svaret, eller q för att spara och avsluta.",
           "done": "Alla frågor är besvarade.", "resumed": "Fortsätter med {count} svar från filen."},
    "en": {"yes_no": "(yes/no)", "skip": "[empty = skip]", "include": "Does the agreement need: {title}?",
           "more": "Add another: {title}?", "list": "One per line; finish with an empty line.",
           "first": "There is no earlier answer to go back to.",
           "start": "Answer the questions; < goes back, ? shows help, q stops and keeps what you answered.",
           "guard_error": "Stop: {message}", "guard_warning": "Warning: {message}",
           "fix": "Go back with < and change the answer, or q to save and stop.",
           "done": "All questions are answered.", "resumed": "Continuing with {count} answers from the file."},
}


class Terminal(Protocol):
    """Where the interview reads answers and writes questions."""

    def ask(self, prompt: str) -> str | None:
        """Return one line typed after ``prompt``; None at the end of the input."""

    def say(self, text: str) -> None:
        """Show a text."""


@dataclass
class Interview:
    """The state of one interview: the answers so far, the yes/no choices about groups, and the way back."""

    plan: Plan
    lang: str
    answers: dict[str, Any] = field(default_factory=dict)
    decided: dict[Path_, bool] = field(default_factory=dict)
    history: list[Step] = field(default_factory=list)
    warned: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.answers.setdefault("agreement", self.plan.form.agreement)

    def t(self, key: str, **params: Any) -> str:
        return TEXTS.get(self.lang, TEXTS["en"])[key].format(**params)

    def back(self) -> bool:
        """Undo the last answer; return False when there is none."""
        if not self.history:
            return False
        step = self.history.pop()
        self.decided.pop(step.path, None)
        if step.kind == "value":
            remove_value(self.answers, step.path)
        return True

    def record(self, step: Step, value: Any) -> list[Guard]:
        """Store an answer; return the guard errors it causes (the answer is then taken back)."""
        if step.kind != "value":
            self.decided[step.path] = bool(value)
        elif value is None or value == []:
            self.decided[step.path] = False
        else:
            set_value(self.answers, step.path, value)
        self.history.append(step)
        fired = self.plan.fired_guards(self.answers, self.decided)
        errors = [g for g in fired if g.level == "error"]
        if errors:
            self.back()
        return errors

    def new_warnings(self) -> list[Guard]:
        """Return the guard warnings that fire now and were not shown before."""
        fresh = [g for g in self.plan.fired_guards(self.answers, self.decided)
                 if g.level == "warning" and g.id not in self.warned]
        self.warned.update(g.id for g in fresh)
        return fresh

    def final_problems(self) -> tuple[list[Finding], list[Guard]]:
        """Return what still stops the agreement once every question is answered."""
        findings = [f for f in check_answers(self.plan.form, self.answers, self.lang) if f.level == "error"]
        guards = [g for g in self.plan.fired_guards(self.answers, {}, complete=True) if g.level == "error"]
        return findings, guards


def label(form: Form, path: Path_, lang: str) -> str:
    """Return where a question sits, e.g. "Offentlig part 1 › Kontaktperson › Namn"."""
    parts: list[str] = []
    current: Field | None = form.root
    for part in path:
        if current is None:
            break
        if isinstance(part, int):
            parts[-1:] = [f"{form.labels.item(current, lang)} {part + 1}"]
            continue
        current = current.child(part)
        if current is not None:
            parts.append(form.labels.title(current, lang))
    return " › ".join(parts)


def _prompt(iv: Interview, step: Step) -> str:
    form = iv.plan.form
    f = step.field
    if step.kind == "include":
        return f"{iv.t('include', title=form.labels.title(f, iv.lang))} {iv.t('yes_no')} "
    if step.kind == "more":
        return f"{iv.t('more', title=form.labels.item(f, iv.lang).lower())} {iv.t('yes_no')} "
    text = label(form, step.path, iv.lang)
    if f.kind == "boolean":
        text += " " + iv.t("yes_no")
    needed = f.required or step.path in iv.plan.required(iv.answers)
    if not needed and f.kind != "boolean":
        text += " " + iv.t("skip")
    return text + ": "


def _explain(iv: Interview, step: Step, terminal: Terminal) -> None:
    form = iv.plan.form
    if step.kind == "value":
        help_text = form.labels.description(step.field, iv.lang)
        if help_text:
            terminal.say(f"  {help_text}")
        if step.field.kind == "choice":
            for i, option in enumerate(step.field.options, 1):
                terminal.say(f"  {i}) {option} – {form.labels.option(step.field, option, iv.lang)}")
        if step.field.kind == "list":
            terminal.say(f"  {iv.t('list')}")
    elif step.kind == "include":
        help_text = form.labels.description(step.field, iv.lang)
        if help_text:
            terminal.say(f"  {help_text}")


def _yes_no(text: str) -> bool | None:
    word = text.strip().lower()
    if word in ("ja", "j", "yes", "y"):
        return True
    if word in ("nej", "n", "no"):
        return False
    return None


def _guard_text(iv: Interview, guard: Guard, key: str) -> str:
    text = guard.message.get(iv.lang) or guard.message.get("sv") or next(iter(guard.message.values()))
    return iv.t(key, message=" ".join(text.split()))


def _read(iv: Interview, step: Step, terminal: Terminal) -> tuple[str, Any]:
    """Return ("answer", value), ("back", None) or ("quit", None) for one question."""
    prompt = _prompt(iv, step)
    while True:
        line = terminal.ask(prompt)
        if line is None or line.strip().lower() in QUIT:
            return "quit", None
        word = line.strip()
        if word in BACK:
            return "back", None
        if word.lower() in HELP:
            _explain(iv, step, terminal)
            continue
        if step.kind != "value":
            choice = _yes_no(word)
            if choice is not None:
                return "answer", choice
            terminal.say(f"  {iv.t('yes_no')}")
            continue
        if step.field.kind == "list":
            return "answer", _read_items(word, terminal)
        value, problem = parse_text(step.field, word, iv.lang, step.path)
        if problem is not None:
            terminal.say(f"  {problem.message}")
            continue
        return "answer", value


def _read_items(first: str, terminal: Terminal) -> list[str]:
    items = [first] if first else []
    while items:
        line = terminal.ask("  - ")
        if line is None or not line.strip():
            break
        items.append(line.strip())
    return items


def _ask(iv: Interview, step: Step, terminal: Terminal) -> str:
    """Ask one question until it gets an acceptable answer; return "ok", "back" or "quit"."""
    _explain(iv, step, terminal)
    while True:
        action, value = _read(iv, step, terminal)
        if action != "answer":
            return action
        if step.kind == "value":
            needed = step.field.required or step.path in iv.plan.required(iv.answers)
            empty = value is None or value == []
            problems = check_value(step.field, value, iv.lang, step.path) if not empty or needed else []
            errors = [p for p in problems if p.level == "error"]
            for p in problems:
                terminal.say(f"  {p.message}")
            if errors:
                continue
        guard_errors = iv.record(step, value)
        for guard in guard_errors:
            terminal.say(_guard_text(iv, guard, "guard_error"))
        if guard_errors:
            continue
        for guard in iv.new_warnings():
            terminal.say(_guard_text(iv, guard, "guard_warning"))
        return "ok"


def _finish(iv: Interview, terminal: Terminal) -> str:
    """Check the finished answers as a whole; return "done", "back" or "quit"."""
    findings, guards = iv.final_problems()
    if not findings and not guards:
        terminal.say(iv.t("done"))
        return "done"
    for f in findings:
        terminal.say(f"{label(iv.plan.form, f.path, iv.lang)}: {f.message}")
    for g in guards:
        terminal.say(_guard_text(iv, g, "guard_error"))
    terminal.say(iv.t("fix"))
    line = terminal.ask("> ")
    if line is None or line.strip().lower() in QUIT:
        return "quit"
    return "back" if line.strip() in BACK else "again"


def run_interview(iv: Interview, terminal: Terminal) -> bool:
    """Ask every question that applies until the answers are complete; return whether they are.

    The answers (complete or not) are in ``iv.answers`` afterwards.
    """
    terminal.say(iv.t("start"))
    if len(iv.answers) > 1:
        terminal.say(iv.t("resumed", count=len(iv.answers) - 1))
    while True:
        step = iv.plan.next_step(iv.answers, iv.decided)
        action = _finish(iv, terminal) if step is None else _ask(iv, step, terminal)
        if action == "done":
            return True
        if action == "quit":
            return False
        if action == "back" and not iv.back():
            terminal.say(iv.t("first"))


def read_partial(path: Path, agreement: str) -> dict[str, Any]:
    """Return the answers of a (possibly unfinished) answer file to resume from."""
    text = decode_text(read_bytes(path, "answer file"), path, "answer file")
    doc = parse_json(text, str(path)) if path.suffix.lower() == ".json" else parse_yaml(text, str(path))
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise AnswersError("an answer file must be a set of fields (name: value)", Location(str(path), 1, 1),
                           code="answers.not-a-mapping")
    if data.get("agreement", agreement) != agreement:
        raise AnswersError(f"the file is for the agreement type '{data.get('agreement')}', not '{agreement}'",
                           doc.locate(("agreement",)), code="answers.agreement")
    return data
