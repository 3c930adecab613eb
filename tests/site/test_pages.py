"""Page tests: the built site, opened in a real headless browser.

Run with `make site-tests` after `make book`. Every page of `_toc.yml` is opened
once (see conftest.py), where each explorer's slider is moved too; the tests
below assert on what the browser saw there. A few open a page again: to search,
to follow the site root's redirect and to take screenshots in both themes.
"""

from __future__ import annotations

import re

import pytest
from course_pages import CHAPTERS, PAGES, SCREENSHOTS
from playwright.sync_api import TimeoutError as PlaywrightTimeout

IMAGE_SUFFIX = re.compile(r"\.(png|jpe?g|gif|svg|webp)$", re.IGNORECASE)
FIGURE_NUMBER = re.compile(r"^Figure \d+(\.\d+)*\s*$")


def test_the_table_of_contents_has_chapters():
    assert CHAPTERS, "_toc.yml lists no page under chapters/"


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_errors(visits, name):
    visit = visits(name)
    assert visit.status == 200, f"{name}.html answered HTTP {visit.status}"
    assert not visit.console_errors, "JavaScript console errors:\n" + "\n".join(
        visit.console_errors
    )
    assert not visit.failed, "requests of the site's own files failed:\n" + "\n".join(
        visit.failed
    )


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_nothing_from_the_network(visits, name):
    visit = visits(name)
    assert not visit.external, (
        f"{name}.html asked for files outside the site at page load:\n"
        + "\n".join(sorted(set(visit.external)))
    )


