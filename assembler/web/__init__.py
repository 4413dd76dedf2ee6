"""The local web app: new agreements from a form, the clause library, comparisons; a thin layer over the pipeline."""

from __future__ import annotations

from assembler.web.app import create_app

__all__ = ["create_app"]
