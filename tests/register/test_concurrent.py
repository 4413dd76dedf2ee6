"""Two batch runs writing into one register at once: every agreement recorded exactly once, no file lost."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, MINI

from assembler.register.schema import LATEST
from assembler.register.store import open_register


def _sheet(path: Path, numbers: range) -> Path:
    lines = ["reference,parties[1].name,parties[1].orgnr,parties[1].signatory.name,parties[1].signatory.title"]
    lines += [f"KS 2026/{n:04d},Företag {n} AB,556036-0793,Person {n},VD" for n in numbers]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_two_batch_runs_at_once_record_every_agreement_once(register_location: str, tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text((FIXTURES / "mini-answers.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    # Rows 9-12 are in both sheets: the same agreement built twice, by two runs at once.
    first, second = _sheet(tmp_path / "first.csv", range(1, 13)), _sheet(tmp_path / "second.csv", range(9, 21))
    runs = [subprocess.Popen([sys.executable, "-m", "assembler", "build", str(sheet), "--base", str(base),
                              "--library", str(MINI), "--as-of", "2026-03-01", "--format", "txt", "-j", "2",
                              "-o", str(tmp_path / sheet.stem), "--register", register_location],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for sheet in (first, second)]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        assert "built 12 of 12" in out
    with open_register(register_location) as reg:
        listed = reg.agreements()
        assert sorted(r.reference for r in listed) == [f"KS 2026/{n:04d}" for n in range(1, 21)]
        assert len({r.id for r in listed}) == 20
        files = [f for r in listed for f in reg.find(r.id)[0].files]
        assert len(files) == 24 and len({f[0] for f in files}) == 24  # every file written, each recorded once
        shared = reg.find("KS 2026/0010")[0]
        assert sorted(Path(f[0]).parent.name for f in shared.files) == ["first", "second"]
        assert len({f[2] for f in shared.files}) == 1  # the same agreement, byte for byte, from both runs


def _open_fresh(path: str) -> str:
    try:
        with open_register(path) as register:
            return f"schema {register.schema_version}"
    except Exception as exc:  # noqa: BLE001 - the test reports what any opener met
        return f"{type(exc).__name__}: {exc}"


def test_processes_opening_a_new_register_at_once_all_get_it(tmp_path: Path) -> None:
    # Two batch runs started together both create the register: switching a new file to WAL clashes, and
    # SQLite reports the clash at once instead of waiting; before openers waited for it, one round in five failed.
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        for n in range(40):
            path = str(tmp_path / f"register-{n}.sqlite3")
            outcomes = pool.map(_open_fresh, [path] * 4)
            assert outcomes == [f"schema {LATEST}"] * 4, (n, outcomes)