@pytest.mark.parametrize("name", PAGES)
def test_images_load_and_have_alt_text(visits, name):
    problems = []
    for image in visits(name).images:
        if image["width"] <= 0:
            problems.append(f"did not load: {image['src']}")
        alt = (image["alt"] or "").strip()
        # Without alt text, docutils writes the image's path as its alt.
        if not alt or IMAGE_SUFFIX.search(alt):
            problems.append(f"no alt text (alt={image['alt']!r}): {image['src']}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_figures_have_a_numbered_caption(visits, name):
    visit = visits(name)
    problems = [
        f"figure {figure['id'] or '(no id)'}: number {figure['number']!r}, "
        f"caption {figure['caption']!r}"
        for figure in visit.figures
        if not FIGURE_NUMBER.match(figure["number"]) or not figure["caption"].strip()
    ]
    problems += [
        f"a plot outside any figure, so without caption or number: {src}"
        for src in visit.loose_images
    ]
    assert not problems, (
        "every chapter figure needs a caption and a number (mystnb figure "
        "metadata or glue:figure):\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("name", PAGES)
def test_figure_options_do_not_leak_into_captions(visits, name):
    """A figure option written over two lines ends up as caption text."""
    leaks = [
        figure["caption"][:80]
        for figure in visits(name).figures
        if re.search(r":(alt|width|name|align|height):", figure["caption"])
    ]
    assert not leaks, "figure options shown as caption text:\n" + "\n".join(leaks)


def test_math_is_rendered(visits):
    with_math = [visits(name) for name in PAGES if visits(name).math["count"]]
    assert with_math, "no page of the site has any math to render"
    problems = []
    for visit in with_math:
        math = visit.math
        if not math["loaded"]:
            problems.append(f"{visit.page}: MathJax did not load")
        if math["rendered"] != math["count"]:
            problems.append(
                f"{visit.page}: {math['rendered']} of {math['count']} pieces of "
                "math were typeset by MathJax"
            )
        if math["errors"]:
            problems.append(f"{visit.page}: TeX errors {math['errors']}")
    assert not problems, "\n".join(problems)


def test_widgets_render_where_a_page_has_widget_state(visits):
    problems = [
        f"{name}: {visits(name).widgets['rendered']} of "
        f"{visits(name).widgets['views']} widgets rendered"
        for name in PAGES
        if visits(name).widgets["rendered"] < visits(name).widgets["views"]
    ]
    assert not problems, "\n".join(problems)


def test_static_explorers_change_frame_with_their_slider(visits):
    problems = []
    moved = 0
    for name in CHAPTERS:
        for index, animation in enumerate(visits(name).animations, start=1):
            if not animation["slider"]:
                problems.append(f"{name}: explorer {index} has no slider")
            elif animation["frames"] < 2 or not animation["shown"]:
                problems.append(f"{name}: explorer {index} shows no frames")
            elif not animation["changed"]:
                problems.append(
                    f"{name}: moving explorer {index}'s slider to its last frame "
                    "did not change the picture"
                )
            else:
                moved += 1
    assert not problems, "\n".join(problems)
    assert moved, "no chapter page has a kernel-free explorer (a .animation element)"


@pytest.mark.parametrize("name", CHAPTERS)
def test_solutions_are_closed(visits, name):
    solutions = visits(name).solutions
    assert solutions, f"{name} has no solution cell (tagged `solution`)"
    problems = []
    for index, solution in enumerate(solutions, start=1):
        if not solution["dropdown"]:
            problems.append(f"solution {index} is not in a dropdown (tag hide-input)")
            continue
        if solution["open"]:
            problems.append(f"solution {index}'s dropdown is open")
        if "Show solution" not in solution["summary"]:
            problems.append(
                f"solution {index}'s dropdown says {solution['summary']!r}, "
                "not 'Show solution'"
            )
        if solution["code_shown"]:
            problems.append(f"solution {index}'s code is visible")
        problems += [
            f"solution {index}'s output is visible outside the dropdown: {text!r}"
            for text in solution["output_shown"]
        ]
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_search_finds_a_chapter(new_page, base_url):
    page, visit = new_page("search")
    page.goto(f"{base_url}search.html?q=bigram", wait_until="load")
    try:
        # Sphinx retitles the results "Search Results" once the search is done.
        page.locator("#search-results h2", has_text="Search Results").wait_for(
            state="attached"
        )
    except PlaywrightTimeout:
        pytest.fail(
            "the search page never finished searching for 'bigram':\n"
            + "\n".join(visit.console_errors + visit.failed)
        )
    results = page.locator("#search-results ul.search li a")
    links = [link.get_attribute("href") or "" for link in results.all()]
    page.close()
    assert any("chapters/" in link for link in links), (
        f"searching for 'bigram' found no chapter, only {links}"
    )
    assert not visit.console_errors, "\n".join(visit.console_errors)


def test_site_root_leads_to_the_landing_page(new_page, base_url, site):
    page, _ = new_page("index")
    page.goto(base_url, wait_until="load")
    page.wait_for_url(re.compile(r"book/index\.html$"))
    assert page.locator("article h1").count() >= 1
    page.close()
    assert (site / ".nojekyll").is_file(), "the site has no .nojekyll for Pages"


def test_screenshots_of_a_chapter_in_both_themes(new_page, base_url):
    """Screenshots for humans to look at: _build/screenshots/<chapter>-<theme>.png.

    The page opens in the light theme, then switches to the dark one as the
    theme's own button does (the mode and theme attributes of <html>).
    """
    name = CHAPTERS[0]
    page, visit = new_page(name)
    page.add_init_script("localStorage.setItem('mode', 'light');")
    page.goto(base_url + name + ".html", wait_until="load")
    page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = []
    for theme in ("light", "dark"):
        page.evaluate(
            """(theme) => {
              localStorage.setItem("mode", theme);
              document.documentElement.dataset.mode = theme;
              document.documentElement.dataset.theme = theme;
            }""",
            theme,
        )
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        path = SCREENSHOTS / f"{name.replace('/', '-')}-{theme}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append((theme, background, path))
    page.close()
    (_, light_bg, _), (_, dark_bg, _) = paths
    assert light_bg != dark_bg, f"the dark theme did not change the page ({dark_bg})"
    for theme, _, path in paths:
        assert path.stat().st_size > 10_000, f"the {theme} screenshot looks empty"
    assert not visit.console_errors, "\n".join(visit.console_errors)
