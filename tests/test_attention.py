"""Attention equals torch's own, masks included; bad input gets clear messages.

Tolerance: atol=1e-5 in float32 (the CONTRIBUTING default) unless noted.
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from transformer_course.models.attention import (
    MultiHeadAttention,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)

ATOL = 1e-5


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _qkv(B=2, H=3, T=5, S=7, d_k=8, d_v=6):
    return (
        torch.randn(B, H, T, d_k),
        torch.randn(B, H, S, d_k),
        torch.randn(B, H, S, d_v),
    )


def test_causal_and_padding_masks():
    assert torch.equal(
        causal_mask(3),
        torch.tensor([[1, 0, 0], [1, 1, 0], [1, 1, 1]], dtype=torch.bool),
    )
    real = torch.tensor([[True, True, False], [True, False, False]])
    assert padding_mask(real).shape == (2, 1, 1, 3)
    assert torch.equal(padding_mask(real)[1, 0, 0], real[1])


def test_sdpa_matches_torch_without_mask():
    q, k, v = _qkv()
    out, weights = scaled_dot_product_attention(q, k, v)
    assert torch.allclose(out, F.scaled_dot_product_attention(q, k, v), atol=ATOL)
    assert weights.shape == (2, 3, 5, 7)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 3, 5), atol=ATOL)


def test_sdpa_matches_torch_with_bool_and_float_masks():
    q, k, v = _qkv()
    mask = torch.rand(2, 1, 5, 7) > 0.4
    mask[..., 0] = True  # every query keeps at least one key
    ours, _ = scaled_dot_product_attention(q, k, v, mask)
    assert torch.allclose(
        ours, F.scaled_dot_product_attention(q, k, v, attn_mask=mask), atol=ATOL
    )
    additive = torch.randn(5, 7)
    ours, _ = scaled_dot_product_attention(q, k, v, additive)
    assert torch.allclose(
        ours, F.scaled_dot_product_attention(q, k, v, attn_mask=additive), atol=ATOL
    )


@pytest.mark.parametrize("S", [5, 7])
def test_sdpa_causal_matches_torch(S):
    q, k, v = _qkv(S=S)
    ours, weights = scaled_dot_product_attention(q, k, v, causal=True)
    assert torch.allclose(
        ours, F.scaled_dot_product_attention(q, k, v, is_causal=True), atol=ATOL
    )
    assert torch.all(weights[..., 0, 1:] == 0)  # the first query sees key 0 only


def test_sdpa_fully_masked_row_is_zero_not_nan():
    q, k, v = _qkv()
    q.requires_grad_(True)
    mask = torch.ones(5, 7, dtype=torch.bool)
    mask[2] = False
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    assert torch.all(out[..., 2, :] == 0)
    assert torch.all(weights[..., 2, :] == 0)
    out.sum().backward()
    assert torch.isfinite(q.grad).all()
    ref = F.scaled_dot_product_attention(q.detach(), k, v, attn_mask=mask)
    assert torch.allclose(out, ref, atol=ATOL)


def _torch_pair(D=16, H=4, **kw):
    theirs = nn.MultiheadAttention(D, H, batch_first=True, **kw).eval()
    ours = MultiHeadAttention(D, H, **kw).eval()
    return ours.load_from_torch(theirs), theirs


def test_mha_self_attention_matches_torch_with_weights():
    ours, theirs = _torch_pair()
    x = torch.randn(3, 6, 16)
    out, weights = ours(x, need_weights=True)
    ref, ref_weights = theirs(x, x, x, average_attn_weights=False)
    assert torch.allclose(out, ref, atol=ATOL)
    assert torch.allclose(weights, ref_weights, atol=ATOL)
    assert ours.last_weights.shape == (3, 4, 6, 6)


def test_mha_masks_match_torch_conventions():
    ours, theirs = _torch_pair()
    x = torch.randn(3, 6, 16)
    real = torch.tensor([[1] * 6, [1] * 4 + [0] * 2, [1] * 2 + [0] * 4]).bool()
    allowed = causal_mask(6)
    out = ours(x, mask=allowed, key_padding_mask=real)
    # torch: attn_mask True = NOT allowed, key_padding_mask True = padding
    ref, _ = theirs(x, x, x, attn_mask=~allowed, key_padding_mask=~real)
    assert torch.allclose(out, ref, atol=ATOL)
    out = ours(x, causal=True)
    ref, _ = theirs(x, x, x, attn_mask=~causal_mask(6))
    assert torch.allclose(out, ref, atol=ATOL)


def test_mha_batched_and_float_masks_match_torch():
    ours, theirs = _torch_pair()
    x = torch.randn(2, 5, 16)
    allowed = torch.rand(2, 5, 5) > 0.5
    allowed[..., 0] = True
    out = ours(x, mask=allowed)
    # torch wants a (B·H, T, S) mask, batch-major
    ref, _ = theirs(x, x, x, attn_mask=~allowed.repeat_interleave(4, dim=0))
    assert torch.allclose(out, ref, atol=ATOL)
    additive = torch.randn(5, 5)
    real = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]).bool()
    out = ours(x, mask=additive, key_padding_mask=real)
    pad_add = torch.zeros(2, 5).masked_fill(~real, float("-inf"))  # same dtype
    ref, _ = theirs(x, x, x, attn_mask=additive, key_padding_mask=pad_add)
    assert torch.allclose(out, ref, atol=ATOL)


def test_mha_cross_attention_with_other_widths_matches_torch():
    ours, theirs = _torch_pair(kdim=10, vdim=12, bias=False)
    query, key, value = (
        torch.randn(2, 4, 16),
        torch.randn(2, 7, 10),
        torch.randn(2, 7, 12),
    )
    real = torch.tensor([[1] * 7, [1] * 3 + [0] * 4]).bool()
    out, weights = ours(query, key, value, key_padding_mask=real, need_weights=True)
    ref, ref_weights = theirs(query, key, value, key_padding_mask=~real)
    assert torch.allclose(out, ref, atol=ATOL)
    assert torch.allclose(weights.mean(1), ref_weights, atol=ATOL)
    assert torch.all(weights[1, :, :, 3:] == 0)


def test_mha_gradients_match_torch():
    ours, theirs = _torch_pair()
    ours.train(), theirs.train()
    x = torch.randn(2, 5, 16, requires_grad=True)
    x2 = x.detach().clone().requires_grad_(True)
    ours(x, causal=True).pow(2).sum().backward()
    theirs(x2, x2, x2, attn_mask=~causal_mask(5), need_weights=False)[0].pow(
        2
    ).sum().backward()
    assert torch.allclose(x.grad, x2.grad, atol=1e-4)  # sums over 80 outputs
    assert torch.allclose(
        ours.W_q.weight.grad, theirs.in_proj_weight.grad[:16], atol=1e-4
    )


def test_mha_causal_future_never_changes_past():
    mha = MultiHeadAttention(16, 4).eval()
    x = torch.randn(1, 8, 16)
    changed = x.clone()
    changed[:, 5:] = torch.randn(1, 3, 16)
    a, b = mha(x, causal=True), mha(changed, causal=True)
    assert torch.allclose(a[:, :5], b[:, :5], atol=1e-6)
    assert not torch.allclose(a[:, 5:], b[:, 5:], atol=1e-3)


def test_mha_errors_are_clear():
    with pytest.raises(ValueError, match="d_model=10 cannot be split into 4 heads"):
        MultiHeadAttention(10, 4)
    mha = MultiHeadAttention(16, 4)
    with pytest.raises(
        ValueError, match=r"query should have shape .*D=16.*got \(2, 5, 8\)"
    ):
        mha(torch.randn(2, 5, 8))
    x = torch.randn(2, 5, 16)
    with pytest.raises(
        ValueError, match=r"mask should have shape \(5, 5\), got \(5, 4\)"
    ):
        mha(x, mask=torch.ones(5, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"key_padding_mask should have shape"):
        mha(x, key_padding_mask=torch.ones(2, 6, dtype=torch.bool))
    with pytest.raises(TypeError, match="True at real tokens"):
        mha(x, key_padding_mask=torch.ones(2, 5))
    with pytest.raises(ValueError, match="key should have shape"):
        mha(x, torch.randn(3, 5, 16), torch.randn(3, 5, 16))
