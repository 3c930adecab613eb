"""The checks of chapter 1 pass correct answers and explain typical wrong ones."""

import math

import torch

from transformer_course.exercises import ch01


def test_perplexity_correct_answer_passes():
    def perplexity(probs):
        return math.exp(-probs.log().mean().item())

    assert ch01.check_perplexity(perplexity)


def test_perplexity_placeholder_is_named():
    def perplexity(probs): ...

    result = ch01.check_perplexity(perplexity)
    assert not result
    assert "placeholder" in result.message


def test_perplexity_not_implemented_is_a_placeholder():
    def perplexity(probs):
        raise NotImplementedError

    assert "placeholder" in ch01.check_perplexity(perplexity).message


def test_perplexity_missing_exp_gets_a_hint():
    result = ch01.check_perplexity(lambda probs: -probs.log().mean().item())
    assert not result
    assert "take exp" in result.message


def test_perplexity_wrong_sign_gets_a_hint():
    result = ch01.check_perplexity(lambda probs: math.exp(probs.log().mean().item()))
    assert not result
    assert "sign" in result.message


def test_perplexity_nan_and_wrong_type_are_explained():
    assert "finite" in ch01.check_perplexity(lambda probs: float("nan")).message
    assert "number" in ch01.check_perplexity(lambda probs: "3").message


def test_perplexity_crash_is_reported_not_raised():
    result = ch01.check_perplexity(lambda probs: 1 / 0)
    assert not result
    assert "ZeroDivisionError" in result.message


def test_not_a_function_is_explained():
    result = ch01.check_perplexity(3.0)
    assert not result
    assert "expected a function" in result.message


def test_temperature_correct_answer_passes():
    assert ch01.check_temperature(lambda z, t: torch.softmax(z / t, dim=-1))


def test_temperature_multiplied_gets_a_hint():
    result = ch01.check_temperature(lambda z, t: torch.softmax(z * t, dim=-1))
    assert not result
    assert "divide" in result.message


def test_temperature_unnormalized_gets_a_hint():
    result = ch01.check_temperature(lambda z, t: torch.exp(z / t))
    assert not result
    assert "sum to 1" in result.message


def test_temperature_wrong_shape_is_explained():
    result = ch01.check_temperature(lambda z, t: torch.softmax(z / t, -1)[0])
    assert not result
    assert "shape" in result.message


def _counts(sequences, vocab_size):
    counts = torch.zeros(vocab_size, vocab_size, dtype=torch.long)
    for sequence in sequences:
        for a, b in zip(sequence, sequence[1:], strict=False):
            counts[a, b] += 1
    return counts


def test_bigram_counts_correct_answer_passes():
    assert ch01.check_bigram_counts(_counts)


def test_bigram_counts_transposed_gets_a_hint():
    result = ch01.check_bigram_counts(lambda s, v: _counts(s, v).T)
    assert not result
    assert "transposed" in result.message


def test_bigram_counts_across_sequences_gets_a_hint():
    def joined(sequences, vocab_size):
        return _counts([[t for s in sequences for t in s]], vocab_size)

    result = ch01.check_bigram_counts(joined)
    assert not result
    assert "spans two sequences" in result.message


def test_result_shows_its_verdict():
    assert repr(ch01.check_bigram_counts(_counts)).startswith("✓")
    assert "✗" in ch01.check_bigram_counts(lambda s, v: None)._repr_html_()
