"""Positional encodings: the closed form, relative offsets, clear errors.

Tolerance: atol=1e-5 in float32 unless noted.
"""

import math

import pytest
import torch

from transformer_course.models.positional import (
    LearnedPositionalEncoding,
    SinusoidalPositionalEncoding,
    TokenEmbedding,
    sinusoidal_encoding,
)

ATOL = 1e-5


def test_worked_example_d4():
    # d_model = 4: frequencies 1 and 1/100; sin and cos interleaved.
    pe = sinusoidal_encoding(3, 4)
    assert pe.shape == (3, 4)
    assert torch.allclose(pe[0], torch.tensor([0.0, 1.0, 0.0, 1.0]), atol=ATOL)
    expected_1 = [math.sin(1), math.cos(1), math.sin(0.01), math.cos(0.01)]
    assert torch.allclose(pe[1], torch.tensor(expected_1), atol=ATOL)
    expected_2 = [math.sin(2), math.cos(2), math.sin(0.02), math.cos(0.02)]
    assert torch.allclose(pe[2], torch.tensor(expected_2), atol=ATOL)


def test_closed_form_at_a_few_points():
    pe = sinusoidal_encoding(50, 16)
    for pos, i in [(7, 0), (13, 3), (49, 7)]:
        angle = pos / 10000 ** (2 * i / 16)
        assert abs(pe[pos, 2 * i] - math.sin(angle)) < ATOL
        assert abs(pe[pos, 2 * i + 1] - math.cos(angle)) < ATOL


def test_offset_is_a_rotation_of_each_pair():
    d_model, k = 8, 5
    pe = sinusoidal_encoding(40, d_model).double()
    for i in range(d_model // 2):
        w = 1 / 10000 ** (2 * i / d_model)
        c, s = math.cos(k * w), math.sin(k * w)
        M = torch.tensor([[c, -s], [s, c]], dtype=torch.float64)
        # the same M for every pos: (sin, cos)(pos + k) = (sin, cos)(pos) @ M
        pairs = pe[:, 2 * i : 2 * i + 2]  # (n, 2)
        assert torch.allclose(pairs[:-k] @ M, pairs[k:], atol=1e-6)


def test_odd_width_is_an_error():
    with pytest.raises(ValueError, match="d_model should be even"):
        sinusoidal_encoding(10, 5)


def test_sinusoidal_module_adds_and_extends():
    enc = SinusoidalPositionalEncoding(8, max_len=4)
    x = torch.zeros(2, 6, 8)  # longer than max_len: the formula extends
    assert torch.allclose(enc(x)[1], sinusoidal_encoding(6, 8), atol=ATOL)


def test_learned_module_refuses_longer_sequences():
    enc = LearnedPositionalEncoding(8, max_len=64)
    assert enc(torch.zeros(1, 64, 8)).shape == (1, 64, 8)
    with pytest.raises(
        ValueError, match="learned positions cover 64 positions, got a sequence of 80"
    ):
        enc(torch.zeros(1, 80, 8))


def test_token_embedding_scales_and_checks_ids():
    emb = TokenEmbedding(10, 16)
    ids = torch.tensor([[1, 2, 3]])
    assert torch.allclose(emb(ids), emb.weight[ids] * 4.0, atol=ATOL)
    plain = TokenEmbedding(10, 16, scale=False)
    assert torch.equal(plain(ids), plain.weight[ids])
    with pytest.raises(ValueError, match=r"ids in \[0, 10\).*from 1 to 12"):
        emb(torch.tensor([[1, 12]]))
    with pytest.raises(TypeError, match="integer token ids"):
        emb(torch.tensor([[1.0, 2.0]]))
