"""assembler: document assembly for OPI agreements."""

from __future__ import annotations

__version__ = "0.1.0"
