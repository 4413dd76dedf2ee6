"""Unsafe output: writing over inputs or devices, a full disk, illegal characters, escapes, active PDF content,
undecodable text, duplicate keys, and temporary files left by a signal."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest
from generate import ACTIVE_PDF_KEYS, EXAMPLES, active_pdf, basic_answers
from harness import STRACE, Outcome, Workspace, expect_safe, run

ESC = "\x1b[2J\x1b]0;owned\x07\x1b[31m"


def _device(path: Path) -> Path:
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    return path


def _still_device(path: Path) -> list[str]:
    return [] if stat.S_ISCHR(os.lstat(path).st_mode) else [f"unsafe-output: {path.name} was replaced by a regular file"]


@pytest.mark.parametrize("case", ["build-o-answer-file-md", "build-o-answer-file-default", "diff-o-old-input",
                                  "diff-o-new-input", "rebuild-o-source"])
def test_output_over_input(ws: Workspace, record: list, built: dict[str, Path], case: str) -> None:
    answers = basic_answers(ws.work)
    before = answers.read_bytes()
    docx = ws.work / "old.docx"
    docx.write_bytes(built["docx"].read_bytes())
    new = ws.work / "new.docx"
    new.write_bytes(built["docx"].read_bytes())
    original = {p: p.read_bytes() for p in (answers, docx, new)}
    args = {
        "build-o-answer-file-md": ["build", "basic.yaml", "-o", "basic.yaml", "--format", "md"],
        "build-o-answer-file-default": ["build", "basic.yaml", "-o", "basic.yaml"],
        "diff-o-old-input": ["diff", "old.docx", "new.docx", "--format", "docx", "-o", "old.docx"],
        "diff-o-new-input": ["diff", "old.docx", "new.docx", "--format", "html", "-o", "new.docx"],
        "rebuild-o-source": ["rebuild", "old.docx", "-o", "old.docx"],
    }[case]
    o = run(ws, args)
    assert before

    def inputs_kept(out: Outcome) -> list[str]:
        return [f"unsafe-output: {p.name} was overwritten" for p, data in original.items() if p.read_bytes() != data]

    expect_safe(record, ws, o, extra=inputs_kept)


@pytest.mark.parametrize("case", ["build-md", "build-docx", "diff-html", "catalogue"])
def test_output_to_device(ws: Workspace, record: list, built: dict[str, Path], case: str) -> None:
    basic_answers(ws.work)
    null = _device(ws.work / "null")
    args = {
        "build-md": ["build", "basic.yaml", "-o", "null", "--format", "md"],
        "build-docx": ["build", "basic.yaml", "-o", "null", "--format", "docx"],
        "diff-html": ["diff", str(built["md"]), str(built["md"]), "--format", "html", "-o", "null"],
        "catalogue": ["clauses", "catalogue", "-o", "null"],
    }[case]
    o = run(ws, args)
    # Streaming to the device (exit 0) and refusing (exit 2) are both right; replacing it is not.
    expect_safe(record, ws, o, accept=True, extra=lambda out: _still_device(null))


def _long_title(ws: Workspace) -> list[str]:
    title = ("Utveckling och test av en gemensam digital plattform för samordnad planering av hemtjänst, "
             "färdtjänst och skolskjuts i de samverkande kommunerna i Skaraborg, med särskilt fokus på "
             "tillgänglighet för personer med funktionsnedsättning, minskade utsläpp och bättre arbetsmiljö "
             "för förarna under hela projektperioden")
    assert len(title) > 300
    (ws.work / "long.yaml").write_text((EXAMPLES / "basic.yaml").read_text().replace(
        "title: Smart sortering av matavfall i flerbostadshus", f"title: {title}", 1))
    return ["build", "long.yaml", "-o", "out/", "--format", "docx,pdf"]


def _docx_opens(ws: Workspace) -> list[str]:
    path = ws.work / "out" / "long.docx"
    if not path.exists():
        return []
    import docx
    try:
        docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001
        return [f"unsafe-output: the DOCX does not open ({exc})"]
    return []


def test_long_project_title(ws: Workspace, record: list) -> None:
    o = run(ws, _long_title(ws))
    expect_safe(record, ws, o, accept=True, outputs=["work/out/long.docx", "work/out/long.pdf"],
                extra=lambda out: _docx_opens(ws))


@pytest.mark.parametrize("case", ["disk-full-docx", "disk-full-second-file", "parent-is-a-file"])
def test_write_failures(ws: Workspace, record: list, case: str) -> None:
    basic_answers(ws.work)
    if case == "parent-is-a-file":
        (ws.work / "afile").write_text("x")
        o = run(ws, ["build", "basic.yaml", "-o", "afile/sub/basic.docx", "--format", "docx"])
    elif case == "disk-full-docx":
        o = run(ws, ["build", "basic.yaml", "-o", "out/", "--format", "docx"], fsize=4_000)
    else:
        o = run(ws, ["build", "basic.yaml", "-o", "out/", "--format", "md,docx,pdf"], fsize=60_000)
    expect_safe(record, ws, o)


ILLEGAL = {"nul": "\\0", "vertical-tab": "\\v", "escape": "\\e", "u0001": "\\x01", "ufffe": "\\uFFFE"}


@pytest.mark.parametrize("char", list(ILLEGAL))
def test_xml_illegal_characters(ws: Workspace, record: list, char: str) -> None:
    text = (EXAMPLES / "basic.yaml").read_text().replace(
        "  test_site: tre avfallsrum", f'  test_site: "tre{ILLEGAL[char]} avfallsrum', 1)
    text = text.replace("Lyckan, Göteborg\n", 'Lyckan, Göteborg"\n', 1)
    (ws.work / "bad.yaml").write_text(text)
    o = run(ws, ["build", "bad.yaml", "-o", "out/", "--format", "docx,pdf"])

    def names_field(out: Outcome) -> list[str]:
        return [] if o.rc != 1 or "test_site" in o.stderr else ["unplain-message: the field is not named"]

    expect_safe(record, ws, o, extra=names_field, exits=(1,))


def _no_escape(o: Outcome) -> list[str]:
    return ["unsafe-output: an escape sequence reached the terminal"] if "\x1b" in o.stdout + o.stderr else []


@pytest.mark.parametrize("case", ["inspect-forged-manifest", "where-used-file-name", "diff-answers",
                                  "validate-file-name", "check-answers"])
def test_terminal_escapes(ws: Workspace, record: list, built: dict[str, Path], case: str) -> None:
    if case == "inspect-forged-manifest":
        manifest = json.loads(built["manifest"].read_text())
        manifest["reference"] = f"KS {ESC}1"
        manifest["parties"] = [f"Evil{ESC} AB"]
        manifest["warnings"] = [f"warn{ESC}"]
        manifest["clauses"][0]["id"] = f"parter{ESC}"
        (ws.work / "forged.manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
        args = ["inspect", "forged.manifest.json"]
    elif case == "where-used-file-name":
        (ws.work / "agreements").mkdir()
        (ws.work / "agreements" / f"evil{ESC}.docx").write_bytes(b"not a docx")
        args = ["where-used", "parter", "agreements"]
    elif case == "validate-file-name":
        from generate import copy_library
        lib = copy_library(ws.root / "lib")
        (lib / "fragments" / "parter" / f"2.0.0{ESC}.md").write_text("broken")
        (lib / "agreements" / f"x{ESC}.yaml").write_text("id: [")
        args = ["validate", "--library", str(lib)]
    else:
        text = (EXAMPLES / "basic.yaml").read_text().replace(
            "name: Grönvåg Sensorteknik AB", 'name: "Grönvåg\\e[2J\\e]0;owned\\a Sensorteknik AB"')
        (ws.work / "evil.yaml").write_text(text)
        basic_answers(ws.work)
        args = ["diff", "basic.yaml", "evil.yaml"] if case == "diff-answers" else ["check", "evil.yaml"]
    o = run(ws, args)
    expect_safe(record, ws, o, accept=True, extra=_no_escape)


def test_active_appendix_pdf(ws: Workspace, record: list) -> None:
    active_pdf(ws.work / "active.pdf")
    basic_answers(ws.work, "\nappendices:\n  - title: Bilaga med skript\n    file: active.pdf\n")
    o = run(ws, ["build", "basic.yaml", "-o", "out/", "--format", "pdf"])

    def stripped(out: Outcome) -> list[str]:
        pdf = ws.work / "out" / "basic.pdf"
        if not pdf.exists():
            return []
        data = pdf.read_bytes()
        found = [k.decode() for k in ACTIVE_PDF_KEYS if k in data and k != b"/EmbeddedFiles"]
        from pypdf import PdfReader
        attached = [name for name in PdfReader(str(pdf)).attachments if "manifest" not in name]
        problems = [f"unsafe-output: the signed PDF carries {found + attached}"] if found or attached else []
        if "warning:" not in o.stderr:
            problems.append("unsafe-output: no warning that active content was removed")
        return problems

    expect_safe(record, ws, o, accept=True, outputs=["work/out/basic.pdf"], extra=stripped)


@pytest.mark.parametrize("case", ["non-utf8-text-diff", "json-duplicate-key", "yaml-duplicate-key"])
def test_text_encodings_and_keys(ws: Workspace, record: list, built: dict[str, Path], case: str) -> None:
    if case == "non-utf8-text-diff":
        (ws.work / "old.txt").write_bytes("Avtal om samverkan\n\nParterna är överens.\n".encode("latin-1"))
        (ws.work / "new.txt").write_bytes("Avtal om samverkan\n\nParterna är oense.\n".encode("latin-1"))
        o = run(ws, ["diff", "old.txt", "new.txt"])
        expect_safe(record, ws, o, accept=True)
        return
    data = json.loads(json.dumps(_basic_as_json()))
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if case == "json-duplicate-key":
        text = text.replace('"language": "sv"', '"language": "sv", "language": "en"', 1)
        (ws.work / "dup.json").write_text(text)
        o = run(ws, ["build", "dup.json", "-o", "out/", "--format", "md"])
    else:
        basic_answers(ws.work, "\nlanguage: en\n", "dup.yaml")
        o = run(ws, ["build", "dup.yaml", "-o", "out/", "--format", "md"])
    expect_safe(record, ws, o, exits=(1,))


def _basic_as_json() -> dict:
    import yaml
    return json.loads(json.dumps(yaml.safe_load((EXAMPLES / "basic.yaml").read_text()), default=str))


def _signal_at_write(sig: int, marker_dir: Path) -> tuple[list[str], object]:
    """strace arguments that hold the write phase open, and a hook that sends ``sig`` once a file appears."""
    caught: list[bool] = []

    def during(proc: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 40  # a loaded machine under strace is slow to reach the writes
        while time.monotonic() < deadline:
            if marker_dir.exists() and any("assembler-partial" in p.name for p in marker_dir.iterdir()):
                child = _traced_child(proc.pid)
                if child:
                    os.kill(child, sig)
                    caught.append(True)
                return
            time.sleep(0.005)

    return [caught], during


def _traced_child(pid: int) -> int | None:
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        if children:
            return int(children[0])
    return None


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT", "SIGKILL"])
def test_signal_during_write(ws: Workspace, record: list, sig: str) -> None:
    if not os.path.exists("/usr/bin/strace"):
        pytest.skip("strace is not installed: nothing can hold the write phase open to signal inside it")
    basic_answers(ws.work)
    out = ws.work / "out"
    out.mkdir()
    (caught,), during = _signal_at_write(getattr(signal, sig), out)
    # Every write syscall returns 50 ms late, so the write phase lasts long enough to be interrupted in.
    # strace injects only into syscalls it traces, and a later trace= replaces the harness's: name them all.
    o = run(ws, ["build", "basic.yaml", "-o", "out/", "--format", "docx,pdf"], during=during, timeout=45,
            strace_extra=("-e", "trace=open,openat,openat2,execve,write,pwrite64,fsync",
                          "-e", "inject=write,pwrite64,fsync:delay_exit=50000"))
    assert caught, "the write phase was never reached: the case tested nothing"
    leftovers = [p for p in o.new_files if p.startswith("work/out/")]
    # strace reports on its own stderr when its child dies inside a delayed syscall; that is not our message.
    o.stderr = "".join(line for line in o.stderr.splitlines(keepends=True) if not line.startswith(STRACE + ":"))
    if sig == "SIGKILL":
        # Nothing can clean up after SIGKILL: what is left must say what it is.
        o.rc = 1 if o.rc in (-9, 137) else o.rc
        o.stderr = o.stderr or "error: killed"
        bad = [p for p in leftovers if "assembler" not in Path(p).name or "partial" not in Path(p).name]
        o.new_files = [p for p in o.new_files if p not in leftovers or p in bad]
    else:
        o.rc = 1 if o.rc in (130, 143, -2, -15, 1) else o.rc
        o.stderr = o.stderr if "error:" in o.stderr or not o.stderr.strip() else o.stderr
        if not o.stderr.strip():
            o.stderr = "error: interrupted (no message)"
    expect_safe(record, ws, o)
