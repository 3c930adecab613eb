"""The checks of chapter 4 pass correct answers and explain typical wrong ones."""

import torch

from transformer_course.exercises import ch04


def _decoder_io(french, start_id, end_id):
    return [start_id, *french], [*french, end_id]


def test_decoder_io_correct_answer_passes():
    assert ch04.check_decoder_io(_decoder_io)


def test_decoder_io_accepts_tensors():
    def with_tensors(french, start_id, end_id):
        tgt_in, tgt_out = _decoder_io(french, start_id, end_id)
        return torch.tensor(tgt_in), torch.tensor(tgt_out)

    assert ch04.check_decoder_io(with_tensors)


def test_decoder_io_placeholder_is_named():
    def decoder_io(french, start_id, end_id): ...

    result = ch04.check_decoder_io(decoder_io)
    assert not result
    assert "placeholder" in result.message


def test_decoder_io_swapped_gets_a_hint():
    result = ch04.check_decoder_io(lambda f, s, e: _decoder_io(f, s, e)[::-1])
    assert not result
    assert "swapped" in result.message


def test_decoder_io_unshifted_gets_a_hint():
    result = ch04.check_decoder_io(lambda f, s, e: (list(f), list(f)))
    assert not result
    assert "shift" in result.message


def test_decoder_io_both_specials_on_input_gets_a_hint():
    result = ch04.check_decoder_io(lambda f, s, e: ([s, *f, e], [*f, e]))
    assert not result
    assert "one prediction per token" in result.message


def test_decoder_io_single_value_is_explained():
    result = ch04.check_decoder_io(lambda f, s, e: [s, *f])
    assert not result
    assert "two sequences" in result.message


def _weights(query, keys, W_q, W_k, v, mask):
    scores = torch.tanh(W_q @ query + keys @ W_k.T) @ v  # (S,)
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)


def test_additive_weights_correct_answer_passes():
    assert ch04.check_additive_weights(_weights)


def test_additive_weights_without_mask_gets_a_hint():
    def no_mask(query, keys, W_q, W_k, v, mask):
        return _weights(query, keys, W_q, W_k, v, torch.ones_like(mask))

    result = ch04.check_additive_weights(no_mask)
    assert not result
    assert "ignore the mask" in result.message


def test_additive_weights_zero_filled_mask_gets_a_hint():
    def zero_fill(query, keys, W_q, W_k, v, mask):
        scores = torch.tanh(W_q @ query + keys @ W_k.T) @ v
        return torch.softmax(scores.masked_fill(~mask, 0.0), dim=-1)

    result = ch04.check_additive_weights(zero_fill)
    assert not result
    assert "-inf, not 0" in result.message


def test_additive_weights_without_softmax_gets_a_hint():
    def raw(query, keys, W_q, W_k, v, mask):
        scores = torch.tanh(W_q @ query + keys @ W_k.T) @ v
        return scores.masked_fill(~mask, 0.0)

    result = ch04.check_additive_weights(raw)
    assert not result
    assert "softmax" in result.message


def test_additive_weights_without_tanh_gets_a_hint():
    def linear(query, keys, W_q, W_k, v, mask):
        scores = (W_q @ query + keys @ W_k.T) @ v
        return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)

    result = ch04.check_additive_weights(linear)
    assert not result
    assert "tanh" in result.message


def test_additive_weights_wrong_shape_is_explained():
    result = ch04.check_additive_weights(lambda *a: _weights(*a)[None])
    assert not result
    assert "shape" in result.message


def test_context_correct_answer_passes():
    assert ch04.check_context(lambda w, s: (w[:, :, None] * s).sum(dim=1))
    assert ch04.check_context(lambda w, s: torch.einsum("bs,bsh->bh", w, s))


def test_context_placeholder_is_named():
    assert "placeholder" in ch04.check_context(lambda w, s: ...).message


def test_context_unweighted_mean_gets_a_hint():
    result = ch04.check_context(lambda w, s: s.mean(dim=1))
    assert not result
    assert "averaged" in result.message


def test_context_not_summed_gets_a_hint():
    result = ch04.check_context(lambda w, s: w[:, :, None] * s)
    assert not result
    assert "dim=1" in result.message


def _exact(predicted, reference):
    pairs = zip(predicted, reference, strict=True)
    return sum(p.split() == r.split() for p, r in pairs) / len(reference)


def test_exact_match_correct_answer_passes():
    assert ch04.check_exact_match(_exact)


def test_exact_match_percentage_gets_a_hint():
    result = ch04.check_exact_match(lambda p, r: 100 * _exact(p, r))
    assert not result
    assert "percentage" in result.message


def test_exact_match_count_gets_a_hint():
    result = ch04.check_exact_match(lambda p, r: round(_exact(p, r) * len(r)))
    assert not result
    assert "divide" in result.message


def test_exact_match_prefix_gets_a_hint():
    def prefix(predicted, reference):
        hits = sum(r.startswith(p) for p, r in zip(predicted, reference, strict=True))
        return hits / len(reference)

    result = ch04.check_exact_match(prefix)
    assert not result
    assert "same length" in result.message


def test_exact_match_crash_is_reported_not_raised():
    result = ch04.check_exact_match(lambda p, r: 1 / 0)
    assert not result
    assert "ZeroDivisionError" in result.message
