"""Every bundled example, built in every format and language, hashes to the recorded bytes.

The hashes in ``tests/fixtures/golden-hashes.json`` were recorded from the
outputs a person had read; a change of any byte fails here.  When a change to
the output is intended (a new clause version in force, a writer fix), record
it on purpose and say why in the commit:

    ASSEMBLER_UPDATE_GOLDEN=1 python -m pytest tests/golden
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from assembler import assemble, writer_for

REPO = Path(__file__).resolve().parents[2]
RECORD = REPO / "tests" / "fixtures" / "golden-hashes.json"
AS_OF = "2026-12-01"  # the examples are written for the second edition of the OPI blueprint
FORMATS = ("docx", "pdf", "md", "html", "txt")
LANGUAGES = ("sv", "en", "sv+en")
EXAMPLES = sorted(p.name for p in (REPO / "examples").glob("*.yaml"))


def _hashes_of(example: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for language in LANGUAGES:
        agreement = assemble(REPO / "examples" / example, as_of=AS_OF, language=language).agreement
        for fmt in FORMATS:
            out[f"{example} {language} {fmt}"] = hashlib.sha256(writer_for(fmt)(agreement)).hexdigest()
    return out


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_bytes_match_the_record(example: str) -> None:
    actual = _hashes_of(example)
    recorded = json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.exists() else {}
    if os.environ.get("ASSEMBLER_UPDATE_GOLDEN") == "1":
        recorded = {k: v for k, v in recorded.items() if not k.startswith(example + " ")} | actual
        RECORD.write_text(json.dumps(dict(sorted(recorded.items())), indent=1) + "\n", encoding="utf-8")
        return
    missing = sorted(set(actual) - set(recorded))
    assert not missing, f"no recorded hash for {missing}: record them on purpose (see this module's docstring)"
    changed = sorted(key for key, digest in actual.items() if recorded[key] != digest)
    assert changed == []
