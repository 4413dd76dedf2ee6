"""Fixtures of the web tests: a library with a clause history, the app, a running server, a real browser."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

NEW_WORDING = ("Parterna är medvetna om att offentlighetsprincipen", "Parterna vet att offentlighetsprincipen")


@pytest.fixture(scope="session")
def history_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled library where one clause has a second version with changed wording."""
    from assembler.library.lifecycle import new_version

    root = tmp_path_factory.mktemp("library") / "clauses"
    shutil.copytree(REPO / "clauses", root)
    change = new_version(root, "sekretess-offentlighet", bump="minor", effective="2026-12-15",
                         message="Plainer first sentence.", today="2026-12-10")
    path = Path(change.files[0])
    text = path.read_text(encoding="utf-8")
    assert NEW_WORDING[0] in text
    path.write_text(text.replace(*NEW_WORDING), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def app(history_library: Path):  # type: ignore[no-untyped-def]
    from assembler.web import create_app

    return create_app(history_library, hosts=("localhost", "127.0.0.1"))


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(library: Path) -> Iterator[str]:
    """Serve the app on one library with waitress on a free local port, as `assembler serve` does."""
    import waitress

    from assembler.web import create_app

    port = _free_port()
    app = create_app(library, hosts=(f"127.0.0.1:{port}", "127.0.0.1"))
    srv = waitress.create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    srv.close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def server(history_library: Path) -> Iterator[str]:
    """The app on the history library, served by waitress; yields its base URL."""
    yield from _serve(history_library)


def make_workspace(folder: Path, user: str = "Anna Andersson") -> Path:
    """Make a legal unit's workspace as `assembler init --user` does; return its library folder."""
    from assembler.library.workspace import init_workspace

    init_workspace(folder, user=user)
    return folder / "clauses"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh writable workspace whose user is Anna Andersson; its library folder."""
    return make_workspace(tmp_path / "workspace")


@pytest.fixture(scope="session")
def workspace_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a writable workspace (user Anna Andersson), served by waitress; yields its base URL."""
    yield from _serve(make_workspace(tmp_path_factory.mktemp("ws") / "workspace"))


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A real headless Chromium driven by chromedriver; skipped only when they are not installed."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()
