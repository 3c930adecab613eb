"""Checks for the exercises of chapter 2, "Feed-forward language models"."""

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
from transformer_course.models.window import WindowLM, make_windows


def check_context_windows(context_windows) -> Result:
    """Grade `context_windows(ids, window, pad_id) -> (contexts, targets)`."""
    cases = [([1, 7, 8, 9, 2], 3, 0), ([1, 5, 6, 2], 2, 0), ([3, 4, 5], 4, 9)]
    for ids, window, pad_id in cases:
        value, problem = call_answer(context_windows, list(ids), window, pad_id)
        if problem is not None:
            return problem
        if not isinstance(value, tuple) or len(value) != 2:
            return failed(
                f"return two tensors, (contexts, targets), got {type(value).__name__}"
            )
        contexts, targets = value
        want_x, want_y = make_windows(ids, window, pad_id=pad_id)
        problem = check_tensor(targets, "targets", tuple(want_y.shape))
        if problem is not None:
            if isinstance(targets, torch.Tensor) and len(targets) == len(ids):
                return failed(
                    f"for {len(ids)} ids there are {len(ids) - 1} targets: the "
                    "first id has nothing before it, so it is never a target"
                )
            return problem
        if not torch.equal(targets.long(), want_y):
            return failed(
                f"for ids {ids} the targets are {want_y.tolist()}, yours are "
                f"{targets.tolist()}: every id after the first"
            )
        problem = check_tensor(contexts, "contexts", tuple(want_x.shape))
        if problem is not None:
            return problem
        got = contexts.long()
        if torch.equal(got, want_x):
            continue
        shown = f"for ids {ids}, window {window} and pad_id {pad_id}"
        padded = [pad_id] * window + list(ids)
        with_target = torch.tensor(
            [padded[t + 1 : t + window + 1] for t in range(1, len(ids))]
        )
        right_padded = torch.tensor(
            [
                (list(ids[max(0, t - window) : t]) + [pad_id] * window)[:window]
                for t in range(1, len(ids))
            ]
        )
        if torch.equal(got, with_target):
            hint = "your contexts include the target itself: take the ids *before* it"
        elif torch.equal(got, right_padded):
            hint = "fill short contexts on the left, so the last column is always "
            hint += "the id just before the target"
        elif torch.equal(got, want_x.flip(1)):
            hint = "your contexts are reversed: keep the ids in reading order"
        else:
            hint = f"row 0 should be {want_x[0].tolist()}, yours is {got[0].tolist()}"
        return failed(f"wrong contexts {shown}; {hint}")
    return passed(
        "each target comes with the window of ids just before it, padded on the "
        "left near the start"
    )


def reference_count(vocab_size: int, window: int, d_embed: int, d_hidden: int) -> int:
    model = WindowLM(vocab_size, window, d_embed, d_hidden)
    return sum(p.numel() for p in model.parameters())


def check_count_parameters(count_parameters) -> Result:
    """Grade `count_parameters(vocab_size, window, d_embed, d_hidden) -> int`."""
    for sizes in [(54, 3, 16, 64), (10, 1, 4, 8), (1000, 5, 32, 128)]:
        V, W, E, H = sizes
        value, problem = call_answer(count_parameters, *sizes)
        if problem is not None:
            return problem
        problem = check_number(value, "the count")
        if problem is not None:
            return problem
        want = reference_count(*sizes)
        got = float(value)
        if got == want:
            continue
        if got == want - H - V:
            hint = "you left out the biases: one per hidden unit, one per output"
        elif got == want - V * E + W * V * E:
            hint = "there is one embedding table shared by all positions, not one "
            hint += "per position"
        elif got == want - W * E * H + E * H:
            hint = "the hidden layer reads window * d_embed numbers, so its weight "
            hint += "matrix has window * d_embed * d_hidden entries"
        elif got == want - V * E:
            hint = "count the embedding table too: vocab_size * d_embed numbers"
        else:
            hint = "add embedding (V*d_embed), hidden (window*d_embed*d_hidden + "
            hint += "d_hidden) and output (d_hidden*V + V)"
        return failed(
            f"WindowLM(vocab_size={V}, window={W}, d_embed={E}, d_hidden={H}) has "
            f"{want} parameters, your function gave {value}; {hint}"
        )
    return passed(
        "only the hidden layer grows with the window: window * d_embed * d_hidden "
        "weights"
    )


