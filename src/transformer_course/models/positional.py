"""Token embeddings and the two ways of telling attention where a token is.

Shape letters: B batch, T positions, D model width (d_model), V vocabulary.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from transformer_course.validation import check_shape, check_token_ids

__all__ = [
    "LearnedPositionalEncoding",
    "SinusoidalPositionalEncoding",
    "TokenEmbedding",
    "sinusoidal_encoding",
]


def sinusoidal_encoding(n_positions: int, d_model: int) -> Tensor:
    """Return the paper's (n_positions, d_model) table, sin and cos interleaved.

    PE[pos, 2i] = sin(pos / 10000^(2i/d_model)),
    PE[pos, 2i+1] = cos(pos / 10000^(2i/d_model)).

    >>> sinusoidal_encoding(2, 4)[1]  # pos 1: sin(1), cos(1), sin(0.01), cos(0.01)
    tensor([0.8415, 0.5403, 0.0100, 0.9999])
    """
    if d_model % 2:
        raise ValueError(
            f"d_model should be even (sin and cos come in pairs), got {d_model}"
        )
    pos = torch.arange(n_positions, dtype=torch.float64)[:, None]  # (n, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (D/2,)
    angle = pos / 10000 ** (two_i / d_model)  # (n, 1) / (D/2,) -> (n, D/2)
    pe = torch.stack([angle.sin(), angle.cos()], dim=-1)  # (n, D/2, 2)
    return pe.reshape(n_positions, d_model).float()  # (n, D/2, 2) -> (n, D)


class SinusoidalPositionalEncoding(nn.Module):
    """Add the sinusoidal table to (B, T, D) input, then dropout.

    The table is a formula, not learned, so a sequence longer than max_len
    is not an error: the table is recomputed to the new length (max_len only
    sets how much is computed up front).
    """

    def __init__(self, d_model: int, max_len: int = 512, dropout: float = 0.0):
        super().__init__()
        self.d_model = d_model
        self.register_buffer("pe", sinusoidal_encoding(max_len, d_model), False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        T = check_shape(x, ("B", "T", "D"), "x", D=self.d_model)["T"]
        if self.pe.size(0) < T:
            self.pe = sinusoidal_encoding(T, self.d_model).to(self.pe.device)
        return self.dropout(x + self.pe[:T])  # (B, T, D) + (T, D)


class LearnedPositionalEncoding(nn.Module):
    """Add one learned vector per position to (B, T, D) input, then dropout.

    Unlike the sinusoidal table it knows nothing beyond max_len positions, so
    a longer sequence is an error.
    """

    def __init__(self, d_model: int, max_len: int = 512, dropout: float = 0.0):
        super().__init__()
        self.d_model, self.max_len = d_model, max_len
        self.pe = nn.Parameter(torch.randn(max_len, d_model) * 0.02)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        T = check_shape(x, ("B", "T", "D"), "x", D=self.d_model)["T"]
        if self.max_len < T:
            raise ValueError(
                f"learned positions cover {self.max_len} positions, got a sequence "
                f"of {T}"
            )
        return self.dropout(x + self.pe[:T])  # (B, T, D) + (T, D)


class TokenEmbedding(nn.Module):
    """Look up one d_model vector per token id, times √d_model as in the paper.

    With scale=True the table starts with standard deviation 1/√d_model, so
    that the scaled vectors have unit size, comparable to the positions.
    """

    def __init__(self, vocab_size: int, d_model: int, scale: bool = True):
        super().__init__()
        self.vocab_size, self.d_model = vocab_size, d_model
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.scale = math.sqrt(d_model) if scale else 1.0
        if scale:
            nn.init.normal_(self.embedding.weight, std=d_model**-0.5)

    @property
    def weight(self) -> Tensor:
        return self.embedding.weight

    def forward(self, ids: Tensor) -> Tensor:
        """(B, T) long -> (B, T, D)."""
        check_token_ids(ids, self.vocab_size, "ids")
        return self.embedding(ids) * self.scale
