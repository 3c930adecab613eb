"""The counting language models of chapter 1."""

import math

import pytest
import torch

from transformer_course.models.counting import (
    BigramModel,
    NGramModel,
    apply_temperature,
    perplexity_of,
)

SEQUENCES = [[1, 4, 5, 2], [1, 4, 4, 2], [1, 5, 2]]


def test_bigram_counts_adjacent_pairs():
    model = BigramModel.fit(SEQUENCES, vocab_size=6, smoothing=0.0)
    assert model.counts[1, 4] == 2 and model.counts[4, 4] == 1
    assert model.counts[5, 2] == 2 and model.counts.sum() == 8


def test_bigram_rows_are_distributions():
    model = BigramModel.fit(SEQUENCES, vocab_size=6, smoothing=0.5)
    assert torch.allclose(model.probs.sum(dim=1), torch.ones(6, dtype=torch.float64))
    assert model.next_token_probs(1)[4] > model.next_token_probs(1)[5]


def test_unseen_previous_token_predicts_uniformly_without_smoothing():
    model = BigramModel.fit(SEQUENCES, vocab_size=6, smoothing=0.0)
    assert torch.allclose(model.next_token_probs(3), torch.full((6,), 1 / 6))


def test_perplexity_of_uniform_model_is_vocabulary_size():
    uniform = BigramModel(torch.zeros(7, 7), smoothing=1.0)
    assert math.isclose(uniform.perplexity(SEQUENCES), 7.0, rel_tol=1e-9)


def test_perplexity_matches_its_definition():
    model = BigramModel.fit(SEQUENCES, vocab_size=6, smoothing=0.1)
    logs = [
        math.log(model.probs[a, b])
        for s in SEQUENCES
        for a, b in zip(s, s[1:], strict=False)
    ]
    assert math.isclose(model.perplexity(SEQUENCES), math.exp(-sum(logs) / len(logs)))


def test_bigram_and_order_two_ngram_agree():
    bigram = BigramModel.fit(SEQUENCES, vocab_size=6, smoothing=0.1)
    ngram = NGramModel.fit(SEQUENCES, order=2, vocab_size=6, smoothing=0.1)
    assert math.isclose(bigram.perplexity(SEQUENCES), ngram.perplexity(SEQUENCES))


def test_longer_contexts_fit_training_text_better():
    sequences = [[1, 3, 4, 5, 2], [1, 4, 3, 5, 2], [1, 3, 3, 4, 2]] * 3
    ppl = [
        NGramModel.fit(sequences, n, 6, 0.01).perplexity(sequences) for n in (1, 2, 3)
    ]
    assert ppl[0] > ppl[1] > ppl[2]


def test_unseen_context_rate():
    model = NGramModel.fit([[1, 3, 4, 2]], order=3, vocab_size=6)
    assert model.unseen_context_rate([[1, 3, 4, 2]]) == 0.0
    # Only the opening context (<s>, <s>) was seen; the other two were not.
    assert model.unseen_context_rate([[1, 4, 3, 2]]) == pytest.approx(2 / 3)


def test_sampling_is_reproducible_and_stops_at_end():
    model = BigramModel.fit(SEQUENCES, vocab_size=6)
    first = model.sample(1, 2, generator=torch.Generator().manual_seed(3))
    again = model.sample(1, 2, generator=torch.Generator().manual_seed(3))
    assert first == again
    assert first[0] == 1 and (first[-1] == 2 or len(first) == 31)


def test_temperature_sharpens_and_flattens():
    probs = torch.tensor([0.6, 0.3, 0.1])
    assert torch.allclose(apply_temperature(probs, 1.0), probs, atol=1e-6)
    assert apply_temperature(probs, 0.5)[0] > 0.6
    assert apply_temperature(probs, 100.0).max() < 0.34


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="ids in \\[0, 6\\)"):
        BigramModel.fit([[1, 9]], vocab_size=6)
    with pytest.raises(ValueError, match="at least one sequence"):
        BigramModel.fit([], vocab_size=6)
    with pytest.raises(ValueError, match="temperature should be > 0"):
        apply_temperature(torch.tensor([1.0]), 0.0)
    with pytest.raises(ValueError, match="square"):
        BigramModel(torch.zeros(3, 4))
    with pytest.raises(ValueError, match="at least one sequence"):
        perplexity_of(BigramModel(torch.zeros(3, 3), 1.0), [])
