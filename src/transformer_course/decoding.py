"""Turning a trained model's scores into sentences, and scoring the sentences.

`greedy_decode` works with every translation model of the course: the RNN
encoder-decoder (one step at a time, carrying its state) and the transformer
(which re-reads the growing prefix). `exact_match` and `token_accuracy` compare
what came out with the reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from transformer_course.validation import check_shape


@torch.no_grad()
def greedy_decode(
    model: nn.Module,
    src: torch.Tensor,
    src_mask: torch.Tensor | None = None,
    start_id: int = 1,
    end_id: int = 2,
    max_len: int = 50,
    pad_id: int = 0,
) -> list[list[int]]:
    """Translate src (B, S) by always taking the most likely next token.

    Returns one list of token ids per sentence, without <s> and </s>; a
    sentence stops at its first </s> (or after `max_len` tokens). Without
    `src_mask`, the source's `pad_id` tokens are masked. A model with
    `encode`, `decoder_start` and `decode_step` is run one step at a time;
    a model with `encode` and `decode(tgt_in, memory, src_mask)` re-reads its
    prefix from the memory; any other model re-runs
    `forward(src, tgt_in, src_mask)` on the growing prefix.
    """
    check_shape(src, ("B", "S"), "src")
    if src_mask is None:
        src_mask = src != pad_id
    check_shape(src_mask, src.shape, "src_mask")
    if max_len < 1:
        raise ValueError(f"max_len should be at least 1, got {max_len}")
    was_training = model.training
    model.eval()
    B = src.shape[0]
    ys = src.new_full((B, 1), start_id)  # the prefix so far, (B, 1 + t)
    finished = torch.zeros(B, dtype=torch.bool, device=src.device)
    try:
        if hasattr(model, "decode_step") and hasattr(model, "decoder_start"):
            memory = model.encode(src, src_mask)
            state = model.decoder_start(memory)

            def next_logits(ys):
                nonlocal state
                logits, state = model.decode_step(memory, state, ys[:, -1])
                return logits  # (B, V)

        elif hasattr(model, "encode") and hasattr(model, "decode"):
            memory = model.encode(src, src_mask)

            def next_logits(ys):
                return model.decode(ys, memory, src_mask)[:, -1]

        else:

            def next_logits(ys):
                return model(src, ys, src_mask)[:, -1]

        for _ in range(max_len):
            token = next_logits(ys).argmax(dim=-1)  # (B,)
            token = token.masked_fill(finished, end_id)
            ys = torch.cat([ys, token[:, None]], dim=1)
            finished |= token == end_id
            if finished.all():
                break
    finally:
        model.train(was_training)
    return [strip_special(row, start_id, end_id) for row in ys.tolist()]


def strip_special(ids: Sequence[int], start_id: int = 1, end_id: int = 2) -> list[int]:
    """Drop a leading <s> and everything from the first </s> on."""
    ids = list(ids)
    if ids and ids[0] == start_id:
        ids = ids[1:]
    if end_id in ids:
        ids = ids[: ids.index(end_id)]
    return ids


def sample(
    logits: torch.Tensor,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Draw one token id from logits (..., V); temperature 0 takes the argmax.

    A temperature below 1 sharpens the distribution, above 1 flattens it.
    """
    if not isinstance(logits, torch.Tensor) or logits.dim() < 1:
        raise ValueError("logits should be a tensor (..., V) with at least one axis")
    if temperature < 0:
        raise ValueError(f"temperature should be >= 0, got {temperature}")
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    flat = probs.reshape(-1, probs.shape[-1])  # (..., V) -> (N, V)
    ids = torch.multinomial(flat, 1, generator=generator)  # (N, 1)
    return ids.reshape(probs.shape[:-1])


def _tokens(x: str | Sequence[int]) -> list:
    return x.split() if isinstance(x, str) else list(x)


def _check_pairs(predicted: Sequence, reference: Sequence) -> None:
    if len(predicted) != len(reference):
        raise ValueError(
            f"predicted and reference should be lists of the same length, got "
            f"{len(predicted)} and {len(reference)}"
        )
    if not predicted:
        raise ValueError("predicted and reference are empty: nothing to score")


def exact_match(
    predicted: Sequence[str] | Sequence[Sequence[int]],
    reference: Sequence[str] | Sequence[Sequence[int]],
) -> float:
    """The fraction of sentences predicted exactly (strings compare word by word)."""
    _check_pairs(predicted, reference)
    hits = sum(
        _tokens(p) == _tokens(r) for p, r in zip(predicted, reference, strict=True)
    )
    return hits / len(reference)


def token_accuracy(
    predicted: Sequence[str] | Sequence[Sequence[int]],
    reference: Sequence[str] | Sequence[Sequence[int]],
) -> float:
    """The fraction of positions where the predicted token is the reference's.

    Positions are counted up to the longer of the two sentences, so a
    prediction that stops early or runs on is charged for it.
    """
    _check_pairs(predicted, reference)
    hits = total = 0
    for p, r in zip(predicted, reference, strict=True):
        p, r = _tokens(p), _tokens(r)
        hits += sum(a == b for a, b in zip(p, r, strict=False))
        total += max(len(p), len(r))
    return hits / total if total else 1.0


def translate(
    model: nn.Module,
    data: Any,
    sentences: Sequence[str],
    max_len: int | None = None,
    batch_size: int = 256,
) -> list[str]:
    """Translate English sentences into French strings with `greedy_decode`.

    `data` is a `TranslationData`: its tokenizers turn words into ids and back.
    A translation may have up to `max_len` words (default: twice the source
    plus 5).
    """
    from transformer_course.data import pad_batch

    if isinstance(sentences, str):
        raise TypeError("sentences should be a list of strings; wrap one in a list")
    src_tok, tgt_tok = data.src_tokenizer, data.tgt_tokenizer
    device = next(model.parameters()).device
    out: list[str] = []
    for first in range(0, len(sentences), batch_size):
        ids = [src_tok.encode(s) for s in sentences[first : first + batch_size]]
        if any(len(i) == 0 for i in ids):
            raise ValueError("every sentence to translate should have a word")
        src, src_mask = pad_batch(ids, data.pad_id)
        limit = max_len or 2 * src.shape[1] + 5
        decoded = greedy_decode(
            model,
            src.to(device),
            src_mask.to(device),
            tgt_tok.start_id,
            tgt_tok.end_id,
            limit,
        )
        out.extend(tgt_tok.decode(row) for row in decoded)
    return out


def evaluate_translation(
    model: nn.Module, data: Any, pairs: Sequence[Any], max_len: int | None = None
) -> dict[str, float]:
    """Exact match and token accuracy of greedy translations of `pairs`."""
    predicted = translate(model, data, [p.english for p in pairs], max_len)
    reference = [p.french for p in pairs]
    return {
        "exact_match": exact_match(predicted, reference),
        "token_accuracy": token_accuracy(predicted, reference),
    }
