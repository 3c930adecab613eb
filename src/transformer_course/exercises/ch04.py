"""Checks for the exercises of chapter 4, "Sequence to sequence"."""

from __future__ import annotations

import math

import torch

from transformer_course.exercises import (
    Result,
    call_answer,
    check_number,
    check_tensor,
    failed,
    passed,
)

START, END = 1, 2  # the ids of <s> and </s> in the course's tokenizers


def _as_ids(value) -> list[int] | None:
    """A list of ints from a list, tuple or 1-D integer tensor; None otherwise."""
    if isinstance(value, torch.Tensor):
        if value.dim() != 1 or value.is_floating_point():
            return None
        return value.tolist()
    if isinstance(value, (list, tuple)) and all(
        isinstance(x, int) and not isinstance(x, bool) for x in value
    ):
        return list(value)
    return None


def check_decoder_io(decoder_io) -> Result:
    """Grade `decoder_io(french_ids, start_id, end_id) -> (tgt_in, tgt_out)`."""
    cases = [[7, 12, 30, 4], [9, 4], [5]]
    for french in cases:
        value, problem = call_answer(decoder_io, list(french), START, END)
        if problem is not None:
            return problem
        if not (isinstance(value, tuple) and len(value) == 2):
            return failed(
                "return two sequences, (tgt_in, tgt_out): what the decoder reads "
                "and what it should predict"
            )
        tgt_in, tgt_out = (_as_ids(v) for v in value)
        if tgt_in is None or tgt_out is None:
            return failed("tgt_in and tgt_out should be lists of whole-number ids")
        want_in, want_out = [START, *french], [*french, END]
        if tgt_in == want_in and tgt_out == want_out:
            continue
        if tgt_in == want_out and tgt_out == want_in:
            hint = (
                "the two are swapped: the decoder *reads* the start token first "
                "and *predicts* the end token last"
            )
        elif len(tgt_in) != len(tgt_out):
            hint = (
                f"tgt_in has {len(tgt_in)} tokens and tgt_out {len(tgt_out)}: the "
                "decoder makes one prediction per token it reads, so both should "
                f"have {len(french) + 1}"
            )
        elif tgt_in == tgt_out:
            hint = (
                "tgt_in equals tgt_out, so the decoder would be asked to predict "
                "the token it is reading: shift the input right by the start token"
            )
        elif END in tgt_in or START in tgt_out:
            hint = "the start token belongs in tgt_in only, the end token in tgt_out"
        else:
            hint = "tgt_in is <s> then the French ids; tgt_out is the ids then </s>"
        return failed(
            f"for French ids {french} expected tgt_in {want_in} and tgt_out "
            f"{want_out}, got {tgt_in} and {tgt_out}; {hint}"
        )
    return passed(
        "tgt_in is the target shifted right by <s>; at every position the decoder "
        "reads one token and is trained to predict the next"
    )


def reference_additive_weights(query, keys, W_q, W_k, v, mask):
    """softmax over the unmasked j of v · tanh(W_q q + W_k k_j)."""
    scores = torch.tanh(keys @ W_k.T + W_q @ query) @ v  # (S, A) -> (S,)
    scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1)


def _attention_case(seed: int, S: int, n_pad: int):
    g = torch.Generator().manual_seed(seed)
    D, A = 4, 3
    query = torch.randn(D, generator=g)
    keys = torch.randn(S, D, generator=g)
    W_q = torch.randn(A, D, generator=g)
    W_k = torch.randn(A, D, generator=g)
    v = torch.randn(A, generator=g)
    mask = torch.ones(S, dtype=torch.bool)
    mask[S - n_pad :] = False
    return query, keys, W_q, W_k, v, mask


