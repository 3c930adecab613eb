"""One plotting style for the whole course.

Colours come from the Okabe-Ito palette, which readers with the common forms of
colour blindness can tell apart; heatmaps use cividis for the same reason.
Figures are drawn on an opaque light card, so that they read the same on the
site's light and dark themes.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch

# Okabe & Ito (2008), "Color Universal Design".
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
CYCLE = [COLORS[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple")]
CARD = "#FFFFFF"
INK = "#1F2328"
SEQUENTIAL = "cividis"


def use_style() -> None:
    """Apply the course's style to every figure drawn after this call."""
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 110,
            "figure.facecolor": CARD,
            "axes.facecolor": CARD,
            "savefig.facecolor": CARD,
            "axes.prop_cycle": mpl.cycler(color=CYCLE),
            "axes.edgecolor": INK,
            "axes.labelcolor": INK,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.color": "#D0D7DE",
            "grid.linewidth": 0.6,
            "xtick.color": INK,
            "ytick.color": INK,
            "text.color": INK,
            "legend.frameon": False,
            "font.size": 10,
            "image.cmap": SEQUENTIAL,
            "animation.embed_limit": 20.0,  # MB of frames in one explorer
        }
    )


def as_array(values) -> np.ndarray:
    """A NumPy copy of a tensor, list or array, detached from any graph."""
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


def heatmap(
    ax: plt.Axes,
    matrix,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    *,
    vmin: float | None = 0.0,
    vmax: float | None = None,
    annotate: bool = False,
    colorbar: bool = True,
    fmt: str = "{:.2f}",
    gamma: float = 1.0,
) -> mpl.image.AxesImage:
    """Draw `matrix` (rows × columns) as a heatmap with its labels.

    Attention weights are drawn with queries as rows and keys as columns, so a
    row reads as "where this token looked". A `gamma` below 1 stretches the
    colours of small values, for tables where a few large values would leave
    everything else the same dark colour.
    """
    data = as_array(matrix)
    if gamma != 1.0:
        norm = mpl.colors.PowerNorm(gamma, vmin=vmin, vmax=vmax)
        image = ax.imshow(data, norm=norm, aspect="auto")
    else:
        image = ax.imshow(data, vmin=vmin, vmax=vmax, aspect="auto")
    ax.grid(False)
    if row_labels is not None:
        ax.set_yticks(range(len(row_labels)), labels=row_labels)
    if col_labels is not None:
        ax.set_xticks(
            range(len(col_labels)),
            labels=col_labels,
            rotation=60,
            ha="right",
            rotation_mode="anchor",
        )
    if annotate:
        top = data.max() if vmax is None else vmax
        for (i, j), value in np.ndenumerate(data):
            # Light text on the dark end of cividis, dark text on the light end.
            color = "white" if value < 0.6 * top else INK
            ax.text(
                j,
                i,
                fmt.format(value),
                ha="center",
                va="center",
                fontsize=8,
                color=color,
            )
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return image


def plot_losses(
    ax: plt.Axes,
    steps: Sequence[int],
    losses: Sequence[float],
    *,
    label: str | None = None,
    smooth: int = 1,
) -> None:
    """Plot a training curve, optionally smoothed by a running mean."""
    values = as_array(losses).astype(float)
    if smooth > 1 and len(values) >= smooth:
        kernel = np.ones(smooth) / smooth
        values = np.convolve(values, kernel, mode="valid")
        steps = list(steps)[smooth - 1 :]
    ax.plot(steps, values, label=label)
    ax.set_xlabel("training step")
    ax.set_ylabel("loss")
    if label:
        ax.legend()
