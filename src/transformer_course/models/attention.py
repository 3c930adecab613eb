"""Attention, written out: scores, softmax, weighted sum, and several heads.

Shape letters: B batch, T query positions, S key positions, D model width
(d_model), H heads, d_k the width of one head. A boolean mask is True where
attention is *allowed*; a padding mask is True at real tokens.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from transformer_course.validation import check_divisible, check_shape

__all__ = [
    "MultiHeadAttention",
    "causal_mask",
    "padding_mask",
    "scaled_dot_product_attention",
]


def causal_mask(T: int, device: torch.device | str | None = None) -> Tensor:
    """Return the (T, T) bool mask that lets position t see positions 0..t.

    >>> causal_mask(3).int()
    tensor([[1, 0, 0],
            [1, 1, 0],
            [1, 1, 1]], dtype=torch.int32)
    """
    return torch.ones(T, T, dtype=torch.bool, device=device).tril()


def padding_mask(key_is_real: Tensor) -> Tensor:
    """Turn a (B, S) "is a real token" mask into a (B, 1, 1, S) attention mask.

    The two added axes broadcast over heads and query positions, so every
    query of every head ignores the padded keys.
    """
    check_shape(key_is_real, ("B", "S"), "key_is_real")
    if key_is_real.dtype != torch.bool:
        raise TypeError(
            f"key_is_real should be a bool tensor (True at real tokens), "
            f"got dtype {key_is_real.dtype}"
        )
    return key_is_real[:, None, None, :]  # (B, S) -> (B, 1, 1, S)


def scaled_dot_product_attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask: Tensor | None = None,
    *,
    causal: bool = False,
    dropout_p: float = 0.0,
) -> tuple[Tensor, Tensor]:
    """Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V; return (output, weights).

    q is (..., T, d_k), k is (..., S, d_k), v is (..., S, d_v). `mask`
    broadcasts to (..., T, S): a bool mask is True where a query may attend,
    a float mask is added to the scores (0 to allow, -inf to forbid).
    `causal=True` also forbids query t to see keys after t (top-left aligned
    when T != S, as in torch); it can be combined with `mask`.

    A query that may attend to no key at all gets all-zero weights and a
    zero output (not NaN), as torch's own function does. The returned
    weights are those before dropout.
    """
    T, S = q.size(-2), k.size(-2)
    scale = 1.0 / math.sqrt(q.size(-1))
    scores = (q * scale) @ k.transpose(-2, -1)  # (..., T, d_k) @ (..., d_k, S)
    no_key = None  # queries that may attend to no key, if any
    if mask is not None:
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))
            no_key = ~mask.any(dim=-1, keepdim=True)
        else:
            scores = scores + mask
            no_key = torch.isneginf(mask).all(dim=-1, keepdim=True)
    if causal:
        future = torch.ones(T, S, dtype=torch.bool, device=q.device).triu(1)
        scores = scores.masked_fill(future, float("-inf"))
    weights = scores.softmax(dim=-1)  # (..., T, S)
    if no_key is not None and no_key.any():
        weights = weights.masked_fill(no_key, 0.0)
    attended = weights
    if dropout_p > 0.0:
        attended = F.dropout(weights, p=dropout_p)
    return attended @ v, weights  # (..., T, S) @ (..., S, d_v) -> (..., T, d_v)


class MultiHeadAttention(nn.Module):
    """Several attention heads side by side: split, attend, concatenate, project.

    Batch-first: query is (B, T, D), key and value are (B, S, kdim) and
    (B, S, vdim). Self-attention when key and value are None.

    Masks follow the course's convention, which is NOT the one of
    nn.MultiheadAttention:

    - `mask` (bool): True where a query may attend (torch's bool attn_mask is
      True where it may NOT, so ours is `~attn_mask`). A float mask is added
      to the scores, as in torch. Shape (T, S), (B, T, S) or (B, H, T, S).
    - `key_padding_mask` (B, S) bool: True at real tokens (torch's is True
      at padding, so ours is `~key_padding_mask`).
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        kdim: int | None = None,
        vdim: int | None = None,
    ) -> None:
        super().__init__()
        self.d_k = check_divisible(d_model, n_heads)
        self.d_model, self.n_heads, self.dropout = d_model, n_heads, dropout
        self.kdim = kdim if kdim is not None else d_model
        self.vdim = vdim if vdim is not None else d_model
        self.W_q = nn.Linear(d_model, d_model, bias=bias)
        self.W_k = nn.Linear(self.kdim, d_model, bias=bias)
        self.W_v = nn.Linear(self.vdim, d_model, bias=bias)
        self.W_o = nn.Linear(d_model, d_model, bias=bias)
        self.last_weights: Tensor | None = None
        self.record_weights = False  # keep last_weights on every call
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        for linear in (self.W_q, self.W_k, self.W_v, self.W_o):
            nn.init.xavier_uniform_(linear.weight)
            if linear.bias is not None:
                nn.init.zeros_(linear.bias)

    def forward(
        self,
        query: Tensor,
        key: Tensor | None = None,
        value: Tensor | None = None,
        *,
        mask: Tensor | None = None,
        key_padding_mask: Tensor | None = None,
        causal: bool = False,
        need_weights: bool = False,
    ) -> Tensor | tuple[Tensor, Tensor]:
        """Return the output (B, T, D), and the weights (B, H, T, S) if asked."""
        self_attention = key is None and value is None
        if self_attention:
            key = value = query
        elif key is None or value is None:
            raise ValueError("give both key and value (cross-attention) or neither")
        sizes = check_shape(query, ("B", "T", "D"), "query", D=self.d_model)
        sizes = check_shape(key, ("B", "S", "kdim"), "key", kdim=self.kdim, **sizes)
        check_shape(value, ("B", "S", "vdim"), "value", vdim=self.vdim, **sizes)
        B, T, S, H, d_k = sizes["B"], sizes["T"], sizes["S"], self.n_heads, self.d_k
        attn_mask = self._combine_masks(mask, key_padding_mask, B, T, S)

        if self_attention and self.kdim == self.vdim == self.d_model:
            # One matrix product for q, k and v together: same maths, faster.
            W = torch.cat([self.W_q.weight, self.W_k.weight, self.W_v.weight])
            b = None
            if self.W_q.bias is not None:
                b = torch.cat([self.W_q.bias, self.W_k.bias, self.W_v.bias])
            qkv = F.linear(query, W, b)  # (B, T, D) -> (B, T, 3D)
            qkv = qkv.view(B, T, 3, H, d_k).permute(2, 0, 3, 1, 4)
            q, k, v = qkv.unbind(0)  # (B, T, 3D) -> 3 × (B, H, T, d_k)
        else:
            q = self.W_q(query).view(B, T, H, d_k).transpose(1, 2)
            k = self.W_k(key).view(B, S, H, d_k).transpose(1, 2)
            v = self.W_v(value).view(B, S, H, d_k).transpose(1, 2)
            # (B, T, D) -> (B, T, H, d_k) -> (B, H, T, d_k); same for k, v with S

        out, weights = scaled_dot_product_attention(
            q,
            k,
            v,
            attn_mask,
            causal=causal,
            dropout_p=self.dropout if self.training else 0.0,
        )  # (B, H, T, d_k), weights (B, H, T, S)
        out = out.transpose(1, 2).reshape(B, T, self.d_model)
        # (B, H, T, d_k) -> (B, T, H, d_k) -> (B, T, D)
        out = self.W_o(out)
        if need_weights or self.record_weights:
            self.last_weights = weights.detach()
        return (out, weights) if need_weights else out

    def _combine_masks(
        self,
        mask: Tensor | None,
        key_padding_mask: Tensor | None,
        B: int,
        T: int,
        S: int,
    ) -> Tensor | None:
        """Bring both masks to one that broadcasts to (B, H, T, S)."""
        H = self.n_heads
        if mask is not None:
            if not isinstance(mask, Tensor):
                raise TypeError(f"mask should be a tensor, got {type(mask).__name__}")
            if mask.dim() == 2:
                check_shape(mask, (T, S), "mask")
            elif mask.dim() == 3:
                check_shape(mask, (B, T, S), "mask")
                mask = mask[:, None]  # (B, T, S) -> (B, 1, T, S)
            elif mask.dim() == 4:
                check_shape(mask, (B, H, T, S), "mask")
            else:
                raise ValueError(
                    f"mask should have shape (T, S)=({T}, {S}), (B, T, S) or "
                    f"(B, H, T, S), got {tuple(mask.shape)}"
                )
        if key_padding_mask is None:
            return mask
        check_shape(key_padding_mask, (B, S), "key_padding_mask")
        if key_padding_mask.dtype != torch.bool:
            raise TypeError(
                "key_padding_mask should be bool, True at real tokens, got dtype "
                f"{key_padding_mask.dtype}"
            )
        keys = padding_mask(key_padding_mask)  # (B, S) -> (B, 1, 1, S)
        if mask is None:
            return keys
        if mask.dtype == torch.bool:
            return mask & keys
        return mask.masked_fill(~keys, float("-inf"))

    @torch.no_grad()
    def load_from_torch(self, mha: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy the weights of a torch nn.MultiheadAttention into this module.

        torch keeps q, k and v stacked in `in_proj_weight` (3D, D) when they
        share a width, and in q/k/v_proj_weight otherwise.
        """
        if (mha.embed_dim, mha.num_heads) != (self.d_model, self.n_heads):
            raise ValueError(
                f"expected a torch module with embed_dim={self.d_model} and "
                f"num_heads={self.n_heads}, got {mha.embed_dim} and {mha.num_heads}"
            )
        if (mha.kdim, mha.vdim) != (self.kdim, self.vdim):
            raise ValueError(
                f"expected kdim={self.kdim}, vdim={self.vdim}, got "
                f"{mha.kdim}, {mha.vdim}"
            )
        if mha.bias_k is not None:
            raise ValueError("add_bias_kv=True has no counterpart here")
        if mha.in_proj_weight is not None:
            weights = mha.in_proj_weight.chunk(3)  # (3D, D) -> 3 × (D, D)
        else:
            weights = (mha.q_proj_weight, mha.k_proj_weight, mha.v_proj_weight)
        mine = (self.W_q, self.W_k, self.W_v)
        for linear, weight in zip(mine, weights, strict=True):
            linear.weight.copy_(weight)
        has_bias = mha.in_proj_bias is not None
        if has_bias != (self.W_q.bias is not None):
            raise ValueError(f"expected bias={self.W_q.bias is not None}")
        if has_bias:
            for linear, bias in zip(mine, mha.in_proj_bias.chunk(3), strict=True):
                linear.bias.copy_(bias)
            self.W_o.bias.copy_(mha.out_proj.bias)
        self.W_o.weight.copy_(mha.out_proj.weight)
        return self

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, n_heads={self.n_heads}, d_k={self.d_k}"
