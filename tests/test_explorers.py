"""Explorers: a live widget in a kernel, pre-rendered frames on the site."""

import matplotlib

matplotlib.use("Agg")

import pytest

from transformer_course import notebook
from transformer_course.explorers import StaticExplorer, explore


def draw(fig, value):
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, value])


def test_static_explorer_has_one_frame_per_value_a_slider_and_alt_text():
    result = explore(draw, [1, 2, 3], label="height", alt="a rising line", live=False)
    assert isinstance(result, StaticExplorer) and result.n_frames == 3
    html = result._repr_html_()
    assert 'type="range"' in html
    assert 'alt="a rising line"' in html
    assert html.count("data:image/png;base64") == 3


def test_live_explorer_is_a_slider_widget():
    widgets = pytest.importorskip("ipywidgets")
    result = explore(draw, [1, 2, 3], label="height", alt="a line", live=True)
    assert isinstance(result, widgets.VBox)
    slider = result.children[0]
    assert slider.description == "height" and len(slider.options) == 3


def test_site_build_selects_static(monkeypatch):
    monkeypatch.setenv("TRANSFORMER_COURSE_STATIC", "1")
    assert not notebook.in_kernel()
    assert isinstance(explore(draw, [1], label="x", alt="a line"), StaticExplorer)


def test_explorer_rejects_empty_values():
    with pytest.raises(ValueError, match="at least one value"):
        explore(draw, [], label="x", alt="nothing", live=False)
