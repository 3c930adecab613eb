"""Page tests: the built site, opened in a real headless browser.

Run with `make site-tests` after `make book`. Every page of `_toc.yml` is opened
once (see conftest.py); the tests below assert on what the browser saw there,
and a few open a page again to click, slide or search.
"""

from __future__ import annotations

import re

import pytest
from course_pages import CHAPTERS, PAGES, SCREENSHOTS

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


def test_static_explorers_change_frame_with_their_slider(new_page, base_url):
    moved = 0
    problems = []
    for name in CHAPTERS:
        page, _ = new_page(name)
        page.goto(base_url + name + ".html", wait_until="load")
        for index, animation in enumerate(page.locator(".animation").all()):
            slider = animation.locator("input[type=range]")
            image = animation.locator("img").first
            if slider.count() != 1:
                problems.append(f"{name}: animation {index} has no slider")
                continue
            last = slider.get_attribute("max")
            first_src = image.get_attribute("src")
            if not first_src or last in (None, "0"):
                problems.append(f"{name}: animation {index} shows no frames")
                continue
            animation.scroll_into_view_if_needed()
            slider.fill(last)
            last_src = image.get_attribute("src")
            if last_src == first_src:
                problems.append(
                    f"{name}: moving animation {index}'s slider to frame {last} "
                    "did not change the picture"
                )
            moved += 1
        page.close()
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
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(state="attached")
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


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot_of_a_chapter(new_page, base_url, theme):
    """Screenshots for humans to look at: _build/screenshots/<chapter>-<theme>.png."""
    name = CHAPTERS[0]
    page, visit = new_page(name, color_scheme=theme)
    page.add_init_script(f"localStorage.setItem('mode', '{theme}');")
    page.goto(base_url + name + ".html", wait_until="load")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("data-theme") == theme
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name.replace('/', '-')}-{theme}.png"
    page.screenshot(path=str(path), full_page=True)
    page.close()
    assert path.stat().st_size > 10_000, f"{path} looks empty"
    assert not visit.console_errors, "\n".join(visit.console_errors)
