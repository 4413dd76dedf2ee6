"""The limits on input, in-process: each exceeded limit is a LimitError with its stable code."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from assembler._files import inside, read_bytes, write_files_atomically
from assembler._limits import LimitError, check_zip
from assembler.errors import InputError, Location, UsageError
from assembler.library.sources import parse_json, parse_yaml
from assembler.library.template import compile_template, evaluate, reset_budget


def test_an_alias_is_read_but_a_bomb_or_a_loop_is_refused_with_its_place() -> None:
    assert parse_yaml("a: &x [1, 2]\nb: *x\n", "answers.yaml").data == {"a": [1, 2], "b": [1, 2]}
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
    with pytest.raises(LimitError) as caught:
        parse_yaml(bomb, "answers.yaml")
    assert caught.value.code == "limit.yaml-nodes"
    with pytest.raises(LimitError) as caught:
        parse_yaml("a: 1\nloop: &l\n  inner: *l\n", "answers.yaml")
    assert caught.value.code == "limit.yaml-alias-loop"
    assert (caught.value.location.line, caught.value.location.path) == (3, "loop.inner")


def test_deep_nesting_is_refused_in_yaml_and_json() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    for parse in (lambda t: parse_yaml(t, "x.yaml"), lambda t: parse_json(t, "x.json")):
        with pytest.raises(LimitError) as caught:
            parse('{"x": ' + deep + "}")
        assert caught.value.code == "limit.nesting-depth"
    with pytest.raises(LimitError):
        parse_yaml("x: " + "[" * 70 + "]" * 70, "x.yaml")  # below the parser's own limit, above ours
    assert parse_yaml("x: " + "[" * 60 + "]" * 60, "x.yaml").data["x"]


def test_json_duplicate_keys_are_refused() -> None:
    with pytest.raises(Exception, match="appears twice"):
        parse_json('{\n\t"a": 1,\n\t"a": 2}', "x.json")  # tab indentation: read by the json module


def test_pipes_devices_and_folders_are_refused_without_reading(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    for path, code in ((tmp_path / "fifo", "input.not-a-file"), (Path("/dev/zero"), "input.not-a-file"),
                       (tmp_path, "input.folder"), (tmp_path / "missing", "input.missing")):
        with pytest.raises(InputError) as caught:
            read_bytes(path, "answer file")
        assert caught.value.code == code


def test_a_file_over_its_limit_is_refused_by_size(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(10_000)
    with pytest.raises(LimitError) as caught:
        read_bytes(big, "answer file", 5_000, "answers-bytes")
    assert caught.value.code == "limit.answers-bytes" and "ASSEMBLER_LIMIT_ANSWERS_BYTES" in caught.value.message


def test_zip_bombs_and_crowds_are_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b" " * (8 << 20))
    with pytest.raises(LimitError) as caught:
        check_zip(buf.getvalue(), "this DOCX")
    assert caught.value.code == "limit.zip-ratio"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(2_001):
            z.writestr(f"p{i}", b"")
    with pytest.raises(LimitError) as caught:
        check_zip(buf.getvalue(), "this DOCX")
    assert caught.value.code == "limit.zip-entries"


def test_paths_leading_out_are_refused(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "secret").write_text("x")
    (tmp_path / "lib" / "library.yaml").symlink_to(tmp_path / "secret")
    with pytest.raises(InputError) as caught:
        inside(tmp_path / "lib" / "library.yaml", tmp_path / "lib", "library file")
    assert caught.value.code == "input.outside"


def test_outputs_never_replace_an_input_and_leave_no_temporary_file(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("agreement: x\n")
    with pytest.raises(UsageError) as caught:
        write_files_atomically({tmp_path / "out.md": b"1", answers: b"2"}, inputs=[answers])
    assert caught.value.code == "output.overwrites-input"
    assert answers.read_text() == "agreement: x\n" and sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]


@pytest.mark.parametrize("text, code", [
    ("{{ 9 ** (9 ** 9) }}", "limit.expression-power-bits"),
    ("{{ 'a' * 10**10 }}", "limit.expression-sequence"),
    ("{{ [1] * 10**6 }}", "limit.expression-sequence"),
    ("{{ range(10**7) | length }}", "limit.expression-sequence"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "limit.expression-steps"),
])
def test_expressions_cannot_do_unbounded_work(text: str, code: str) -> None:
    reset_budget()
    with pytest.raises(LimitError) as caught:
        compile_template(text, "clause.md").render({})
    assert caught.value.code == code


def test_expressions_within_bounds_still_work() -> None:
    reset_budget()
    assert compile_template("{% for i in range(3) %}{{ i }}{% endfor %} {{ 2 ** 10 }} {{ 'ab' * 2 }}",
                            "clause.md").render({}) == "012 1024 abab"
    assert evaluate("x * 3", {"x": 2}, Location("bp.yaml")) == 6
