"""Reading printed PDFs back the way a person would: the text of each page (poppler's pdftotext)
and the page count the file itself declares (pdfinfo)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def page_texts(path: Path) -> list[str]:
    """The text of every page, laid out as printed (a table row stays on one line)."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    pages = result.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def declared_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    found = re.search(r"^Pages:\s+(\d+)$", info.stdout, re.MULTILINE)
    assert found is not None, info.stdout
    return int(found.group(1))
