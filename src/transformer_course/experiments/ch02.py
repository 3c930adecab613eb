"""Chapter 2's experiments: word classes, the window probe and the model's drawing.

`delayed_copy_accuracy` trains one small window model on the delayed-copy probe
and measures it on new sequences; `draw_window` and `draw_window_model` draw
what a window model reads.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyBboxPatch

from transformer_course.data import grammar, probes
from transformer_course.figures import COLORS, INK
from transformer_course.models.window import WindowLM, last_window
from transformer_course.training import classification_loss, minibatches, train

SLOT_COLORS = [COLORS[c] for c in ("sky", "orange", "purple", "green", "yellow")]
WORD_CLASSES = ("noun", "verb", "adjective", "determiner")


def word_class(word: str) -> str | None:
    """The class of an English word of the small world, or None (and, but, .)."""
    if any(word in noun.english for noun in grammar.NOUNS):
        return "noun"
    if any(word in verb.english for verb in grammar.VERBS):
        return "verb"
    if any(word == adjective.english for adjective in grammar.ADJECTIVES):
        return "adjective"
    if word in grammar.DETERMINERS:
        return "determiner"
    return None


def delayed_copy_accuracy(
    window: int,
    delay: int,
    n_symbols: int = 8,
    n_train: int = 1000,
    n_test: int = 1000,
    steps: int = 60,
    seed: int = 0,
) -> float:
    """Train a window model on delayed copy at one delay; its test accuracy.

    The model reads the last `window` tokens of each sequence (left-padded with
    an extra id, `n_symbols`, when the sequence is shorter) and names the clue.
    Training and test sequences are drawn with different seeds.
    """
    pad_id = n_symbols
    inputs, targets = probes.delayed_copy(n_train, delay, n_symbols, seed=seed)
    contexts = last_window(inputs, window, pad_id=pad_id)  # (N, window)
    torch.manual_seed(seed)
    model = WindowLM(n_symbols + 1, window, d_embed=8, d_hidden=32, n_outputs=n_symbols)
    batches = minibatches(contexts, targets, batch_size=128, seed=seed)
    train(
        model,
        batches,
        classification_loss,
        steps=steps,
        lr=1e-2,
        seed=seed,
        log_every=10**9,
        progress=False,
    )
    test_inputs, test_targets = probes.delayed_copy(
        n_test, delay, n_symbols, seed=seed + 10_000 + delay
    )
    with torch.no_grad():
        predicted = model.predict_from_sequence(test_inputs, pad_id=pad_id).argmax(-1)
    return (predicted == test_targets).float().mean().item()


def _box(ax, x, y, text, color, width=0.9, height=0.5, filled=True, size=9):
    patch = FancyBboxPatch(
        (x - width / 2, y - height / 2),
        width,
        height,
        boxstyle="round,pad=0.02,rounding_size=0.08",
        facecolor=color if filled else "white",
        edgecolor=color,
        linewidth=1.2,
        alpha=0.9 if filled else 1.0,
    )
    ax.add_patch(patch)
    ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=size,
        color="white" if filled else INK,
    )


def draw_window(
    ax: plt.Axes,
    words: Sequence[str],
    window: int,
    y: float = 0.0,
    highlight: int | None = None,
    offset: float = 0.0,
) -> None:
    """Draw `words` then a `?`, boxing the last `window` words the model reads.

    Words outside the window are drawn faded; `highlight` (an index into
    `words`) is drawn in orange, for a clue. The first word sits at x = `offset`.
    """
    n = len(words)
    for i, word in enumerate(words):
        seen = i >= n - window
        color = COLORS["orange"] if i == highlight else COLORS["blue"]
        if not seen:
            color = "#B8C4CE" if i != highlight else "#F2CF8A"
        _box(ax, offset + i, y, word, color, filled=seen)
    _box(ax, offset + n, y, "?", COLORS["green"])
    left = offset + max(n - window, 0) - 0.55
    ax.add_patch(
        FancyBboxPatch(
            (left, y - 0.42),
            offset + n - 0.45 - left,
            0.84,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            fill=False,
            edgecolor=COLORS["vermillion"],
            linewidth=1.6,
            linestyle="--",
        )
    )
    ax.set_xlim(
        min(ax.get_xlim()[0], offset - 0.6), max(ax.get_xlim()[1], offset + n + 0.6)
    )
    ax.set_ylim(min(ax.get_ylim()[0], y - 0.6), max(ax.get_ylim()[1], y + 0.6))
    ax.set_aspect("equal")
    ax.axis("off")


def draw_window_model(fig: plt.Figure, words: Sequence[str], window: int) -> None:
    """The window model as a diagram: words, embeddings, concatenation, layers."""
    ax = fig.add_subplot()
    n = len(words)
    draw_window(ax, words, window, y=4.2)
    first = n - window
    d = 4  # cells drawn per embedding
    width = window * d * 0.32
    center = (n - 1) / 2 + 0.5
    start = center - width / 2
    for k in range(window):
        x_word = first + k
        x_vec = start + (k * d + d / 2 - 0.5) * 0.32 + 0.16
        ax.annotate(
            "",
            (x_vec, 2.75),
            (x_word, 3.9),
            arrowprops={"arrowstyle": "->", "color": INK, "lw": 0.8},
        )
        for j in range(d):
            x = start + (k * d + j) * 0.32
            shade = SLOT_COLORS[k % len(SLOT_COLORS)]
            ax.add_patch(
                plt.Rectangle(
                    (x, 2.4),
                    0.3,
                    0.3,
                    facecolor=shade,
                    alpha=0.55 + 0.15 * (j % 3),
                    edgecolor="white",
                )
            )
    ax.text(
        start + width + 0.2,
        2.55,
        f"{window} embeddings, concatenated",
        va="center",
        fontsize=9,
    )
    ax.text(
        first - 0.6,
        3.3,
        "look up each word's\nembedding",
        ha="right",
        va="center",
        fontsize=8,
    )
    layers = [
        (1.3, "hidden layer: tanh(W₁x + b₁)", COLORS["purple"]),
        (0.2, "logits: one score per word of the vocabulary", COLORS["green"]),
    ]
    previous = 2.4
    for y, label, color in layers:
        ax.annotate(
            "",
            (center, y + 0.28),
            (center, previous),
            arrowprops={"arrowstyle": "->", "color": INK, "lw": 0.8},
        )
        _box(ax, center, y, label, color, width=min(width + 2.5, n + 0.5), height=0.55)
        previous = y - 0.28
    ax.annotate(
        "",
        (n, 3.9),
        (center + 1.5, 0.5),
        arrowprops={
            "arrowstyle": "->",
            "color": COLORS["green"],
            "lw": 1.0,
            "connectionstyle": "arc3,rad=0.35",
        },
    )
    ax.set_ylim(-0.3, 4.7)
