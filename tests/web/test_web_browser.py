"""The web app in a real headless Chromium: what a user does on each page, with screenshots of each.

Filling in the basic example as a user would, seeing a field error for a
wrong organisationsnummer appear while typing, seeing the parties in the
preview, downloading the DOCX and opening it; uploading two files on
Compare; browsing a clause's history and its redline.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import docx
import pytest

pytest.importorskip("selenium")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

WAIT = 15
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path("/work/screenshots")  # a copy for people to look at; the test's own folder has every file


def shoot(driver, folder: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save a full-page screenshot in the test's folder and a copy for people to look at."""
    driver.execute_script("window.scrollTo(0, 0)")  # the picture starts at the top of the page
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, min(max(int(height), 1000), 6000))
    # Chromium paints a sandboxed frame that was off screen only once it is in view: let two frames pass,
    # or the picture shows an empty preview the user never sees.
    driver.execute_async_script("var done = arguments[0]; requestAnimationFrame(function () {"
                                " requestAnimationFrame(function () { done(); }); });")
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1000)
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SCREENSHOTS / path.name)
    except OSError:
        pass  # the copy is a convenience; the test's own folder has the file
    return path

# The basic example (examples/basic.yaml) as a project leader types it into the form.
TEXT = {
    "reference": "KS 2026/0412",
    "project.title": "Smart sortering av matavfall i flerbostadshus",
    "project.challenge": "Andelen matavfall som sorteras ut i stadens flerbostadshus är låg, och felsorterat "
                         "avfall ökar både kostnaderna och klimatpåverkan.",
    "project.goals": "en sensorlösning som mäter fyllnadsgrad och felsortering i avfallsrum\n"
                     "ett test av lösningen i tre avfallsrum under minst sex månader\n"
                     "minst 20 procent lägre andel felsorterat matavfall i testområdet",
    "project.test_site": "tre avfallsrum i stadens lokaler i kvarteret Lyckan, Göteborg",
    "project.start": "2026-04-01",
    "project.end": "2027-03-31",
    "public_parties.0.name": "Göteborgs stad",
    "public_parties.0.orgnr": "212000-1355",
    "public_parties.0.address": "Gustaf Adolfs torg 4, 404 82 Göteborg",
    "public_parties.0.contact.name": "Karin Lindqvist",
    "public_parties.0.contact.email": "karin.lindqvist@example.org",
    "public_parties.0.contact.phone": "031-365 00 00",
    "public_parties.0.signatory.name": "Erik Sandberg",
    "public_parties.0.signatory.title": "Stadsdirektör",
    "private_parties.0.name": "Grönvåg Sensorteknik AB",
    "private_parties.0.address": "Lindholmspiren 7, 417 56 Göteborg",
    "private_parties.0.contact.name": "Amir Haddad",
    "private_parties.0.contact.email": "amir.haddad@example.org",
    "private_parties.0.contact.phone": "070-123 45 67",
    "private_parties.0.signatory.name": "Sara Holm",
    "private_parties.0.signatory.title": "Verkställande direktör",
    "open_call.published": "2026-01-15",
    "open_call.channel": "Göteborgs stads webbplats",
    "open_call.url": "https://example.org/opi/matavfall",
    "open_call.criteria": "lösningens förmåga att möta behovet\ninnovationshöjd\ngenomförbarhet inom projekttiden\n"
                          "företagets kompetens och resurser för utveckling och test",
    "open_call.applicants": "6",
    "contributions.0.party": "Göteborgs stad",
    "contributions.0.items": "tillgång till tre avfallsrum för test\nprojektledare på halvtid under projekttiden\n"
                             "data om avfallsmängder från stadens avfallsverksamhet",
    "contributions.1.party": "Grönvåg Sensorteknik AB",
    "contributions.1.items": "sensorer och mjukvara för mätning av fyllnadsgrad och felsortering\n"
                             "installation, drift och underhåll av testutrustningen\n"
                             "analys av mätdata och underlag till slutrapporten",
    "remuneration.amount_sek": "0",
    "insurance.liability_sek": "10 000 000",
    "publication.report_due": "2027-06-30",
    "publication.review_days": "30",
    "termination.notice_days": "30",
    "disputes.venue": "Göteborgs tingsrätt",
    "signing.place": "Göteborg",
    "signing.date": "2026-03-02",
}
RADIOS = {"personal_data.processed": "nej", "testing.real_environment": "ja", "testing.public_space": "nej",
          "testing.end_users": "nej", "procurement.planned": "ja", "procurement.information_log": "ja"}
