"""The experiments of chapter 4: translation quality by length, where attention looks.

- `n_clauses`, `by_clauses`: group test pairs by the number of clauses.
- `exact_match_by_clauses`: greedy translations scored per group.
- `attention_map`: the attention weights of a trained translator on one pair.
- `alignment_agreement`: how often attention's argmax is the true source word.
- `draw_encoder_decoder`: the diagram of the RNN encoder-decoder.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from torch import nn

from transformer_course.data import Pair, TranslationData, align, grammar
from transformer_course.decoding import evaluate_translation
from transformer_course.figures import COLORS, INK

# The chapter's names for the grammar's helpers.
n_clauses = grammar.count_clauses
by_clauses = grammar.group_by_clauses


def exact_match_by_clauses(
    model: nn.Module, data: TranslationData, groups: dict[int, list[Pair]]
) -> dict[int, float]:
    """Exact match of greedy translations for each group of `by_clauses`."""
    return {
        k: evaluate_translation(model, data, pairs)["exact_match"]
        for k, pairs in groups.items()
    }


@torch.no_grad()
def attention_map(
    model: nn.Module, data: TranslationData, pair: Pair
) -> tuple[torch.Tensor, list[str], list[str]]:
    """Attention weights (T, S) of `model` reading `pair` with teacher forcing.

    Row t is where the decoder looked to predict the t-th French token (the
    last row predicts </s>); returns (weights, English tokens, French tokens
    with </s>).
    """
    batch = data.make_batch([pair])
    was_training = model.training
    model.eval()
    try:
        model(batch.src, batch.tgt_in, batch.src_mask)
    finally:
        model.train(was_training)
    weights = model.last_attention
    if weights is None:
        raise ValueError("this model has no attention weights to show")
    return weights[0], pair.english.split(), [*pair.french.split(), "</s>"]


def alignment_agreement(
    model: nn.Module, data: TranslationData, pairs: Sequence[Pair]
) -> dict[str, float]:
    """How often the most-attended English word is the one `align` pairs with.

    Counts every French word of `pairs` (not </s>). Returns `agreement` over
    all words, `crossing` over the words whose position differs from their
    English partner's (adjectives after their noun, and the noun before
    them), and `chance`: the agreement of a uniformly random pick.
    """
    hits = total = cross_hits = cross_total = 0
    chance = 0.0
    for pair in pairs:
        weights, english, french = attention_map(model, data, pair)
        picked = weights.argmax(dim=-1).tolist()  # (T,): one English index per row
        source_of = {j: i for i, j in align(pair)}  # French index -> English index
        for j in range(len(french) - 1):
            hit = picked[j] == source_of[j]
            hits += hit
            total += 1
            chance += 1 / len(english)
            if source_of[j] != j:
                cross_hits += hit
                cross_total += 1
    return {
        "agreement": hits / total,
        "crossing": cross_hits / max(cross_total, 1),
        "chance": chance / total,
        "n_words": total,
        "n_crossing": cross_total,
    }


def _box(ax, x, y, text, color, width=0.8, height=0.55, text_color="white"):
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=color,
            edgecolor="none",
        )
    )
    ax.text(x, y, text, ha="center", va="center", color=text_color, fontsize=9)


def _arrow(ax, start, end, color=INK, width=1.0, rad=0.0, alpha=1.0):
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=9,
            color=color,
            linewidth=width,
            alpha=alpha,
            connectionstyle=f"arc3,rad={rad}",
            shrinkA=2,
            shrinkB=2,
        )
    )


def draw_encoder_decoder(
    ax: plt.Axes, english: Sequence[str], french: Sequence[str], attention: bool
) -> None:
    """Draw the RNN encoder-decoder translating `english` into `french`.

    Without attention only the encoder's last state c reaches the decoder: it
    starts the decoder and every output reads it. With attention every output
    also reads a weighted sum of all the encoder states (drawn for one step,
    the others do the same).
    """
    S, T = len(english), len(french) + 1
    gap = 1.6  # between the last encoder cell and the first decoder cell
    enc_x = list(range(S))
    dec_x = [S - 1 + gap + t for t in range(T)]
    for i, (x, word) in enumerate(zip(enc_x, english, strict=True)):
        _box(ax, x, 0, f"$h_{{{i + 1}}}$", COLORS["blue"])
        ax.text(x, -1.05, word, ha="center", va="center", color=INK, fontsize=9)
        _arrow(ax, (x, -0.85), (x, -0.3))
        if i:
            _arrow(ax, (x - 0.6, 0), (x - 0.4, 0))
    inputs = ["<s>", *french]
    outputs = [*french, "</s>"]
    for t, x in enumerate(dec_x):
        _box(ax, x, 0, f"$s_{{{t + 1}}}$", COLORS["orange"], text_color=INK)
        ax.text(x, -1.05, inputs[t], ha="center", va="center", color=INK, fontsize=9)
        ax.text(
            x,
            1.05,
            outputs[t],
            ha="center",
            va="center",
            color=INK,
            fontsize=9,
        )
        _arrow(ax, (x, -0.85), (x, -0.3))
        _arrow(ax, (x, 0.3), (x, 0.85))
        if t:
            _arrow(ax, (x - 0.6, 0), (x - 0.4, 0))
    red = COLORS["vermillion"]
    _arrow(ax, (enc_x[-1] + 0.4, 0), (dec_x[0] - 0.4, 0), red, 2.2)
    ax.text(
        (enc_x[-1] + dec_x[0]) / 2, 0.22, "$c$", ha="center", va="bottom", color=red
    )
    if not attention:
        # The last encoder state c is read again by every output.
        bus = 1.75
        ax.plot([enc_x[-1], enc_x[-1]], [0.3, bus], color=red, linewidth=1.2)
        ax.plot([enc_x[-1], dec_x[-1] - 0.5], [bus, bus], color=red, linewidth=1.2)
        for x in dec_x:
            ax.plot([x - 0.5, x - 0.5], [bus, 0.6], color=red, linewidth=1.2)
            _arrow(ax, (x - 0.5, 0.6), (x - 0.02, 0.6), red, 1.2)
        ax.text(
            (enc_x[-1] + dec_x[-1]) / 2,
            2.05,
            "$c$, the encoder's last state: one vector for the whole sentence",
            ha="center",
            va="center",
            color=red,
            fontsize=9,
        )
    if attention:
        target = dec_x[2] if T > 2 else dec_x[-1]
        # Every encoder state feeds one bus that comes down into the step.
        bus, green = 1.75, COLORS["green"]
        for x in enc_x:
            ax.plot([x, x], [0.3, bus], color=green, linewidth=1.2)
        ax.plot([enc_x[0], target - 0.5], [bus, bus], color=green, linewidth=1.2)
        # The output at this step reads what attention found (c_t) with s_t.
        ax.plot([target - 0.5, target - 0.5], [bus, 0.6], color=green, linewidth=1.2)
        _arrow(ax, (target - 0.5, 0.6), (target - 0.02, 0.6), green, 1.2)
        ax.text(
            (enc_x[0] + target) / 2,
            2.05,
            "attention: a weighted sum $c_t$ of every $h_j$, at every decoder step",
            ha="center",
            va="center",
            color=COLORS["green"],
            fontsize=9,
        )
    ax.text((enc_x[0] + enc_x[-1]) / 2, -1.65, "encoder (English)", ha="center")
    ax.text((dec_x[0] + dec_x[-1]) / 2, -1.65, "decoder (French)", ha="center")
    ax.set_xlim(-0.7, dec_x[-1] + 0.7)
    ax.set_ylim(-1.95, 2.3)
    ax.set_aspect("equal")
    ax.axis("off")
