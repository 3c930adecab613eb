"""Synthetic probes: tiny tasks that each test one ability of a model.

Every probe uses the same token ids: the symbols are 0, 1, ..., n_symbols - 1,
with no special tokens, so the vocabulary size of a probe is `n_symbols`. All
sequences in a probe have the same length, so no padding is needed. Each probe
returns (inputs, targets) as int64 tensors, the same for the same seed.
"""

from __future__ import annotations

import torch


def _check(n: int, length: int, n_symbols: int, length_name: str, least: int) -> None:
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n (the number of examples) should be >= 1, got {n!r}")
    if not isinstance(length, int) or length < least:
        raise ValueError(
            f"{length_name} should be a whole number >= {least}, got {length!r}"
        )
    if not isinstance(n_symbols, int) or n_symbols < 2:
        raise ValueError(f"n_symbols should be at least 2, got {n_symbols!r}")


def _random_symbols(n: int, length: int, n_symbols: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(n_symbols, (n, length), generator=generator)


def delayed_copy(
    n: int, delay: int, n_symbols: int = 8, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Remember the first token for `delay` steps, then say it.

    inputs (n, delay + 1): the clue, then `delay` filler tokens. The fillers are
    random symbols drawn from the same ids as the clue, not a special filler id,
    so nothing but its position marks the clue: a model whose window misses
    position 0 can only guess (accuracy 1 / n_symbols).
    targets (n,): the clue, to be predicted at the last position.
    """
    _check(n, delay, n_symbols, "delay", least=0)
    inputs = _random_symbols(n, delay + 1, n_symbols, seed)
    return inputs, inputs[:, 0].clone()


def reverse(
    n: int, length: int, n_symbols: int = 8, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Read a sequence, write it backwards: inputs and targets (n, length)."""
    _check(n, length, n_symbols, "length", least=1)
    inputs = _random_symbols(n, length, n_symbols, seed)
    return inputs, inputs.flip(1)


def sort(
    n: int, length: int, n_symbols: int = 8, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Read a sequence, write it in increasing order: inputs and targets (n, length)."""
    _check(n, length, n_symbols, "length", least=1)
    inputs = _random_symbols(n, length, n_symbols, seed)
    return inputs, inputs.sort(dim=1).values