def check_additive_weights(additive_weights) -> Result:
    """Grade `additive_weights(query, keys, W_q, W_k, v, mask) -> weights (S,)`."""
    for seed, S, n_pad in ((0, 5, 2), (1, 4, 0), (2, 6, 1)):
        args = _attention_case(seed, S, n_pad)
        value, problem = call_answer(additive_weights, *(a.clone() for a in args))
        if problem is not None:
            return problem
        problem = check_tensor(value, "the weights", (S,))
        if problem is not None:
            return problem
        query, keys, W_q, W_k, v, mask = args
        want = reference_additive_weights(*args)
        got = value.float()
        if torch.allclose(got, want, atol=1e-5):
            continue
        all_real = torch.ones_like(mask)
        if n_pad and torch.allclose(
            got,
            reference_additive_weights(query, keys, W_q, W_k, v, all_real),
            atol=1e-4,
        ):
            hint = (
                "your weights ignore the mask: padding positions must get weight "
                "0, so set their scores to -inf before the softmax"
            )
        elif n_pad and got[~mask].abs().max() > 1e-6:
            hint = (
                f"the {n_pad} padded position(s) get weight "
                f"{got[~mask].sum().item():.3f}; they should get exactly 0 (fill "
                "their scores with -inf, not 0, before the softmax)"
            )
        elif not math.isclose(got.sum().item(), 1.0, abs_tol=1e-4):
            hint = (
                f"the weights sum to {got.sum().item():.3f}, not 1: apply a "
                "softmax over the source positions"
            )
        else:
            untanh = (keys @ W_k.T + W_q @ query) @ v
            untanh = torch.softmax(untanh.masked_fill(~mask, float("-inf")), -1)
            if torch.allclose(got, untanh, atol=1e-4):
                hint = "apply tanh to W_q q + W_k k_j before the dot product with v"
            else:
                hint = "each score is v · tanh(W_q q + W_k k_j), one per key"
        return failed(
            f"for {S} keys ({n_pad} of them padding) expected weights "
            f"{[round(w, 3) for w in want.tolist()]}, got "
            f"{[round(w, 3) for w in got.tolist()]}; {hint}"
        )
    return passed(
        "one score per source word, -inf on padding, softmax: the weights say "
        "where the decoder looks"
    )


def check_context(context) -> Result:
    """Grade `context(weights (B, S), states (B, S, H)) -> (B, H)`."""
    g = torch.Generator().manual_seed(4)
    B, S, H = 2, 3, 4
    weights = torch.softmax(torch.randn(B, S, generator=g), dim=-1)
    states = torch.randn(B, S, H, generator=g)
    value, problem = call_answer(context, weights.clone(), states.clone())
    if problem is not None:
        return problem
    problem = check_tensor(value, "the context", (B, H))
    if problem is not None:
        if isinstance(value, torch.Tensor) and tuple(value.shape) in (
            (B, S),
            (B, S, H),
        ):
            return failed(
                f"the context should have shape ({B}, {H}), one vector per "
                f"sentence, got {tuple(value.shape)}: sum the weighted states "
                "over the source positions (dim=1)"
            )
        return problem
    want = (weights[:, :, None] * states).sum(dim=1)
    got = value.float()
    if torch.allclose(got, want, atol=1e-5):
        # One-hot weights should pick out a single state.
        onehot = torch.zeros(B, S)
        onehot[:, 1] = 1.0
        value, problem = call_answer(context, onehot, states.clone())
        if problem is not None:
            return problem
        if isinstance(value, torch.Tensor) and torch.allclose(
            value.float(), states[:, 1], atol=1e-5
        ):
            return passed(
                "the context is the weighted sum of the encoder states; with all "
                "the weight on one word it is that word's state"
            )
    if torch.allclose(got, states.mean(dim=1), atol=1e-5):
        hint = "you averaged the states equally: multiply each by its weight first"
    elif torch.allclose(got, states.sum(dim=1), atol=1e-5):
        hint = "you summed the states without their weights"
    else:
        hint = "context[b] = sum over j of weights[b, j] * states[b, j]"
    return failed(f"wrong context vectors; {hint}")


def check_exact_match(exact_match) -> Result:
    """Grade `exact_match(predicted, reference) -> fraction of exact sentences`."""
    predicted = [
        "le chat dort .",
        "la balle rouge tombe .",
        "les chiens courent",
        "une fille tient un livre .",
    ]
    reference = [
        "le chat dort .",
        "la balle rouge tombe .",
        "les chiens courent .",
        "une fille tient un stylo .",
    ]
    value, problem = call_answer(exact_match, list(predicted), list(reference))
    if problem is not None:
        return problem
    problem = check_number(value, "the exact match")
    if problem is not None:
        return problem
    got = float(value)
    if not math.isclose(got, 0.5, abs_tol=1e-6):
        if math.isclose(got, 50.0):
            hint = "return a fraction between 0 and 1, not a percentage"
        elif math.isclose(got, 2.0):
            hint = "divide the number of exact sentences by the number of sentences"
        elif got > 0.5:
            hint = (
                "a sentence counts only if every word matches and it has the same "
                "length: 'les chiens courent' misses its full stop"
            )
        else:
            hint = "count the sentences predicted exactly, word for word"
        return failed(f"2 of these 4 sentences are exact, so 0.5; got {got}: {hint}")
    value, problem = call_answer(exact_match, ["a b ."], ["a b ."])
    if problem is not None:
        return problem
    if check_number(value, "the exact match") is not None or float(value) != 1.0:
        return failed("one sentence predicted exactly should give 1.0")
    return passed("exact match counts a sentence only when all of it is right")
