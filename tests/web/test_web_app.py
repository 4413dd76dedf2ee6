"""The web app through Flask's test client: the form's logic, downloads, the library pages, and security."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
import yaml

from assembler.library.sources import parse_yaml
from assembler.web.forms import form_data

REPO = Path(__file__).resolve().parents[2]


def csrf(response_text: str) -> str:
    """Return the CSRF token a page carries."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', response_text)
    assert found, "the page has no CSRF token"
    return found.group(1)


@pytest.fixture
def basic(app: Any) -> dict[str, str]:
    """The basic example as the form fields a user would fill in."""
    data = parse_yaml((REPO / "examples" / "basic.yaml").read_text(encoding="utf-8"), "basic.yaml").data
    return form_data(app.extensions["assembler"].plan, data)


def post(client: Any, url: str, data: dict[str, Any], **kw: Any) -> Any:
    token = csrf(client.get("/new").get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kw)


class Fields(HTMLParser):
    """The form controls of a page, with their labels and the ids they are described by."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.labels: set[str] = set()
        self.ids: set[str] = set()
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "label" and "for" in a:
            self.labels.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append(a)


def parse(html: str) -> Fields:
    parser = Fields()
    parser.feed(html)
    return parser


def test_every_control_has_a_label_and_its_descriptions_exist(client: Any) -> None:
    page = parse(client.get("/new").get_data(as_text=True))
    assert page.lang == "sv"
    assert page.controls
    for control in page.controls:
        assert control.get("id") in page.labels, control
        for ref in control.get("aria-describedby", "").split():
            assert ref in page.ids, (control["id"], ref)


def test_the_basic_example_previews_with_its_parties(client: Any, basic: dict[str, str]) -> None:
    html = post(client, "/new", basic).get_data(as_text=True)
    srcdoc = re.search(r'srcdoc="([^"]*)"', html)
    assert srcdoc, "no preview"
    preview = srcdoc.group(1)
    for text in ("Göteborgs stad", "Grönvåg Sensorteknik AB", "Smart sortering av matavfall"):
        assert text in preview


def test_a_wrong_orgnr_is_reported_beside_its_field_in_the_users_language(client: Any, basic: dict[str, str]) -> None:
    basic["private_parties.0.orgnr"] = "556036-0794"
    html = post(client, "/new", basic).get_data(as_text=True)
    assert 'id="f-private_parties-0-orgnr-error"' in html
    error = re.search(r'id="f-private_parties-0-orgnr-error"[^>]*>(.*?)</p>', html, re.S)
    assert error and "Kontrollsiffran stämmer inte" in error.group(1)
    assert re.search(r'id="f-private_parties-0-orgnr"[^>]*aria-invalid="true"', html, re.S)
    assert "srcdoc=" not in html  # no preview while a field is wrong
    client.get("/new?lang=en")
    english = post(client, "/new/check", {**basic, "submitted": "1"}).get_json()
    assert "check digit is wrong" in english["findings"]["f-private_parties-0-orgnr"]["message"]


def test_guards_are_shown_and_stop_the_download(client: Any, basic: dict[str, str]) -> None:
    basic["remuneration.amount_sek"] = "50000"
    response = post(client, "/new", {**basic, "action": "docx"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Den offentliga parten ska inte betala något till utvecklingsparten" in html
    assert 'href="#f-remuneration-amount_sek"' in html


def test_personal_data_questions_only_when_data_is_processed(client: Any, basic: dict[str, str]) -> None:
    html = post(client, "/new", basic).get_data(as_text=True)
    assert re.search(r'data-field="f-personal_data-role" hidden', html)
    basic["personal_data.processed"] = "ja"
    data = post(client, "/new/check", {**basic, "submitted": "1"}).get_json()
    assert "f-personal_data-role" in data["shown"]
    assert data["findings"]["f-personal_data-role"]["message"] == "Fältet måste fyllas i."


def test_downloads_open_as_what_they_claim(client: Any, basic: dict[str, str], tmp_path: Path) -> None:
    docx_bytes = post(client, "/new", {**basic, "action": "docx"}).data
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(docx_bytes)).paragraphs)
    assert "Grönvåg Sensorteknik AB" in text
    pdf_bytes = post(client, "/new", {**basic, "action": "pdf"}).data
    pdf_text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert "Göteborgs stad" in pdf_text
    both = zipfile.ZipFile(io.BytesIO(post(client, "/new", {**basic, "action": "both"}).data))
    assert sorted(both.namelist()) == ["answers.yaml", "avtal.docx", "avtal.pdf"]
    answers = post(client, "/new", {**basic, "action": "yaml"})
    assert answers.headers["Content-Disposition"] == 'attachment; filename="answers.yaml"'
    path = tmp_path / "answers.yaml"
    path.write_bytes(answers.data)
    assert answers.data.startswith(b"# yaml-language-server: $schema=file://")
    built = subprocess.run([sys.executable, "-m", "assembler", "check", "--strict", str(path)],
                           capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert yaml.safe_load(answers.data)["public_parties"][0]["orgnr"] == "212000-1355"


def test_template_syntax_typed_into_the_form_is_printed_not_run(client: Any, basic: dict[str, str]) -> None:
    basic["project.title"] = "{{ 7*7 }} {% raw %}<script>alert(1)</script>"
    html = post(client, "/new", basic).get_data(as_text=True)
    preview = re.search(r'srcdoc="([^"]*)"', html)
    assert preview
    assert "{{ 7*7 }}" in preview.group(1)
    assert "<script>alert" not in html  # escaped once by the agreement's HTML writer, once more for srcdoc
    assert "&amp;lt;script&amp;gt;alert(1)" in preview.group(1)


def test_add_and_remove_a_party_block(client: Any, basic: dict[str, str]) -> None:
    html = post(client, "/new", {**basic, "action": "add:private_parties"}).get_data(as_text=True)
    assert 'name="private_parties.1.orgnr"' in html and 'name="count.private_parties" value="2"' in html
    basic.update({"count.private_parties": "2", "private_parties.1.name": "Andra AB"})
    html = post(client, "/new", {**basic, "action": "remove:private_parties:0"}).get_data(as_text=True)
    assert 'value="Andra AB"' in html and 'name="private_parties.1.orgnr"' not in html


def test_an_uploaded_answer_file_fills_the_form(client: Any) -> None:
    upload = (io.BytesIO((REPO / "examples" / "research.yaml").read_bytes()), "research.yaml")
    html = post(client, "/new/load", {"answers": upload}, content_type="multipart/form-data").get_data(as_text=True)
    assert 'name="count.private_parties" value="2"' in html  # the company and the university
    assert "srcdoc=" in html


def test_an_uploaded_answer_file_whose_appendix_must_be_a_file_asks_for_the_upload(client: Any) -> None:
    # The web form never reads a path from a request: the data-processing agreement a processor must attach
    # as a file is asked for as an upload beside its appendix block; until then no preview is made.
    upload = (io.BytesIO((REPO / "examples" / "consortium.yaml").read_bytes()), "consortium.yaml")
    html = post(client, "/new/load", {"answers": upload}, content_type="multipart/form-data").get_data(as_text=True)
    assert 'name="count.private_parties" value="3"' in html  # the consortium's three development partners
    assert "must be attached as a file" in html and "srcdoc=" not in html
    assert 'name="upload.appendices.1.file" type="file" accept=".pdf,application/pdf"' in html


APPENDICES = {"upload.appendices.0.file": "projektplan-trygg-natt.pdf",
              "upload.appendices.1.file": "personuppgiftsbitradesavtal-trygg-natt.pdf"}


def consortium(app: Any) -> dict[str, Any]:
    data = parse_yaml((REPO / "examples" / "consortium.yaml").read_text(encoding="utf-8"), "consortium.yaml").data
    return form_data(app.extensions["assembler"].plan, data)


def with_files(form: dict[str, Any], files: dict[str, tuple[bytes, str]]) -> dict[str, Any]:
    return {**form, **{k: (io.BytesIO(data), name) for k, (data, name) in files.items()}}


def example_files() -> dict[str, tuple[bytes, str]]:
    return {k: ((REPO / "examples" / "appendices" / name).read_bytes(), name) for k, name in APPENDICES.items()}


def test_uploaded_appendix_pdfs_make_the_preview_and_the_pdf(app: Any, client: Any, tmp_path: Path) -> None:
    form = consortium(app)
    page = post(client, "/new", with_files(form, example_files()), content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "srcdoc=" in html and "must be attached as a file" not in html
    pdf = post(client, "/new", with_files({**form, "action": "pdf"}, example_files()),
               content_type="multipart/form-data")
    assert pdf.mimetype == "application/pdf"
    built = tmp_path / "cli.pdf"
    subprocess.run([sys.executable, "-m", "assembler", "build", str(REPO / "examples" / "consortium.yaml"),
                    "--format", "pdf", "-o", str(built)], check=True, capture_output=True)
    web_pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages]
    cli_pages = [p.extract_text() for p in pypdf.PdfReader(str(built)).pages]
    assert web_pages == cli_pages  # the same agreement with the same appendix pages as `assembler build`
    assert "Personuppgiftsbiträdesavtal – Trygg natt" in web_pages[-1]
    both = post(client, "/new", with_files({**form, "action": "both"}, example_files()),
                content_type="multipart/form-data")
    folder = tmp_path / "zip"
    with zipfile.ZipFile(io.BytesIO(both.data)) as archive:
        names = set(archive.namelist())
        archive.extractall(folder)
    answers = (folder / "answers.yaml").read_text(encoding="utf-8")
    # The answer file names the PDFs that lie beside it, so `assembler build` builds it unchanged, to the byte.
    assert set(APPENDICES.values()) <= names and "file: personuppgiftsbitradesavtal-trygg-natt.pdf" in answers
    subprocess.run([sys.executable, "-m", "assembler", "build", str(folder / "answers.yaml"), "--strict",
                    "--format", "pdf", "-o", str(folder / "rebuilt.pdf")], check=True, capture_output=True)
    assert (folder / "rebuilt.pdf").read_bytes() == (folder / "avtal.pdf").read_bytes()


def _encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter(clone_from=str(REPO / "examples" / "appendices" / "projektplan-trygg-natt.pdf"))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "name", "code"), [
    (b"PK\x03\x04 not a pdf", "plan.pdf", "Filen är inte en PDF"),
    (b"%PDF-1.7\n%%EOF", "plan.txt", "Filen är inte en PDF"),
    (None, "plan.pdf", "encrypted"),
    (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF", "plan.pdf", "damaged"),
])
def test_an_uploaded_appendix_is_checked_as_the_command_line_checks_it(app: Any, client: Any, data: bytes | None,
                                                                       name: str, code: str) -> None:
    files = example_files()
    files["upload.appendices.1.file"] = (_encrypted_pdf() if data is None else data, name)
    page = post(client, "/new", with_files(consortium(app), files), content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    message = html.split('id="f-appendices-1-file-error"')[1].split("</p>")[0]
    assert code in message, message  # beside the upload field it concerns
    assert "srcdoc=" not in html


def test_a_typed_file_path_is_never_read(client: Any, basic: dict[str, str]) -> None:
    form = {**basic, "include.appendices": "1", "count.appendices": "1", "appendices.0.title": "Secrets",
            "appendices.0.extra": "ja", "appendices.0.file": "/etc/passwd"}
    html = post(client, "/new", form).get_data(as_text=True)
    assert 'name="appendices.0.file"' not in html
    answers = post(client, "/new", {**form, "action": "yaml"}).data.decode("utf-8")
    assert "/etc/passwd" not in answers and "title: Secrets" in answers
    pdf = post(client, "/new", {**form, "action": "pdf"}).data
    assert b"root:" not in pdf


def test_security_headers_on_every_page(client: Any) -> None:
    for url in ("/new", "/clauses", "/clauses/sekretess-offentlighet", "/compare", "/nowhere"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cache-Control"] == "no-store"


def test_a_post_without_the_csrf_token_or_from_another_origin_is_refused(client: Any, basic: dict[str, str]) -> None:
    assert client.post("/new", data=basic).status_code == 400
    assert client.post("/new", data={**basic, "csrf_token": "forged"}).status_code == 400
    token = csrf(client.get("/new").get_data(as_text=True))
    foreign = client.post("/new", data={**basic, "csrf_token": token}, headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403


def test_only_the_hosts_it_was_started_for(client: Any) -> None:
    assert client.get("/new", headers={"Host": "evil.example"}).status_code == 400


def test_no_request_path_reaches_a_file(client: Any) -> None:
    for url in ("/clauses/..%2F..%2Fpyproject.toml", "/clauses/../../pyproject.toml", "/static/../app.py",
                "/clauses/sekretess-offentlighet/..%2F1.0.0", "/clauses/sekretess-offentlighet/9.9.9"):
        response = client.get(url)
        assert response.status_code in (404, 308), url
        assert b"[project]" not in response.data


def test_compare_refuses_wrong_kinds_and_oversized_files(client: Any) -> None:
    def upload(old: tuple[bytes, str], new: tuple[bytes, str]) -> Any:
        return post(client, "/compare", {"old": (io.BytesIO(old[0]), old[1]), "new": (io.BytesIO(new[0]), new[1])},
                    content_type="multipart/form-data")

    wrong = upload((b"MZ\x90", "tool.exe"), (b"text", "b.txt"))
    assert wrong.status_code == 422 and "Filtypen kan inte jämföras" in wrong.get_data(as_text=True)
    disguised = upload((b"not a zip", "a.docx"), (b"text", "b.txt"))
    assert disguised.status_code == 422 and "Filen är inte vad ändelsen säger" in disguised.get_data(as_text=True)
    big = upload((b"a" * (5 * 1024 * 1024 + 10), "a.txt"), (b"text", "b.txt"))
    assert big.status_code == 422 and "för stor" in big.get_data(as_text=True)
    huge = upload((b"a" * (11 * 1024 * 1024), "a.txt"), (b"text", "b.txt"))
    assert huge.status_code == 413


def test_compare_two_texts_and_download_tracked_changes(client: Any) -> None:
    html = post(client, "/compare", {"old": (io.BytesIO(b"# Avtal\n\n## 1 Parter\n\nEtt gammalt ord.\n"), "a.md"),
                                     "new": (io.BytesIO(b"# Avtal\n\n## 1 Parter\n\nEtt nytt ord.\n"), "b.md")},
                content_type="multipart/form-data").get_data(as_text=True)
    assert "&lt;del&gt;gammalt&lt;/del&gt;" in html and "&lt;ins&gt;nytt&lt;/ins&gt;" in html
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token
    tracked = post(client, "/compare/tracked", {"token": token.group(1)})
    body = zipfile.ZipFile(io.BytesIO(tracked.data)).read("word/document.xml")
    assert b"<w:ins " in body and b"<w:del " in body
    assert post(client, "/compare/tracked", {"token": "../../etc/passwd"}).status_code == 404


def test_compare_two_answer_files_without_reading_the_paths_they_name(client: Any) -> None:
    text = (REPO / "examples" / "research.yaml").read_text(encoding="utf-8")
    assert "file:" in text
    assert "notice_days: 90" in text
    changed = text.replace("notice_days: 90", "notice_days: 60")
    response = post(client, "/compare", {"old": (io.BytesIO(text.encode()), "old.yaml"),
                                         "new": (io.BytesIO(changed.encode()), "new.yaml")},
                    content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[-2000:]
    assert "&lt;del&gt;90&lt;/del&gt;" in html and "&lt;ins&gt;60&lt;/ins&gt;" in html


def test_clause_pages_show_versions_texts_history_and_redline(client: Any) -> None:
    listing = client.get("/clauses").get_data(as_text=True)
    assert "Sekretess och offentlighet" in listing and "(+ 1.2.0)" in listing
    page = client.get("/clauses/sekretess-offentlighet").get_data(as_text=True)
    assert 'lang="sv"' in page and 'lang="en"' in page and "Confidentiality and public access" in page
    assert "Plainer first sentence." in page
    redline = client.get("/clauses/sekretess-offentlighet?old=1.1.1&new=1.2.0").get_data(as_text=True)
    assert "&lt;del&gt;" in redline and "&lt;ins&gt;" in redline
    assert client.get("/clauses/sekretess-offentlighet?old=1.0.0&new=7.0.0").status_code == 404


def test_where_used_lists_issued_agreements(history_library: Path, tmp_path: Path) -> None:
    from assembler.web import create_app

    folder = tmp_path / "issued"
    subprocess.run([sys.executable, "-m", "assembler", "build", str(REPO / "examples" / "basic.yaml"),
                    "--format", "docx", "-o", str(folder / "basic.docx")], check=True, capture_output=True)
    app = create_app(history_library, agreements=folder, hosts=("localhost",))
    page = app.test_client().get("/clauses/sekretess-offentlighet").get_data(as_text=True)
    assert "basic.docx" in page and "KS 2026/0412" in page


def test_downloads_in_a_workspace_take_its_house_settings(workspace: Path, tmp_path: Path) -> None:
    """A workspace that asks for PDF/A gets PDF/A from the web too, and the same bytes `assembler build` writes."""
    from assembler.web import create_app

    settings = workspace.parent / "assembler.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("pdf_a = false", "pdf_a = true"),
                        encoding="utf-8")
    app = create_app(workspace, hosts=("localhost",))
    client = app.test_client()
    data = parse_yaml((REPO / "examples" / "basic.yaml").read_text(encoding="utf-8"), "basic.yaml").data
    fields = form_data(app.extensions["assembler"].plan, data)
    pdf_bytes = post(client, "/new", {**fields, "action": "pdf"}).data
    metadata = pypdf.PdfReader(io.BytesIO(pdf_bytes)).xmp_metadata
    assert metadata is not None and b"pdfaid:part" in metadata.stream.get_data()

    answers = tmp_path / "answers.yaml"
    answers.write_bytes(post(client, "/new", {**fields, "action": "yaml"}).data)
    subprocess.run([sys.executable, "-m", "assembler", "build", str(answers), "--format", "pdf",
                    "-o", str(tmp_path / "built.pdf")], cwd=workspace.parent, check=True, capture_output=True)
    assert (tmp_path / "built.pdf").read_bytes() == pdf_bytes
