"""Reading the manifest an HTML agreement carries (HTML is written for people; its text is not read back)."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser

from assembler.errors import ManifestError
from assembler.manifest import manifest_from_json
from assembler.model import Manifest


class _ManifestScript(HTMLParser):
    """Collects the text of ``<script id="assembler-manifest">``."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = tag == "script" and ("id", "assembler-manifest") in attrs

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text.append(data)


def read_html_manifest(data: bytes) -> Manifest:
    """Return the manifest our HTML writer put in a ``<script id="assembler-manifest">``."""
    parser = _ManifestScript()
    parser.feed(data.decode("utf-8", errors="replace"))
    if not parser.text:
        raise ManifestError("this HTML file carries no assembler manifest", code="manifest.missing")
    # The HTML writer escapes the JSON as element text; the parser hands script text over raw.
    return manifest_from_json(unescape("".join(parser.text)))
