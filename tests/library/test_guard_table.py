"""docs/guards.md lists every guard of the bundled library and is kept in step with the blueprints."""

from __future__ import annotations

import importlib.util

from conftest import FIXTURES, REPO

from assembler.library.load import load_library


def _tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("guard_table", REPO / "tools" / "guard_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_guard_table_in_docs_is_up_to_date() -> None:
    library = load_library()
    expected = _tool().guard_table_markdown([library.blueprints[k] for k in sorted(library.blueprints)])
    actual = (REPO / "docs" / "guards.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/guards.md is stale: run `python tools/guard_table.py`"


def test_every_guard_has_a_row_with_both_messages_and_a_fixture() -> None:
    text = (REPO / "docs" / "guards.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`"): line for line in text.splitlines() if line.startswith("| `")}
    for bp in load_library().blueprints.values():
        for guard in bp.guards:
            row = rows[guard.id]
            assert f"| {guard.level} |" in row
            assert " ".join(guard.message["sv"].split()) in row and " ".join(guard.message["en"].split()) in row
            assert (FIXTURES / "guards" / f"{guard.id}.yaml").is_file()


def test_the_reference_list_in_docs_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("reference_list", REPO / "tools" / "reference_list.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.references_markdown(load_library())
    actual = (REPO / "docs" / "references.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/references.md is stale: run `python tools/reference_list.py`"
    confirmed = actual.split("## Not yet confirmed")[0]
    assert "Offentlighets- och sekretesslagen (2009:400) 31 kap. 16 §" in confirmed
    assert "4 kap. 8 §" not in confirmed  # checked only once its SFS text has been read
