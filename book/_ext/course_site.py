"""Sphinx settings of the course that _config.yml cannot express.

The chapters are executed by the site build, where no kernel will ever answer a
widget. Setting TRANSFORMER_COURSE_STATIC before execution makes every explorer
draw its kernel-free control (see `transformer_course.explorers`).

The site loads nothing from the network and logs no JavaScript errors, which
takes three small repairs of the HTML the tools write:

- matplotlib's `to_jshtml` animations link Font Awesome 4 from a CDN for their
  buttons' icons; the theme already draws `fa fa-*` icons with its own copy of
  Font Awesome, so that link is dropped.
- Sphinx 7.4 writes an inline script twice when an extension adds it after the
  builder has started (sphinx-thebe's `const THEBE_JS_URL = ...` then fails the
  second time); repeated scripts are written once.
- GitHub Pages gets a `.nojekyll`, so that folders starting with `_` are served
  even where Jekyll would run.
"""

import os
import re
from pathlib import Path

# The stylesheet link that matplotlib's animation HTML starts with.
_REMOTE_ANIMATION_CSS = re.compile(
    r"<link\s+rel=\"stylesheet\"\s+"
    r"href=\"https://maxcdn\.bootstrapcdn\.com/font-awesome/[^\"]*\"\s*/?>"
)


def _drop_remote_animation_css(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body:
        context["body"] = _REMOTE_ANIMATION_CSS.sub("", body)


def _write_scripts_once(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen = set()
    kept = []
    for script in scripts:
        filename = getattr(script, "filename", script) or ""
        attributes = getattr(script, "attributes", {})
        key = (str(filename), tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


def _add_nojekyll(app, exception):
    if exception is None and app.builder.format == "html":
        (Path(app.outdir) / ".nojekyll").touch()


def setup(app):
    os.environ["TRANSFORMER_COURSE_STATIC"] = "1"
    app.connect("html-page-context", _drop_remote_animation_css)
    # After every other extension has added its scripts to the page.
    app.connect("html-page-context", _write_scripts_once, priority=900)
    app.connect("build-finished", _add_nojekyll)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
