"""Checks for the exercises of chapter 1, "Language models"."""

from __future__ import annotations

import itertools
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


def reference_perplexity(probs: torch.Tensor) -> float:
    return math.exp(-probs.double().log().mean().item())


def check_perplexity(perplexity) -> Result:
    """Grade `perplexity(probs)`: probs holds P(correct token) per prediction."""
    cases = [
        torch.tensor([0.5, 0.5, 0.5, 0.5]),
        torch.tensor([0.9, 0.1, 0.4, 0.25, 0.6]),
        torch.full((10,), 1 / 30),
        torch.tensor([1.0, 1.0]),
    ]
    for probs in cases:
        value, problem = call_answer(perplexity, probs.clone())
        if problem is not None:
            return problem
        problem = check_number(value, "the perplexity")
        if problem is not None:
            return problem
        want = reference_perplexity(probs)
        got = float(value)
        if math.isclose(got, want, rel_tol=1e-4):
            continue
        given = [round(p, 3) for p in probs.tolist()]
        mean_log = probs.log().mean().item()
        if math.isclose(got, -mean_log, rel_tol=1e-4):
            hint = "you returned the average negative log-probability: take exp of it"
        elif math.isclose(got, math.exp(-probs.log().sum().item()), rel_tol=1e-4):
            hint = "average the log-probabilities over predictions before exp, "
            hint += "rather than summing them"
        elif math.isclose(got, math.exp(mean_log), rel_tol=1e-4):
            hint = "mind the sign: perplexity is exp of the *negative* mean log-prob"
        elif math.isclose(got, 1 / probs.mean().item(), rel_tol=1e-4):
            hint = "average the logs of the probabilities, not the probabilities"
        else:
            hint = "perplexity is exp(-mean(log p)) over the predictions"
        return failed(
            f"for probabilities {given} the perplexity is {want:.4g}, "
            f"your function gave {got:.4g}; {hint}"
        )
    return passed(
        "your perplexity matches exp(-mean(log p)); a model that gives every "
        "correct token probability 1/30 has perplexity 30"
    )


def check_temperature(apply_temperature) -> Result:
    """Grade `apply_temperature(logits, temperature) -> probabilities`."""
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0], [0.5, 0.5, 3.0, 0.0]])
    for temperature in (1.0, 0.5, 2.0):
        value, problem = call_answer(apply_temperature, logits.clone(), temperature)
        if problem is not None:
            return problem
        problem = check_tensor(value, "the probabilities", tuple(logits.shape))
        if problem is not None:
            return problem
        want = torch.softmax(logits / temperature, dim=-1)
        if torch.allclose(value.float(), want, atol=1e-5):
            continue
        sums = value.sum(dim=-1)
        if not torch.allclose(sums, torch.ones_like(sums), atol=1e-4):
            hint = (
                f"each row should sum to 1, yours sum to "
                f"{[round(s, 3) for s in sums.tolist()]}: apply softmax over the "
                "last dimension"
            )
        elif torch.allclose(
            value.float(), torch.softmax(logits * temperature, -1), atol=1e-5
        ):
            hint = "divide the logits by the temperature rather than multiplying"
        elif torch.allclose(value.float(), torch.softmax(logits, -1), atol=1e-5):
            hint = "the temperature has no effect in your answer: divide the logits"
        else:
            hint = "the answer is softmax(logits / temperature) along the last axis"
        return failed(f"wrong probabilities at temperature {temperature}; {hint}")
    return passed("softmax(logits / temperature): sharper below 1, flatter above")


def check_bigram_counts(bigram_counts) -> Result:
    """Grade `bigram_counts(sequences, vocab_size) -> (V, V) counts`."""
    sequences = [[1, 4, 5, 4, 2], [1, 5, 5, 2], [1, 4, 2]]
    vocab_size = 6
    value, problem = call_answer(bigram_counts, [list(s) for s in sequences], 6)
    if problem is not None:
        return problem
    problem = check_tensor(value, "the counts", (vocab_size, vocab_size))
    if problem is not None:
        return problem
    want = torch.zeros(vocab_size, vocab_size, dtype=torch.long)
    for sequence in sequences:
        for previous, following in itertools.pairwise(sequence):
            want[previous, following] += 1
    got = value.long()
    if torch.equal(got, want):
        return passed("counts[a, b] is how often b followed a")
    if torch.equal(got, want.T):
        return failed(
            "your table is transposed: counts[a, b] should count b *following* a, "
            "so the row is the previous token"
        )
    if got.sum() != want.sum():
        return failed(
            f"the sequences hold {int(want.sum())} adjacent pairs, your table "
            f"counts {int(got.sum())}: count each (previous, next) pair inside "
            "a sequence once, and no pair that spans two sequences"
        )
    return failed(
        "the total is right but some pairs are counted in the wrong cell: for "
        f"example counts[4, 5] should be {int(want[4, 5])}, yours is "
        f"{int(got[4, 5])}"
    )
