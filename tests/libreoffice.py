"""Finding a Python that can drive LibreOffice, for the tests that check redlines in LibreOffice itself."""

from __future__ import annotations

import shutil
import subprocess


def uno_python() -> str | None:
    """Return a Python that can drive LibreOffice (has ``uno``), or None when soffice or uno is missing."""
    if shutil.which("soffice") is None:
        return None
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and subprocess.run([candidate, "-c", "import uno"], capture_output=True,
                                        check=False).returncode == 0:
            return candidate
    return None