SELECTS = {"language": "Svenska", "ip.model": "Varje part äger det den skapar; den offentliga parten får en fri nyttjanderätt",
           "signing.method": "På papper"}


def fid(name: str) -> str:
    return "f-" + name.replace(".", "-")


def type_into(driver: Any, name: str, value: str) -> None:
    # No retries: a field the page hid while the user types is a bug (a ticked group once vanished
    # as soon as it held an answer), and the test must see it.
    field = driver.find_element(By.ID, fid(name))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
    field.clear()
    field.send_keys(value)
    assert driver.find_element(By.ID, fid(name)).get_attribute("value").replace("\r", "") == value


def click(driver: Any, element: Any) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def radio(driver: Any, name: str, value: str) -> None:
    click(driver, driver.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']"))


def message(driver: Any, name: str) -> str:
    return str(driver.find_element(By.ID, fid(name) + "-error").text)


def wait_message(driver: Any, name: str, wanted: str) -> None:
    """Wait until the message beside a field contains ``wanted`` ("" waits for no message)."""
    try:
        WebDriverWait(driver, WAIT).until(
            lambda d: wanted in message(d, name) if wanted else message(d, name) == "")
    except TimeoutException:
        raise AssertionError(f"{name}: the message is {message(driver, name)!r}, expected {wanted!r}") from None


def submit(driver: Any, action: str) -> None:
    click(driver, driver.find_element(By.CSS_SELECTOR, f"#agreement-form button[value='{action}']"))


def test_new_agreement_as_a_user_fills_it_in(browser: Any, server: str, screenshots: Path) -> None:
    browser.get(server + "/new")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv"
    shoot(browser, screenshots, "01-new-empty")
    # A wrong check digit: the error appears beside the field while typing, tied to it for screen readers.
    type_into(browser, "private_parties.0.orgnr", "556036-0794")
    wait_message(browser, "private_parties.0.orgnr", "Kontrollsiffran")
    field = browser.find_element(By.ID, fid("private_parties.0.orgnr"))
    assert field.get_attribute("aria-invalid") == "true"
    assert fid("private_parties.0.orgnr") + "-error" in field.get_attribute("aria-describedby")
    shoot(browser, screenshots, "02-new-orgnr-error")
    type_into(browser, "private_parties.0.orgnr", "559412-7184")
    wait_message(browser, "private_parties.0.orgnr", "")

    click(browser, browser.find_element(By.ID, fid("open_call") + "-include"))
    click(browser, browser.find_element(By.CSS_SELECTOR, "button[value='add:contributions']"))  # a second block
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.ID, fid("contributions.1.party")))
    click(browser, browser.find_element(By.ID, fid("insurance") + "-include"))
    for name, value in TEXT.items():
        type_into(browser, name, value)
    for name, value in RADIOS.items():
        radio(browser, name, value)
    for name, label in SELECTS.items():
        Select(browser.find_element(By.ID, fid(name))).select_by_visible_text(label)
    submit(browser, "check")

    frame = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "preview"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".summary li"), browser.find_element(By.ID, "summary").text
    browser.switch_to.frame(frame)
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.TAG_NAME, "h1"))
    preview = browser.find_element(By.TAG_NAME, "body").text
    browser.switch_to.default_content()
    shoot(browser, screenshots, "03-new-preview")
    for party in ("Göteborgs stad", "Grönvåg Sensorteknik AB", "212000-1355", "559412-7184"):
        assert party in preview

    submit(browser, "docx")
    target = browser.downloads / "avtal.docx"
    deadline = time.monotonic() + WAIT
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    document = docx.Document(str(target))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Grönvåg Sensorteknik AB" in text and "Göteborgs stad" in text
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert any("Sekretess" in h for h in headings)


