"""Fixtures of the page tests: the built site, a local server and a real browser.

The tests open `_build/html` (built by `make book`) in Debian's chromium through
playwright, served by a small HTTP server on 127.0.0.1. Each page listed in
`_toc.yml` is opened once; what the browser saw there (console errors, requests,
images, figures, math) is recorded and shared by the tests.

Which site and which pages: see course_pages.py.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from course_pages import SITE
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


def is_local(url: str) -> bool:
    """True for a request that does not leave this machine's test server."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "javascript"):
        return True
    return parts.hostname == "127.0.0.1"


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site; the run stops with a message if there is none."""
    if not (SITE / "index.html").is_file():
        pytest.exit(
            f"No built site at {SITE}: run `make book` before `make site-tests`.",
            returncode=1,
        )
    return SITE


@pytest.fixture(scope="session")
def base_url(site: Path):
    """A local HTTP server on a free port, serving the built site."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(site: Path):
    """Debian's chromium, headless; the run stops with a message if it is missing."""
    if not CHROMIUM.is_file():
        pytest.exit(
            f"{CHROMIUM} is missing: install it with "
            "`apt-get update && apt-get install -y chromium` (see .ci/run).",
            returncode=1,
        )

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """What the browser saw while one page loaded."""

    page: str
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    loose_images: list[str] = field(default_factory=list)
    math: dict = field(default_factory=dict)
    widgets: dict = field(default_factory=dict)
    solutions: list[dict] = field(default_factory=list)
    animations: list[dict] = field(default_factory=list)


@pytest.fixture(scope="session")
def new_page(browser, base_url):
    """Open a fresh page that records errors and requests, and blocks the network.

    Returns (page, visit). Requests that would leave 127.0.0.1 are recorded in
    visit.external and aborted, so a test never waits on the network.
    """
    contexts = []

    def open_page(name: str, *, color_scheme: str = "light"):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, color_scheme=color_scheme
        )
        contexts.append(context)
        visit = Visit(page=name)

        def route(route):
            url = route.request.url
            if is_local(url):
                route.continue_()
            else:
                visit.external.append(url)
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on(
            "console",
            lambda msg: (
                visit.console_errors.append(f"{msg.text} ({msg.location.get('url')})")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda err: visit.console_errors.append(str(err)))
        page.on(
            "response",
            lambda r: (
                visit.failed.append(f"{r.status} {r.url}")
                if r.status >= 400 and is_local(r.url)
                else None
            ),
        )
        page.on(
            "requestfailed",
            lambda r: (
                visit.failed.append(f"{r.failure} {r.url}") if is_local(r.url) else None
            ),
        )
        return page, visit

    yield open_page
    for context in contexts:
        context.close()


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
RENDERED_WIDGET = ".widget-subarea > .jupyter-widgets"

# Waits until MathJax (if the page loads it) has typeset, then reports every image,
# figure, piece of math, widget, solution cell and explorer on the page.
INSPECT = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const imgs = Array.from(document.querySelectorAll("article img, main img"));
  await Promise.all(imgs.map((img) => {
    img.loading = "eager";
    return img.complete ? null : img.decode().catch(() => null);
  }));
  const images = imgs.map((img) => ({
    src: (img.getAttribute("src") || "").slice(0, 120),
    alt: img.getAttribute("alt"),
    width: img.naturalWidth,
  }));
  const figures = Array.from(document.querySelectorAll("article figure")).map(
    (fig) => ({
      id: fig.id,
      number: (fig.querySelector(".caption-number") || {}).textContent || "",
      caption: (fig.querySelector(".caption-text") || {}).textContent || "",
    })
  );
  const loose = Array.from(document.querySelectorAll(".cell_output img"))
    .filter((img) => !img.closest("figure") && !img.closest(".animation"))
    .map((img) => (img.getAttribute("src") || "").slice(0, 120));
  const maths = Array.from(document.querySelectorAll("article .math"));
  const math = {
    count: maths.length,
    rendered: maths.filter((m) => m.querySelector("mjx-container")).length,
    errors: Array.from(document.querySelectorAll("mjx-merror")).map(
      (e) => e.getAttribute("data-mjx-error") || e.textContent
    ),
    loaded: Boolean(window.MathJax && MathJax.startup),
  };
  const views = document.querySelectorAll('script[type="WIDGET_VIEW"]').length;
  const widgets = {
    views: views,
    rendered: document.querySelectorAll("RENDERED_WIDGET").length,
  };
  const shown = (el) => el.checkVisibility();
  const solutions = Array.from(document.querySelectorAll(".cell.tag_solution")).map(
    (cell) => {
      const dropdown = cell.querySelector("details");
      const input = cell.querySelector(".cell_input");
      return {
        dropdown: Boolean(dropdown),
        open: Boolean(dropdown && dropdown.open),
        summary: dropdown ? dropdown.querySelector("summary").innerText : "",
        code_shown: Boolean(input && shown(input)),
        output_shown: Array.from(cell.querySelectorAll(".cell_output"))
          .filter((out) => shown(out) && out.innerText.trim())
          .map((out) => out.innerText.trim().slice(0, 80)),
      };
    }
  );
  // Move each kernel-free explorer's slider to its last frame, as a reader would.
  const animations = Array.from(document.querySelectorAll(".animation")).map(
    (animation) => {
      const slider = animation.querySelector("input[type=range]");
      const img = animation.querySelector("img");
      if (!slider || !img) return { slider: Boolean(slider), frames: 0 };
      const show = (frame) => {
        slider.value = frame;
        slider.dispatchEvent(new Event("input", { bubbles: true }));
        return img.getAttribute("src") || "";
      };
      const first = show(slider.min);
      const last = show(slider.max);
      return {
        slider: true,
        frames: Number(slider.max) + 1,
        shown: first !== "",
        changed: first !== last,
      };
    }
  );
  return { images, figures, loose, math, widgets, solutions, animations };
}
""".replace("RENDERED_WIDGET", RENDERED_WIDGET).replace("WIDGET_VIEW", WIDGET_VIEW)


@pytest.fixture(scope="session")
def visits(new_page, base_url):
    """Each page is opened once; its Visit is cached for every test that asks."""
    cache: dict[str, Visit] = {}

    def visit(name: str) -> Visit:
        if name not in cache:
            page, record = new_page(name)
            response = page.goto(base_url + name + ".html", wait_until="load")
            record.status = response.status if response else None
            page.wait_for_load_state("networkidle")
            views = page.locator(f'script[type="{WIDGET_VIEW}"]').count()
            if views:
                # The widget manager renders after load; wait for it (or report).
                with contextlib.suppress(PlaywrightTimeout):
                    page.wait_for_function(
                        f"document.querySelectorAll('{RENDERED_WIDGET}').length"
                        f" >= {views}",
                        timeout=5_000,
                    )
            seen = page.evaluate(INSPECT)
            record.images = seen["images"]
            record.figures = seen["figures"]
            record.loose_images = seen["loose"]
            record.math = seen["math"]
            record.widgets = seen["widgets"]
            record.solutions = seen["solutions"]
            record.animations = seen["animations"]
            page.close()
            cache[name] = record
        return cache[name]

    return visit
