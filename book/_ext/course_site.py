"""Sphinx settings of the course that _config.yml cannot express.

The chapters are executed by the site build, where no kernel will ever answer a
widget. Setting TRANSFORMER_COURSE_STATIC before execution makes every explorer
draw its kernel-free control (see `transformer_course.explorers`).

matplotlib's `to_jshtml` animations link Font Awesome 4 from a CDN for their
buttons' icons. The site must load nothing from the network, and the theme
already draws `fa fa-*` icons with its own copy of Font Awesome, so that link is
dropped from every page.
"""

import os
import re

# The stylesheet link that matplotlib's animation HTML starts with.
_REMOTE_ANIMATION_CSS = re.compile(
    r"<link\s+rel=\"stylesheet\"\s+"
    r"href=\"https://maxcdn\.bootstrapcdn\.com/font-awesome/[^\"]*\"\s*/?>"
)


def _drop_remote_animation_css(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body:
        context["body"] = _REMOTE_ANIMATION_CSS.sub("", body)


def setup(app):
    os.environ["TRANSFORMER_COURSE_STATIC"] = "1"
    app.connect("html-page-context", _drop_remote_animation_css)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