def test_required_marker_and_questions_follow_the_answers(browser: Any, server: str, screenshots: Path) -> None:
    """Personal data processed: the role question appears, marked required; not processed: it goes again."""
    browser.get(server + "/new")
    role = browser.find_element(By.CSS_SELECTOR, f"[data-field='{fid('personal_data.role')}']")
    mark = role.find_element(By.CSS_SELECTOR, "label .req")
    radio(browser, "personal_data.processed", "nej")
    WebDriverWait(browser, WAIT).until(lambda d: not role.is_displayed())
    radio(browser, "personal_data.processed", "ja")
    WebDriverWait(browser, WAIT).until(lambda d: role.is_displayed() and mark.is_displayed())
    assert "obligatoriskt" in mark.text
    # Ticking a group shows it at once and it stays while the user fills it in (it used to vanish).
    click(browser, browser.find_element(By.ID, fid("open_call") + "-include"))
    type_into(browser, "open_call.published", "2026-01-15")
    form = browser.find_element(By.ID, "agreement-form")
    WebDriverWait(browser, WAIT).until(lambda d: form.get_attribute("data-state") == "checked")
    assert browser.find_element(By.ID, fid("open_call")).is_displayed()
    type_into(browser, "open_call.channel", "Göteborgs stads webbplats")
    shoot(browser, screenshots, "09-new-required-live")
    radio(browser, "personal_data.processed", "nej")
    WebDriverWait(browser, WAIT).until(lambda d: not role.is_displayed())
    assert mark.get_attribute("hidden") is not None  # no longer required either


def test_english_form_reports_errors_in_english(browser: Any, server: str, screenshots: Path) -> None:
    browser.get(server + "/new?lang=en")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    type_into(browser, "public_parties.0.orgnr", "212000-0143")
    wait_message(browser, "public_parties.0.orgnr", "check digit")
    shoot(browser, screenshots, "04-new-english-error")
    browser.get(server + "/new?lang=sv")


def test_compare_two_uploaded_files(browser: Any, server: str, screenshots: Path, tmp_path: Path) -> None:
    old = tmp_path / "sent.md"
    new = tmp_path / "returned.md"
    subprocess.run([sys.executable, "-m", "assembler", "build", str(REPO / "examples" / "basic.yaml"), "--format", "md",
                    "-o", str(tmp_path / "built.md")], check=True, capture_output=True)
    text = (tmp_path / "built.md").read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    new.write_text(text.replace("30 dagar", "60 dagar"), encoding="utf-8")
    assert "30 dagar" in text
    browser.get(server + "/compare")
    shoot(browser, screenshots, "05-compare-form")
    browser.find_element(By.ID, "file-old").send_keys(str(old))
    browser.find_element(By.ID, "file-new").send_keys(str(new))
    click(browser, browser.find_element(By.CSS_SELECTOR, ".compare-form button[type=submit]"))
    frame = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "redline"))
    browser.switch_to.frame(frame)
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.TAG_NAME, "del"))
    deleted = [e.text for e in browser.find_elements(By.TAG_NAME, "del")]
    inserted = [e.text for e in browser.find_elements(By.TAG_NAME, "ins")]
    browser.switch_to.default_content()
    shoot(browser, screenshots, "06-compare-result")
    assert any("30" in d for d in deleted) and any("60" in i for i in inserted)

    click(browser, browser.find_element(By.XPATH, "//button[contains(., 'DOCX')]"))
    target = browser.downloads / "changes.docx"
    deadline = time.monotonic() + WAIT
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert b"w:ins" in _document_xml(target) and b"w:del" in _document_xml(target)


def _document_xml(path: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml")


def test_browse_a_clause_history_and_redline(browser: Any, server: str, screenshots: Path) -> None:
    browser.get(server + "/clauses")
    shoot(browser, screenshots, "07-clauses")
    click(browser, browser.find_element(By.LINK_TEXT, "Sekretess och offentlighet"))
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.ID, "history"))
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")]
    assert rows[0].startswith("1.2.0") and rows[1].startswith("1.1.1")
    Select(browser.find_element(By.ID, "old")).select_by_visible_text("1.1.1")
    Select(browser.find_element(By.ID, "new")).select_by_visible_text("1.2.0")
    click(browser, browser.find_element(By.CSS_SELECTOR, ".redline-form button"))
    frame = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.CSS_SELECTOR, "#redline iframe"))
    browser.switch_to.frame(frame)
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.TAG_NAME, "del"))
    deleted = " ".join(e.text for e in browser.find_elements(By.TAG_NAME, "del"))
    inserted = " ".join(e.text for e in browser.find_elements(By.TAG_NAME, "ins"))
    browser.switch_to.default_content()
    shoot(browser, screenshots, "08-clause-history-redline")
    assert "medvetna om" in deleted and "vet" in inserted


