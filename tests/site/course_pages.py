"""Where the built site is and which pages it must have (from `_toc.yml`).

COURSE_SITE (the built HTML folder) and COURSE_TOC (a `_toc.yml`) point the page
tests at another build, for trying them on a throwaway book.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("COURSE_SITE", ROOT / "_build" / "html"))
TOC = Path(os.environ.get("COURSE_TOC", ROOT / "_toc.yml"))
SCREENSHOTS = SITE.parent / "screenshots"


def toc_pages(toc: Path = TOC) -> list[str]:
    """Every page of the table of contents, as its path without a suffix."""
    entries = yaml.safe_load(toc.read_text())
    pages = [entries["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                pages.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []):
                    walk(child)

    walk(entries)
    return [str(Path(page).with_suffix("")) for page in pages]


PAGES = toc_pages()
CHAPTERS = [page for page in PAGES if page.startswith("chapters/")]