def reference_forward(context, table, w1, b1, w2, b2) -> torch.Tensor:
    B = context.shape[0]
    x = table[context].reshape(B, -1)  # (B, window, d_embed) -> (B, window * d_embed)
    return torch.tanh(x @ w1 + b1) @ w2 + b2


def check_window_forward(window_forward) -> Result:
    """Grade `window_forward(context, table, w1, b1, w2, b2) -> logits (B, V)`."""
    generator = torch.Generator().manual_seed(2)
    B, W, V, E, H = 5, 3, 11, 4, 6
    context = torch.randint(V, (B, W), generator=generator)
    table = torch.randn(V, E, generator=generator)
    w1 = torch.randn(W * E, H, generator=generator)
    b1 = torch.randn(H, generator=generator)
    w2 = torch.randn(H, V, generator=generator)
    b2 = torch.randn(V, generator=generator)
    args = (context, table, w1, b1, w2, b2)
    value, problem = call_answer(window_forward, *(a.clone() for a in args))
    if problem is not None:
        return problem
    problem = check_tensor(value, "the logits", (B, V))
    if problem is not None:
        return problem
    want = reference_forward(*args)
    got = value.float()
    if torch.allclose(got, want, atol=1e-5):
        return passed("embed, concatenate, tanh hidden layer, one score per word")
    x = table[context].reshape(B, -1)
    if torch.allclose(got, (x @ w1 + b1) @ w2 + b2, atol=1e-5):
        hint = "apply tanh to the hidden layer before the output layer"
    elif torch.allclose(got, torch.softmax(want, dim=-1), atol=1e-5):
        hint = "return the logits, not probabilities: leave out the softmax"
    elif torch.allclose(got, reference_forward(context.flip(1), *args[1:]), atol=1e-5):
        hint = "concatenate the embeddings in reading order, oldest word first"
    elif torch.allclose(got, torch.tanh(x @ w1) @ w2, atol=1e-5):
        hint = "add the biases b1 and b2"
    else:
        hint = "logits = tanh(concat(embeddings) @ w1 + b1) @ w2 + b2"
    return failed(f"the logits differ from the expected ones; {hint}")


def check_cross_entropy(cross_entropy) -> Result:
    """Grade `cross_entropy(logits, targets) -> float`."""
    generator = torch.Generator().manual_seed(3)
    cases = [
        (torch.tensor([[2.0, 0.0, -1.0], [0.5, 0.5, 0.5]]), torch.tensor([0, 2])),
        (3 * torch.randn(6, 9, generator=generator), torch.tensor([0, 8, 3, 3, 1, 5])),
        (torch.tensor([[1000.0, 0.0], [0.0, 1000.0]]), torch.tensor([0, 0])),
    ]
    for logits, targets in cases:
        value, problem = call_answer(cross_entropy, logits.clone(), targets.clone())
        if problem is not None:
            return problem
        problem = check_number(value, "the cross-entropy")
        if problem is not None:
            if logits.abs().max() > 100:
                return failed(
                    "with logits of 1000 your answer is not a finite number: "
                    "exp(1000) overflows; subtract the largest logit before exp, "
                    "or use logsumexp"
                )
            return problem
        want = torch.nn.functional.cross_entropy(logits, targets).item()
        got = float(value)
        if math.isclose(got, want, rel_tol=1e-4, abs_tol=1e-5):
            continue
        rows = torch.arange(len(targets))
        log_probs = torch.log_softmax(logits, dim=-1)[rows, targets]
        picked = logits[rows, targets]
        if math.isclose(got, -log_probs.sum().item(), rel_tol=1e-4):
            hint = "average over the predictions instead of summing"
        elif math.isclose(got, log_probs.mean().item(), rel_tol=1e-4):
            hint = "mind the sign: the loss is the *negative* mean log-probability"
        elif math.isclose(got, -picked.mean().item(), rel_tol=1e-4):
            hint = "turn the logits into log-probabilities first: subtract the "
            hint += "logsumexp of each row"
        elif math.isclose(got, -log_probs.exp().mean().item(), rel_tol=1e-4):
            hint = "take the log of the probabilities before averaging"
        else:
            hint = "the loss is -mean(log softmax(logits)[row, target])"
        return failed(f"expected {want:.4f}, your function gave {got:.4f}; {hint}")
    return passed(
        "cross-entropy = -mean log softmax(logits) at the targets; its "
        "exponential is the perplexity"
    )
