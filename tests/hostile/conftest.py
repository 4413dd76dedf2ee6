"""Fixtures of the hostile-input suite: a workspace per case, inputs built once per session, the tally."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from generate import EXAMPLES, many_entries_docx, text_pdf, zip_bomb_docx  # noqa: E402
from harness import CANARY, Outcome, Workspace, run  # noqa: E402

_RESULTS: list[dict[str, object]] = []


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The basic example built once, by the real CLI: DOCX, PDF, Markdown and manifest; and the canary agreement."""
    ws = Workspace(tmp_path_factory.mktemp("built") / "ws")
    shutil.copy(EXAMPLES / "basic.yaml", ws.work / "basic.yaml")
    o = run(ws, ["build", "basic.yaml", "-o", "out/", "--format", "docx,pdf,md", "--manifest",
                 "--as-of", "2026-06-01"])
    assert o.rc == 0, o.stderr
    secret = (EXAMPLES / "basic.yaml").read_text().replace("reference: KS 2026/0412", f"reference: {CANARY}")
    (ws.work / "secret.yaml").write_text(secret)
    o = run(ws, ["build", "secret.yaml", "-o", "out/", "--format", "docx", "--as-of", "2026-06-01"])
    assert o.rc == 0, o.stderr
    text_pdf(ws.work / "out" / "canary.pdf", CANARY)
    out = ws.work / "out"
    return {"docx": out / "basic.docx", "pdf": out / "basic.pdf", "md": out / "basic.md",
            "manifest": out / "basic.manifest.json", "secret_docx": out / "secret.docx",
            "canary_pdf": out / "canary.pdf", "answers": ws.work / "basic.yaml"}


@pytest.fixture(scope="session")
def bombs(tmp_path_factory: pytest.TempPathFactory, built: dict[str, Path]) -> dict[str, Path]:
    """A DOCX zip bomb (600 MB document and manifest parts in 1 MB) and a DOCX of 100,000 entries."""
    folder = tmp_path_factory.mktemp("bombs")
    return {"zip-bomb": zip_bomb_docx(built["docx"], folder / "bomb.docx", 600 << 20),
            "many-entries": many_entries_docx(built["docx"], folder / "many.docx")}


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Iterator[list[Outcome]]:
    """Collect a case's outcomes for the tally (written when $HOSTILE_RESULTS names a file)."""
    outcomes: list[Outcome] = []
    yield outcomes
    cls = request.node.originalname.removeprefix("test_")
    case = request.node.callspec.id if hasattr(request.node, "callspec") else request.node.name
    for o in outcomes:
        _RESULTS.append({"class": cls, "case": case, "verdict": o.verdict, "problems": o.problems,
                         "rc": o.rc, "seconds": round(o.seconds, 2), "peak_mb": o.maxrss_kb // 1024})


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get("HOSTILE_RESULTS")
    if not target or not _RESULTS:
        return
    Path(target).write_text(json.dumps({"totals": Counter(str(r["verdict"]) for r in _RESULTS),
                                        "cases": _RESULTS}, indent=1))