def test_legal_unit_drafts_and_another_lawyer_approves(browser: Any, workspace_server: str, screenshots: Path) -> None:
    browser.get(workspace_server + "/clauses/andringar")
    click(browser, browser.find_element(By.LINK_TEXT, "Skriv en ny version (utkast)"))
    box = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "d-text-sv"))
    text = box.get_attribute("value")
    assert "skriftliga och undertecknade" in text
    box.clear()
    box.send_keys(text.replace("skriftliga och undertecknade", "skriftliga, daterade och undertecknade"))
    browser.find_element(By.ID, "d-message").send_keys("Ändringar ska vara daterade.")
    click(browser, browser.find_element(By.CSS_SELECTOR, "button[value='preview']"))
    frame = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.CSS_SELECTOR, "#draft-preview iframe"))
    browser.switch_to.frame(frame)
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.TAG_NAME, "ins"))
    inserted = " ".join(e.text for e in browser.find_elements(By.TAG_NAME, "ins"))
    browser.switch_to.default_content()
    assert "daterade" in inserted
    shoot(browser, screenshots, "10-draft-preview")
    click(browser, browser.find_element(By.CSS_SELECTOR, "button[value='create']"))
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".approve-form"))
    assert "1.2.0" in browser.find_element(By.TAG_NAME, "h1").text
    # The drafter (the workspace's user) tries to approve her own draft: refused, the code beside the form.
    click(browser, browser.find_element(By.CSS_SELECTOR, ".approve-form button[type=submit]"))
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.ID, "approve-problem"))
    assert "lifecycle.own-draft" in browser.find_element(By.ID, "approve-problem").text
    shoot(browser, screenshots, "11-approve-refused-four-eyes")
    browser.find_element(By.ID, "a-by-1").send_keys("Bo Berg")
    click(browser, browser.find_element(By.CSS_SELECTOR, ".approve-form button[type=submit]"))
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".done"))
    facts = browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "Bo Berg" in facts and "approved" in facts
    shoot(browser, screenshots, "12-approved")


def test_appendix_pdfs_uploaded_with_the_form(browser: Any, server: str, screenshots: Path) -> None:
    """An answer file whose data-processing agreement must be a PDF: attach it, see the preview, download the PDF."""
    import pypdf

    browser.get(server + "/new")
    browser.find_element(By.ID, "load-file").send_keys(str(REPO / "examples" / "consortium.yaml"))
    click(browser, browser.find_element(By.CSS_SELECTOR, "form.load button[type=submit]"))
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.ID, fid("appendices.1.file")))
    assert "must be attached as a file" in browser.find_element(By.ID, "summary").text
    for i, name in enumerate(("projektplan-trygg-natt.pdf", "personuppgiftsbitradesavtal-trygg-natt.pdf")):
        field = browser.find_element(By.ID, fid(f"appendices.{i}.file"))
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
        field.send_keys(str(REPO / "examples" / "appendices" / name))
    frame = browser.find_element(By.ID, "preview")
    WebDriverWait(browser, WAIT).until(lambda d: frame.is_displayed())
    browser.switch_to.frame(frame)
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.TAG_NAME, "h1"))
    preview = browser.find_element(By.TAG_NAME, "body").text
    browser.switch_to.default_content()
    assert "Personuppgiftsbiträdesavtal" in preview
    # The list at the top follows the check: the file is there, nothing stops the agreement any more.
    WebDriverWait(browser, WAIT).until(lambda d: not d.find_element(By.ID, "summary").is_displayed())
    shoot(browser, screenshots, "13-new-appendix-upload")
    submit(browser, "pdf")
    target = browser.downloads / "avtal.pdf"
    deadline = time.monotonic() + WAIT
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    pages = [p.extract_text() for p in pypdf.PdfReader(str(target)).pages]
    assert "Personuppgiftsbiträdesavtal – Trygg natt" in pages[-1]
