"""Interactive figures that work with a kernel and without one.

`explore(draw, values, ...)` is the one call a chapter makes. In JupyterLab,
Binder or Colab it returns a live slider that calls `draw` again for each value.
On the static site no kernel can answer a slider, so the same call draws every
value once and returns matplotlib's pre-rendered frames with a slider of their
own (`FuncAnimation.to_jshtml`), which need neither Python nor a network.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from transformer_course.notebook import in_kernel

Draw = Callable[[Figure, Any], None]


def explore(
    draw: Draw,
    values: Sequence[Any],
    *,
    label: str,
    alt: str,
    fmt: Callable[[Any], str] = str,
    figsize: tuple[float, float] = (6.4, 3.6),
    start: int = 0,
    live: bool | None = None,
):
    """Show `draw(figure, value)` for each of `values`, chosen with a slider.

    `draw` receives an empty figure and one value, and draws into it.
    `label` names the value on the slider; `alt` describes the figure for
    readers who cannot see it. `start` is the value the live slider opens on
    (the static frames always open on the first). `live` forces one of the two
    renderings (by default: live in a kernel, static on the site).
    """
    values = list(values)
    if not values:
        raise ValueError("explore needs at least one value to show, got none")
    if not 0 <= start < len(values):
        raise ValueError(
            f"start should index one of the {len(values)} values, got {start}"
        )
    if live is None:
        live = in_kernel()
    if live:
        return _live(draw, values, label, fmt, figsize, start)
    return _static(draw, values, label, alt, fmt, figsize)


def _titled_draw(draw: Draw, label: str, fmt: Callable[[Any], str]) -> Draw:
    def titled(fig: Figure, value: Any) -> None:
        draw(fig, value)
        fig.suptitle(f"{label} = {fmt(value)}", fontsize=11)

    return titled


def _live(draw, values, label, fmt, figsize, start):
    import ipywidgets as widgets
    from IPython.display import display

    titled = _titled_draw(draw, label, fmt)
    slider = widgets.SelectionSlider(
        options=[(fmt(v), i) for i, v in enumerate(values)],
        value=start,
        description=label,
        continuous_update=False,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="90%"),
    )
    output = widgets.Output()

    def show(index: int) -> None:
        with output:
            output.clear_output(wait=True)
            fig = plt.figure(figsize=figsize)
            titled(fig, values[index])
            display(fig)
            plt.close(fig)

    slider.observe(lambda change: show(change["new"]), names="value")
    show(start)
    return widgets.VBox([slider, output])


class StaticExplorer:
    """Pre-rendered frames with a slider; displays as HTML in any page."""

    def __init__(self, html_text: str, n_frames: int):
        self.html = html_text
        self.n_frames = n_frames

    def _repr_html_(self) -> str:
        return self.html


def _static(draw, values, label, alt, fmt, figsize):
    titled = _titled_draw(draw, label, fmt)
    fig = plt.figure(figsize=figsize)

    def frame(index: int):
        fig.clear()
        titled(fig, values[index])
        return []

    animation = FuncAnimation(fig, frame, frames=len(values), repeat=False)
    text = animation.to_jshtml(fps=2, default_mode="once")
    plt.close(fig)
    # The frames are shown in one <img>; give it the alt text every figure has.
    text = text.replace("<img id=", f'<img alt="{html.escape(alt)}" id=', 1)
    return StaticExplorer(text, len(values))
