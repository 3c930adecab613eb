"""Chapter 3's experiments: the unrolled drawing, timing by length, delayed copy.

`draw_unrolled` draws a recurrent cell repeated over the tokens of a sentence;
`fastest_seconds` and `time_by_length` time forward passes, on one thread
(`one_thread`); `copy_accuracy`
trains one recurrent classifier on the delayed-copy probe and tests it on new
sequences.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from torch import nn

from transformer_course.data import probes
from transformer_course.figures import COLORS, INK
from transformer_course.models.rnn import RecurrentClassifier
from transformer_course.training import (
    History,
    accuracy,
    classification_loss,
    minibatches,
    train,
)


def _arrow(ax: plt.Axes, start, end, color: str = INK) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=12, lw=1.4, color=color
        )
    )


def draw_unrolled(ax: plt.Axes, tokens: Sequence[str]) -> None:
    """Draw one RNN cell per token, the hidden state passed left to right."""
    width, height, gap = 1.0, 0.8, 0.7
    step = width + gap
    state = COLORS["orange"]
    for t, token in enumerate(tokens):
        x = gap + t * step  # left edge of the cell
        ax.add_patch(
            FancyBboxPatch(
                (x, 0),
                width,
                height,
                boxstyle="round,pad=0.02,rounding_size=0.12",
                facecolor=COLORS["sky"],
                edgecolor=INK,
                alpha=0.9,
            )
        )
        ax.text(x + width / 2, height / 2, "tanh", ha="center", va="center")
        # the token comes in from below, its state goes out above
        ax.text(x + width / 2, -0.95, token, ha="center", va="center", fontsize=11)
        ax.text(x + width / 2, -0.62, f"$x_{t + 1}$", ha="center", fontsize=9)
        _arrow(ax, (x + width / 2, -0.45), (x + width / 2, -0.02))
        _arrow(ax, (x + width / 2, height + 0.02), (x + width / 2, height + 0.5))
        ax.text(x + width / 2, height + 0.7, f"$h_{t + 1}$", ha="center", color=state)
        # the state of the step before comes in from the left
        _arrow(ax, (x - gap + 0.02, height / 2), (x - 0.02, height / 2), state)
        label = "$h_0 = 0$" if t == 0 else f"$h_{t}$"
        ax.text(
            x - gap / 2,
            height / 2 + 0.12,
            label,
            ha="center",
            va="bottom",
            fontsize=8,
            color=state,
        )
    right = gap + len(tokens) * step
    ax.text(
        right / 2,
        -1.45,
        "the same weights $W_{ih}, W_{hh}$ and biases in every cell",
        ha="center",
        fontsize=9,
        style="italic",
    )
    ax.set_xlim(-0.1, right)
    ax.set_ylim(-1.7, height + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread inside the block, then restore the number.

    The layers of this chapter are small: a second thread does not make them
    faster, and when another program keeps the second core busy, threads that
    wait for each other can make them many times slower.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def fastest_seconds(run: Callable[[], object], repeats: int = 7) -> float:
    """The shortest wall-clock time of `run()` over `repeats` calls, after a warm-up.

    On a shared computer a run is often interrupted by other work, which only
    ever adds time; the fastest run is the one nothing interrupted, so it is
    steadier than the median.
    """
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


@torch.no_grad()
def time_by_length(
    layers: dict[str, nn.Module],
    lengths: Sequence[int],
    batch_size: int,
    input_size: int,
    repeats: int = 7,
    seed: int = 0,
) -> dict[str, list[float]]:
    """The fastest seconds of one forward pass of each layer, for each length.

    Timed on one thread (see `one_thread`), so that the numbers depend less on
    how busy the other cores are.
    """
    generator = torch.Generator().manual_seed(seed)
    times: dict[str, list[float]] = {name: [] for name in layers}
    with one_thread():
        for T in lengths:
            x = torch.randn(batch_size, T, input_size, generator=generator)
            for name, layer in layers.items():
                times[name].append(fastest_seconds(partial(layer, x), repeats))
    return times


def copy_accuracy(
    cell: str,
    delay: int,
    *,
    steps: int,
    hidden_size: int,
    lr: float = 1e-2,
    batch_size: int = 64,
    n_test: int = 1000,
    n_symbols: int = 8,
    keep_bias: float = 0.0,
    seed: int = 0,
) -> tuple[float, History]:
    """Train a `RecurrentClassifier` on delayed copy; return test accuracy, history.

    Every training step sees a batch of new sequences, so a model cannot
    memorize its training set: with a few thousand fixed sequences, the
    fillers make each one unique, and a recurrent network learns them by heart
    instead of copying. The test sequences come from another seed.
    `keep_bias` starts a gated cell's keeping gate open (see `start_gates`).
    """
    n_train = steps * batch_size
    inputs, targets = probes.delayed_copy(n_train, delay, n_symbols, seed=seed + 1)
    test_in, test_out = probes.delayed_copy(n_test, delay, n_symbols, seed=seed + 2)
    torch.manual_seed(seed)
    model = RecurrentClassifier(n_symbols, 16, hidden_size, cell=cell)
    if keep_bias and cell in ("lstm", "gru"):
        start_gates(model.rnn, keep_bias)
    with one_thread():
        history = train(
            model,
            minibatches(inputs, targets, batch_size=batch_size, seed=seed),
            classification_loss,
            steps=steps,
            lr=lr,
            seed=seed,
            log_every=steps,
            label=f"{cell:4} delay {delay:2d}",
            progress=False,
        )
        return accuracy(model, test_in, test_out), history


@torch.no_grad()
def start_gates(layer: nn.LSTM | nn.GRU, keep_bias: float) -> None:
    """Add `keep_bias` to the bias of the gate that keeps the state.

    That is the LSTM's forget gate f (torch orders its gates i, f, g, o) and
    the GRU's update gate z (order r, z, n; torch's GRU keeps the old state
    where z is 1). A positive value starts the gate near 1, so that the state,
    and its gradient, survive many steps from the first training step on.
    """
    if not isinstance(layer, (nn.LSTM, nn.GRU)):
        raise TypeError(f"layer should be an nn.LSTM or nn.GRU, got {type(layer)}")
    H = layer.hidden_size
    layer.bias_ih_l0[H : 2 * H] += keep_bias  # the second gate of each
