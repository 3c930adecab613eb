"""Checks of the repository itself: chapters, table of contents, editions."""

import json
import re
from pathlib import Path

import pytest
import yaml

from transformer_course.student import SOLUTION_TAG, student_notebook, write_edition

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part.get("chapters", [])]
    return files


def test_there_are_chapters():
    assert CHAPTERS, "no notebooks found in chapters/"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_name_is_numbered(path):
    assert re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", path.name), path.name


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_is_stored_without_outputs(path):
    for index, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] == "code":
            assert not cell["outputs"], f"{path.name}: cell {index} has outputs"
            assert cell["execution_count"] is None, f"{path.name}: cell {index}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_is_in_the_table_of_contents(path):
    assert f"chapters/{path.stem}" in toc_files()


def test_table_of_contents_names_only_existing_files():
    for name in toc_files():
        candidates = [ROOT / f"{name}.md", ROOT / f"{name}.ipynb"]
        assert any(p.exists() for p in candidates), f"_toc.yml names {name}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_opens_with_colab_install_then_setup(path):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    cells = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    install, first = "".join(cells[0]["source"]), "".join(cells[1]["source"])
    assert '"google.colab" in sys.modules' in install
    assert config["repository"]["url"] in install, "Colab installs another repo"
    assert "setup(" in first, "the second code cell should seed and print versions"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_shape_of_a_chapter(path):
    markdown = "\n".join(
        "".join(c["source"])
        for c in load(path)["cells"]
        if c["cell_type"] == "markdown"
    )
    for heading in ("What you will learn", "## Summary", "## Exercises"):
        assert heading in markdown, f"{path.name} lacks '{heading}'"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_solution_is_hidden_on_the_site(path):
    solutions = [
        c for c in load(path)["cells"] if SOLUTION_TAG in c["metadata"].get("tags", [])
    ]
    assert len(solutions) >= 3, f"{path.name} has fewer than three solutions"
    for cell in solutions:
        tags = cell["metadata"]["tags"]
        if cell["cell_type"] == "code":
            # hide-cell folds the code and its output (the check's verdict) into
            # one closed dropdown; hide-input would leave the output showing.
            assert "hide-cell" in tags or "remove-cell" in tags, cell["source"]
        else:
            assert "{dropdown}" in "".join(cell["source"]), cell["source"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_figure_has_a_caption_name_and_alt_text(path):
    for cell in load(path)["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or "plt.show()" not in source:
            continue
        mystnb = cell["metadata"].get("mystnb", {})
        assert mystnb.get("figure", {}).get("caption"), source[:80]
        assert mystnb.get("figure", {}).get("name", "").startswith("fig-"), source[:80]
        assert mystnb.get("image", {}).get("alt"), source[:80]


def test_student_edition_holds_no_solution(tmp_path):
    written = write_edition(ROOT / "chapters", tmp_path)
    assert len(written) == len(CHAPTERS)
    for path in written:
        notebook = load(path)
        for cell in notebook["cells"]:
            assert SOLUTION_TAG not in cell["metadata"].get("tags", [])
            assert "Show solution" not in json.dumps(cell["metadata"])
        original = load(ROOT / "chapters" / path.name)
        removed = len(original["cells"]) - len(notebook["cells"])
        assert removed >= 3, f"{path.name}: only {removed} solution cells removed"


def test_student_notebook_keeps_exercise_cells_and_clears_outputs():
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": "x = ...",
                "outputs": [{"output_type": "stream"}],
                "execution_count": 3,
            },
            {
                "cell_type": "code",
                "metadata": {"tags": ["solution"]},
                "source": "x = 1",
                "outputs": [],
                "execution_count": None,
            },
        ]
    }
    cells = student_notebook(notebook)["cells"]
    assert [c["source"] for c in cells] == ["x = ..."]
    assert cells[0]["outputs"] == [] and cells[0]["execution_count"] is None


def test_no_machine_paths_in_tracked_text():
    # Written with [/] so that this test does not find its own pattern.
    pattern = re.compile(r"[/](work|root|tmp)[/]|[/]home[/][a-z]")
    suffixes = {".py", ".md", ".yml", ".yaml", ".toml", ".ipynb", ".txt", ".cfg"}
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {".venv", "_build", "node_modules", ".git", "student"}:
            continue
        if path.is_file() and path.suffix in suffixes:
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert not pattern.search(text), f"a machine path in {path}"
