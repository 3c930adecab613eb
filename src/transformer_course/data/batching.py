"""From sentence pairs to padded tensors that a translation model reads.

Sentences have different lengths, so a batch is padded to its longest sentence
with <pad> (id 0), and a mask, True at real tokens, tells models which
positions to ignore.

For teacher forcing the decoder reads the French sentence shifted right by a
start token and learns to predict it followed by an end token:

    tgt_in   <s>  le   chat dort .
    tgt_out  le   chat dort .    </s>
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

from transformer_course.data.grammar import (
    Pair,
    Splits,
    english_vocabulary,
    french_vocabulary,
    make_splits,
)
from transformer_course.data.tokenizers import WordTokenizer


def pad_batch(
    seqs: Sequence[Sequence[int]], pad_id: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack sequences of ids into ids (B, T), padded at the end with `pad_id`,
    and a mask (B, T), True at real tokens; T is the longest length."""
    if len(seqs) == 0:
        raise ValueError("pad_batch needs at least one sequence, got none")
    T = max(len(seq) for seq in seqs)
    ids = torch.full((len(seqs), T), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), T), dtype=torch.bool)
    for b, seq in enumerate(seqs):
        ids[b, : len(seq)] = torch.as_tensor(list(seq), dtype=torch.long)
        mask[b, : len(seq)] = True
    return ids, mask


@dataclass
class TranslationBatch:
    """A batch of B pairs; S and T are the longest English and French lengths."""

    src: torch.Tensor  # (B, S) English ids, no special tokens
    src_mask: torch.Tensor  # (B, S) True at real tokens
    tgt_in: torch.Tensor  # (B, T) <s> + French ids: what the decoder reads
    tgt_out: torch.Tensor  # (B, T) French ids + </s>: what it should predict
    tgt_mask: torch.Tensor  # (B, T) True at real tokens of tgt_out (and tgt_in)

    def __len__(self) -> int:
        return self.src.shape[0]

    def to(self, device: torch.device | str) -> TranslationBatch:
        """The same batch with every tensor on `device`."""
        return TranslationBatch(**{k: v.to(device) for k, v in vars(self).items()})


class TranslationData:
    """The pairs of a `Splits` with their English and French word tokenizers.

    The tokenizers are fitted on every word the grammar can write, not on the
    training pairs alone: the grammar's vocabulary is closed, so no word is
    unknown at test time, and every chapter gets the same ids whatever splits
    it draws.
    """

    def __init__(self, splits: Splits):
        self.splits = splits
        self.src_tokenizer = WordTokenizer.fit(english_vocabulary())
        self.tgt_tokenizer = WordTokenizer.fit(french_vocabulary())
        self.pad_id = self.src_tokenizer.pad_id  # the same (0) on both sides

    @classmethod
    def from_grammar(
        cls,
        n_train: int,
        n_val: int,
        n_test: int,
        seed: int = 0,
        n_clauses: int | tuple[int, int] = (1, 2),
    ) -> TranslationData:
        """Draw the splits with `make_splits` and wrap them."""
        return cls(make_splits(n_train, n_val, n_test, seed, n_clauses))

    def encode_pairs(self, pairs: Sequence[Pair]) -> list[tuple[list[int], list[int]]]:
        """(English ids, French ids) of each pair, without special tokens."""
        return [
            (self.src_tokenizer.encode(p.english), self.tgt_tokenizer.encode(p.french))
            for p in pairs
        ]

    def make_batch(self, pairs: Sequence[Pair]) -> TranslationBatch:
        """Pad `pairs` into one batch, with the target shifted for teacher forcing."""
        encoded = self.encode_pairs(pairs)
        start, end = self.tgt_tokenizer.start_id, self.tgt_tokenizer.end_id
        src, src_mask = pad_batch([s for s, _ in encoded], self.pad_id)
        tgt_in, tgt_mask = pad_batch([[start, *t] for _, t in encoded], self.pad_id)
        tgt_out, _ = pad_batch([[*t, end] for _, t in encoded], self.pad_id)
        return TranslationBatch(src, src_mask, tgt_in, tgt_out, tgt_mask)

    def batches(
        self,
        pairs: Sequence[Pair],
        batch_size: int,
        seed: int = 0,
        shuffle: bool = True,
        drop_last: bool = False,
    ) -> Iterator[TranslationBatch]:
        """Yield batches of `batch_size` pairs; shuffled the same way for a seed.

        The last batch is smaller when the pairs do not divide evenly, unless
        `drop_last`. Pass a new seed each epoch for a new order.
        """
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size should be >= 1, got {batch_size!r}")
        if len(pairs) == 0:
            raise ValueError("batches needs at least one pair, got none")
        order = list(range(len(pairs)))
        if shuffle:
            generator = torch.Generator().manual_seed(seed)
            order = torch.randperm(len(pairs), generator=generator).tolist()
        stop = len(order) - len(order) % batch_size if drop_last else len(order)
        for first in range(0, stop, batch_size):
            yield self.make_batch([pairs[i] for i in order[first : first + batch_size]])

    def __repr__(self) -> str:
        s = self.splits
        return (
            f"TranslationData(train={len(s.train)}, val={len(s.val)}, "
            f"test={len(s.test)}, English vocabulary {len(self.src_tokenizer)}, "
            f"French vocabulary {len(self.tgt_tokenizer)})"
        )
