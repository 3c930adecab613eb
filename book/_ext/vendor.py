"""Copy the scripts the site serves itself from node_modules/ into _build/static/.

The published pages must not load MathJax or the widget manager from a CDN, so
`npm ci` installs them (pinned in package.json and package-lock.json) and this
script copies just the files a page can ask for into `_build/static/npm/`,
with the course's own widgets-setup.js beside them in `_build/static/course/`.
`_config.yml` names `_build/static` in `html_static_path`, so Sphinx publishes
them as `_static/npm/...` and `_static/course/...`, and points `mathjax_path`
and `nb_ipywidgets_js` at them.

The folder is deliberately not the book's root `_static/`: Jupyter Book adds
every .js file under the static paths to every page when that folder exists.

Run from the repository root: `python book/_ext/vendor.py`.
"""

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MODULES = ROOT / "node_modules"
STATIC = ROOT / "_build" / "static"
VENDOR = STATIC / "npm"
OWN = STATIC / "course"

MATHJAX = "mathjax/es5"
WIDGETS = "@jupyter-widgets/html-manager/dist"

# (source under node_modules/, destination under _build/static/npm/, globs)
# MathJax finds its fonts and lazily loaded extensions relative to the URL of
# the component, so the component keeps its neighbours' relative paths.
COPIES = [
    (MATHJAX, "mathjax", ["tex-chtml.js"]),
    (
        f"{MATHJAX}/output/chtml/fonts/woff-v2",
        "mathjax/output/chtml/fonts/woff-v2",
        ["*.woff"],
    ),
    (f"{MATHJAX}/input/tex/extensions", "mathjax/input/tex/extensions", ["*.js"]),
    (f"{MATHJAX}/ui", "mathjax/ui", ["*.js"]),
    (f"{MATHJAX}/a11y", "mathjax/a11y", ["*.js"]),
    (
        f"{MATHJAX}/sre/mathmaps",
        "mathjax/sre/mathmaps",
        ["base.json", "en.json", "nemeth.json"],
    ),
    ("requirejs", "requirejs", ["require.js"]),
    # The widget manager finds its icon fonts next to itself.
    (WIDGETS, "widgets", ["embed-amd.js", "*.woff2", "*.woff"]),
]


def main() -> int:
    if (ROOT / "_static").is_dir():
        print(
            "vendor.py: the book's root has a _static/ folder, so Jupyter Book would "
            "add every vendored .js file to every page. Move that folder's files "
            "elsewhere (see book/_ext/vendor.py).",
            file=sys.stderr,
        )
        return 1
    missing = []
    copies = []
    for source, destination, patterns in COPIES:
        for pattern in patterns:
            found = sorted((MODULES / source).glob(pattern))
            if not found:
                missing.append(f"node_modules/{source}/{pattern}")
            copies += [(path, VENDOR / destination / path.name) for path in found]
    if missing:
        print(
            "vendor.py: these files are missing; run `npm ci` at the repository "
            "root first:\n  " + "\n  ".join(missing),
            file=sys.stderr,
        )
        return 1
    copies.append((HERE / "widgets-setup.js", OWN / "widgets-setup.js"))
    copies.append((HERE / "course.css", OWN / "course.css"))
    shutil.rmtree(STATIC, ignore_errors=True)
    for source, destination in copies:
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    size = sum(destination.stat().st_size for _, destination in copies)
    print(f"vendor.py: copied {len(copies)} files ({size / 1e6:.1f} MB) into {STATIC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
