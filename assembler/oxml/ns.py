"""The WordprocessingML namespace and the one helper that names its elements."""

from __future__ import annotations

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def qn(tag: str) -> str:
    """Return the Clark name of a ``w:`` element or attribute: ``qn("p")`` is ``{…/main}p``."""
    return f"{{{W_NS}}}{tag}"
