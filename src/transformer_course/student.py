"""Write the student edition: every chapter with its solutions removed.

A cell is part of a solution when it carries the tag `solution`; the chapters
tag the solution's code, the text that explains it and any hidden check of it.
Run it as `python -m transformer_course.student chapters student`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SOLUTION_TAG = "solution"


def is_solution(cell: dict) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def student_notebook(notebook: dict) -> dict:
    """A copy of `notebook` without solution cells and without outputs."""
    cells = []
    for cell in notebook["cells"]:
        if is_solution(cell):
            continue
        cell = dict(cell)
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cells.append(cell)
    return {**notebook, "cells": cells}


def write_edition(source: Path, target: Path) -> list[Path]:
    """Write the student edition of every notebook in `source` into `target`."""
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks found in {source}")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        out = target / path.name
        text = json.dumps(student_notebook(notebook), indent=1, ensure_ascii=False)
        out.write_text(text + "\n", encoding="utf-8")
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder of the chapters")
    parser.add_argument("target", type=Path, help="folder to write into")
    args = parser.parse_args(argv)
    written = write_edition(args.source, args.target)
    print(f"wrote the student edition of {len(written)} chapters to {args.target}/")


if __name__ == "__main__":
    main()
