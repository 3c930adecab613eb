"""The pieces around attention: feed-forward network, layer norm, residuals.

Shape letters: B batch, T positions, D model width (d_model).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from transformer_course.validation import check_shape

__all__ = ["FeedForward", "LayerNorm", "ResidualSublayer"]

_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {"relu": F.relu, "gelu": F.gelu}


class FeedForward(nn.Module):
    """FFN(x) = W_2 · activation(W_1 · x + b_1) + b_2, the same at every position.

    Expands each position from d_model to d_ff, activates, contracts back.
    Dropout, if any, acts on the expanded activations (as in torch).
    """

    def __init__(
        self, d_model: int, d_ff: int, dropout: float = 0.0, activation: str = "relu"
    ) -> None:
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation should be one of {sorted(_ACTIVATIONS)}, "
                f"got {activation!r}"
            )
        self.d_model, self.d_ff, self.activation = d_model, d_ff, activation
        self.W_1 = nn.Linear(d_model, d_ff)  # expand
        self.W_2 = nn.Linear(d_ff, d_model)  # contract
        self.dropout = nn.Dropout(dropout)
        self._activate = _ACTIVATIONS[activation]

    def forward(self, x: Tensor) -> Tensor:
        """(B, T, D) -> (B, T, d_ff) -> (B, T, D)."""
        if x.size(-1) != self.d_model:
            check_shape(x, ("B", "T", "D"), "x", D=self.d_model)
        return self.W_2(self.dropout(self._activate(self.W_1(x))))

    @torch.no_grad()
    def load_from_torch(self, linear1: nn.Linear, linear2: nn.Linear) -> FeedForward:
        """Copy the two linear layers of a torch transformer layer."""
        self.W_1.load_state_dict(linear1.state_dict())
        self.W_2.load_state_dict(linear2.state_dict())
        return self


class LayerNorm(nn.Module):
    """Normalize each position over its d_model features, then scale and shift.

    y = (x - mean) / sqrt(var + eps) · weight + bias, with the mean and the
    (biased) variance taken over the last axis: one position at a time,
    never across the batch.
    """

    def __init__(self, d_model: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.d_model, self.eps = d_model, eps
        self.weight = nn.Parameter(torch.ones(d_model))  # γ
        self.bias = nn.Parameter(torch.zeros(d_model))  # β

    def forward(self, x: Tensor) -> Tensor:
        if x.size(-1) != self.d_model:
            raise ValueError(
                f"x should have d_model={self.d_model} features on its last axis, "
                f"got shape {tuple(x.shape)}"
            )
        var, mean = torch.var_mean(x, dim=-1, unbiased=False, keepdim=True)
        # (..., D) -> (..., 1) for mean and var
        return (x - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias

    @torch.no_grad()
    def load_from_torch(self, norm: nn.LayerNorm) -> LayerNorm:
        """Copy the weight and bias of a torch nn.LayerNorm (same eps needed)."""
        if tuple(norm.normalized_shape) != (self.d_model,) or norm.eps != self.eps:
            raise ValueError(
                f"expected nn.LayerNorm({self.d_model}, eps={self.eps}), got "
                f"nn.LayerNorm({tuple(norm.normalized_shape)}, eps={norm.eps})"
            )
        self.weight.copy_(norm.weight)
        self.bias.copy_(norm.bias)
        return self

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, eps={self.eps}"


class ResidualSublayer(nn.Module):
    """Wrap a sublayer with a residual connection and a layer norm.

    norm_first=False (post-norm, the paper): norm(x + dropout(sublayer(x))).
    norm_first=True (pre-norm, most code today): x + dropout(sublayer(norm(x))).
    """

    def __init__(self, d_model: int, dropout: float = 0.0, norm_first: bool = False):
        super().__init__()
        self.norm = LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)
        self.norm_first = norm_first

    def forward(self, x: Tensor, sublayer: Callable[[Tensor], Tensor]) -> Tensor:
        if self.norm_first:
            return x + self.dropout(sublayer(self.norm(x)))
        return self.norm(x + self.dropout(sublayer(x)))
