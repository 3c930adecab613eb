"""Clear messages for bad input.

A learner who passes a tensor of the wrong shape should read what was expected
and what came, not a traceback from deep inside torch. Every public module
checks its inputs with these helpers.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

Dim = int | str | None
"""One expected dimension: an exact size, a letter naming a size, or any size."""


def check_shape(
    x: torch.Tensor, expected: Sequence[Dim], name: str, **sizes: int
) -> dict[str, int]:
    """Check that `x` has the shape `expected` and return the sizes it binds.

    `expected` lists one entry per dimension: an int must match exactly, a
    letter such as "B" must match `sizes["B"]` when given and is otherwise
    bound to what it finds (the same letter twice must agree), and None
    accepts any size.

    >>> check_shape(torch.zeros(2, 5, 8), ("B", "T", "D"), "x", D=8)
    {'D': 8, 'B': 2, 'T': 5}
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} should be a torch.Tensor, got {type(x).__name__}")
    shown = "(" + ", ".join(_show(d, sizes) for d in expected) + ")"
    if x.dim() != len(expected):
        raise ValueError(
            f"{name} should have {len(expected)} dimensions {shown}, "
            f"got {x.dim()} with shape {tuple(x.shape)}"
        )
    bound = dict(sizes)
    for axis, (want, got) in enumerate(zip(expected, x.shape, strict=True)):
        if want is None:
            continue
        if isinstance(want, str):
            if want not in bound:
                bound[want] = got
                continue
            want_size = bound[want]
        else:
            want_size = want
        if got != want_size:
            raise ValueError(
                f"{name} should have shape {shown}, got {tuple(x.shape)} "
                f"(dimension {axis} is {got}, expected {want_size})"
            )
    return bound


def _show(dim: Dim, sizes: dict[str, int]) -> str:
    if dim is None:
        return "*"
    if isinstance(dim, str) and dim in sizes:
        return f"{dim}={sizes[dim]}"
    return str(dim)


def check_token_ids(ids: torch.Tensor, vocab_size: int, name: str = "tokens") -> None:
    """Check that `ids` holds integer token ids in [0, vocab_size)."""
    if not isinstance(ids, torch.Tensor):
        raise TypeError(
            f"{name} should be a torch.Tensor of token ids, got {type(ids).__name__}"
        )
    if ids.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
        raise TypeError(f"{name} should hold integer token ids, got dtype {ids.dtype}")
    if ids.numel() and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(
            f"{name} should hold ids in [0, {vocab_size}) for a vocabulary of "
            f"{vocab_size}, got values from {int(ids.min())} to {int(ids.max())}"
        )


def check_divisible(d_model: int, n_heads: int) -> int:
    """Return the width of one head, d_model // n_heads, or explain why not."""
    if n_heads < 1:
        raise ValueError(f"n_heads should be at least 1, got {n_heads}")
    if d_model % n_heads:
        raise ValueError(
            f"d_model={d_model} cannot be split into {n_heads} heads of equal "
            f"width: d_model should be a multiple of n_heads "
            f"(for example {n_heads * max(1, d_model // n_heads)})"
        )
    return d_model // n_heads
