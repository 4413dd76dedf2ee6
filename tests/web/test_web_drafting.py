"""The legal unit's pages: drafting a clause version and approving it, with the command line's checks."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from assembler.cli import cli as main
from assembler.web import create_app

OLD = "skriftliga och undertecknade"
NEW = "skriftliga, daterade och undertecknade"


def csrf(text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert found, "the page has no CSRF token"
    return found.group(1)


def textarea(page: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, f"no textarea {name}"
    return html.unescape(found.group(1))


def codes(page: str) -> list[str]:
    """Return the error codes a page shows beside its forms."""
    return re.findall(r"<code>([a-z]+(?:[.-][a-z]+)+)</code>", page)


@pytest.fixture
def ws_client(workspace: Path) -> Any:
    return create_app(workspace, hosts=("localhost",)).test_client()


def draft_form(client: Any, clause_id: str = "andringar") -> dict[str, str]:
    page = client.get(f"/clauses/{clause_id}/draft").get_data(as_text=True)
    return {"csrf_token": csrf(page), "bump": "minor", "effective": "", "message": "Amendments are dated.",
            "by": "", "text.sv": textarea(page, "text.sv").replace(OLD, NEW), "text.en": textarea(page, "text.en")}


def test_a_lawyer_drafts_with_a_preview_and_another_approves(ws_client: Any, workspace: Path) -> None:
    page = ws_client.get("/clauses/andringar").get_data(as_text=True)
    assert "/clauses/andringar/draft" in page
    form = draft_form(ws_client)
    preview = ws_client.post("/clauses/andringar/draft", data={**form, "action": "preview"})
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="draft-preview"' in body
    assert "daterade" in html.unescape(body)  # the redline of the typed text, inside the iframe
    assert not (workspace / "fragments" / "andringar" / "1.2.0.md").exists()  # a preview writes nothing

    made = ws_client.post("/clauses/andringar/draft", data={**form, "action": "create"})
    assert made.status_code == 303 and made.headers["Location"].endswith("/clauses/andringar/1.2.0?drafted=1")
    draft = workspace / "fragments" / "andringar" / "1.2.0.md"
    text = draft.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    assert front["status"] == "draft" and front["drafted_by"] == "Anna Andersson"  # the workspace's user
    assert front["replaces"] == "andringar@1.1.0" and NEW in text
    assert front["changelog"][-1]["text"] == "Amendments are dated."

    page = ws_client.get(made.headers["Location"]).get_data(as_text=True)
    assert 'class="approve-form"' in page and "Anna Andersson" in page
    # Four eyes: the author (the workspace's user, by default) may not approve her own draft.
    own = ws_client.post("/clauses/andringar/1.2.0/approve", data={"csrf_token": csrf(page), "by": ""})
    assert own.status_code == 422 and "lifecycle.own-draft" in codes(own.get_data(as_text=True))
    same = ws_client.post("/clauses/andringar/1.2.0/approve", data={"csrf_token": csrf(page), "by": "anna andersson"})
    assert "lifecycle.own-draft" in codes(same.get_data(as_text=True))
    assert yaml.safe_load(draft.read_text(encoding="utf-8").split("---")[1])["status"] == "draft"

    done = ws_client.post("/clauses/andringar/1.2.0/approve",
                          data={"csrf_token": csrf(page), "by": "Bo Berg", "date": "2026-12-01"})
    assert done.status_code == 303
    front = yaml.safe_load(draft.read_text(encoding="utf-8").split("---")[1])
    assert (front["status"], front["approved_by"], str(front["approved_on"])) == ("approved", "Bo Berg", "2026-12-01")
    record = yaml.safe_load((workspace / "approved.yaml").read_text(encoding="utf-8"))
    assert "andringar@1.2.0" in record
    # The command line sees the same library: valid, and the new version approved.
    shown = CliRunner().invoke(main, ["clauses", "show", "andringar@1.2.0", "--library", str(workspace), "--json"])
    assert shown.exit_code == 0 and '"status": "approved"' in shown.output
    assert CliRunner().invoke(main, ["validate", "--library", str(workspace)]).exit_code == 0
    # The page now serves the approved version and offers the next draft.
    page = ws_client.get("/clauses/andringar").get_data(as_text=True)
    assert "1.2.0" in page and "/clauses/andringar/draft" in page and 'class="approve-form"' not in page


def test_the_command_lines_checks_and_codes_are_shown_beside_the_form(ws_client: Any, workspace: Path) -> None:
    form = draft_form(ws_client)
    early = ws_client.post("/clauses/andringar/draft", data={**form, "effective": "2020-01-01", "action": "create"})
    page = early.get_data(as_text=True)
    assert early.status_code == 422 and "lifecycle.effective-order" in codes(page)
    assert 'id="d-effective" ' in page and 'aria-invalid="true"' in page.split('id="d-effective" ')[1].split(">")[0]
    assert NEW in html.unescape(page)  # what was typed is kept
    control = ws_client.post("/clauses/andringar/draft", data={**form, "by": "Anna\u0007", "action": "create"})
    assert "usage.control-character" in codes(control.get_data(as_text=True))
    assert ws_client.post("/clauses/andringar/draft", data={**form, "action": "create"}).status_code == 303
    # A second draft while one waits: refused as `clauses new-version` refuses it.
    again = ws_client.post("/clauses/andringar/draft", data={**form, "action": "create"})
    assert again.status_code == 422 and "lifecycle.draft-pending" in codes(again.get_data(as_text=True))
    cli = CliRunner().invoke(main, ["clauses", "new-version", "andringar", "--library", str(workspace)])
    assert cli.exit_code == 1 and "still a draft" in cli.output


def test_self_approval_when_the_workspace_allows_it(tmp_path: Path) -> None:
    from tests.web.conftest import make_workspace

    library = make_workspace(tmp_path / "ws")
    settings = library.parent / "assembler.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("allow_self_approval = false",
                                                                    "allow_self_approval = true"), encoding="utf-8")
    client = create_app(library, hosts=("localhost",)).test_client()
    form = draft_form(client)
    assert client.post("/clauses/andringar/draft", data={**form, "action": "create"}).status_code == 303
    done = client.post("/clauses/andringar/1.2.0/approve", data={"csrf_token": form["csrf_token"], "by": ""})
    assert done.status_code == 303


def test_unchanged_text_drafts_an_exact_copy(ws_client: Any, workspace: Path) -> None:
    form = draft_form(ws_client)
    form["text.sv"] = form["text.sv"].replace(NEW, OLD)
    assert ws_client.post("/clauses/andringar/draft", data={**form, "action": "create"}).status_code == 303
    old = (workspace / "fragments" / "andringar" / "1.1.0.md").read_text(encoding="utf-8")
    new = (workspace / "fragments" / "andringar" / "1.2.0.md").read_text(encoding="utf-8")
    assert old.split("\n---\n", 1)[1] == new.split("\n---\n", 1)[1]


def test_every_form_needs_the_csrf_token(ws_client: Any, workspace: Path) -> None:
    form = draft_form(ws_client)
    del form["csrf_token"]
    assert ws_client.post("/clauses/andringar/draft", data={**form, "action": "create"}).status_code == 400
    assert ws_client.post("/clauses/andringar/1.1.0/approve", data={"by": "Bo Berg"}).status_code == 400
    assert not (workspace / "fragments" / "andringar" / "1.2.0.md").exists()


def test_read_only_libraries_show_no_drafting_forms(tmp_path: Path) -> None:
    bundled = create_app(None, hosts=("localhost",)).test_client()
    library = tmp_path / "ws"
    from tests.web.conftest import make_workspace

    served = make_workspace(library)
    asked = create_app(served, hosts=("localhost",), read_only=True).test_client()
    for client in (bundled, asked):
        page = client.get("/clauses/andringar").get_data(as_text=True)
        assert "/draft" not in page and "approve-form" not in page
        assert "skrivskyddat" in client.get("/clauses").get_data(as_text=True)
        assert client.get("/clauses/andringar/draft").status_code == 404
        token = csrf(client.get("/new").get_data(as_text=True))
        assert client.post("/clauses/andringar/1.1.0/approve", data={"csrf_token": token, "by": "Bo"}).status_code == 404
        assert client.post("/clauses/andringar/draft", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize(("typed", "code"), [("Första stycket.\n\n# en\n\nSmuggled.", "web.text-heading"),
                                             ("  \n ", "web.text-empty")])
def test_a_text_that_would_break_the_clause_file_is_refused(ws_client: Any, workspace: Path, typed: str,
                                                            code: str) -> None:
    form = {**draft_form(ws_client), "text.sv": typed, "action": "create"}
    refused = ws_client.post("/clauses/andringar/draft", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and code in codes(page)
    assert 'aria-invalid="true"' in page.split('id="d-text-sv"')[1].split(">")[0]  # tied to its text box
    assert not (workspace / "fragments" / "andringar" / "1.2.0.md").exists()
    assert ws_client.get("/clauses/andringar").status_code == 200


def test_the_drafting_and_approval_forms_label_every_control(ws_client: Any) -> None:
    from tests.web.test_web_app import parse

    form = draft_form(ws_client)
    assert ws_client.post("/clauses/andringar/draft", data={**form, "action": "create"}).status_code == 303
    for url in ("/clauses/andringar/draft", "/clauses/andringar/1.2.0"):
        page = parse(ws_client.get(url).get_data(as_text=True))
        assert page.lang == "sv" and page.controls
        for control in page.controls:
            assert control.get("id") in page.labels, (url, control)
            for ref in control.get("aria-describedby", "").split():
                assert ref in page.ids, (url, control["id"], ref)


@pytest.mark.parametrize("read_only", [False, True])
def test_assembler_serve_in_a_workspace_offers_drafting_unless_read_only(workspace: Path, read_only: bool) -> None:
    """`assembler serve` run inside a workspace, as a real process: drafting is on, or off with --read-only."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "assembler", "serve", "--port", str(port)] + (["--read-only"] if read_only else [])
    server = subprocess.Popen(command, cwd=workspace.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = server.stdout.readline().decode() if server.stdout else ""
        assert ("read-only" in first) == read_only and f"http://127.0.0.1:{port}/" in first, first
        deadline = time.monotonic() + 30
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/clauses/andringar", timeout=5).read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)  # waiting for the server to listen, not for the page to settle
        assert ("/clauses/andringar/draft" in page) != read_only
    finally:
        server.terminate()
        server.wait(timeout=10)
