"""Tokenizers: text to integer ids and back, by words, characters or subwords.

Every vocabulary starts with the same four special tokens, so that their ids
are the same in every model of the course:

    0 <pad>  fills short sequences up to the length of the longest in a batch
    1 <s>    starts a sequence the decoder generates
    2 </s>   ends it
    3 <unk>  stands for a token the vocabulary does not have

The other tokens follow in sorted order, so the same texts always give the
same ids.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self

PAD, START, END, UNK = "<pad>", "<s>", "</s>", "<unk>"
SPECIALS = (PAD, START, END, UNK)


class _Tokenizer:
    """What word and character tokenizers share; they differ in how they split."""

    def __init__(self, tokens: Sequence[str]):
        if tuple(tokens[: len(SPECIALS)]) != SPECIALS:
            raise ValueError(f"a vocabulary should start with {SPECIALS}")
        self.tokens = list(tokens)
        self.token_to_id = {token: i for i, token in enumerate(self.tokens)}
        self.pad_id, self.start_id, self.end_id, self.unk_id = range(len(SPECIALS))

    @staticmethod
    def split(text: str) -> list[str]:
        raise NotImplementedError

    @staticmethod
    def join(tokens: list[str]) -> str:
        raise NotImplementedError

    @classmethod
    def fit(cls, texts: Iterable[str]) -> Self:
        """Build the vocabulary of `texts`: the specials, then every token sorted."""
        if isinstance(texts, str):
            raise TypeError(
                "fit expects a collection of texts, got a single str; "
                "wrap it in a list: fit([text])"
            )
        seen: set[str] = set()
        n_texts = 0
        for text in texts:
            seen.update(cls.split(text))
            n_texts += 1
        if n_texts == 0:
            raise ValueError("fit needs at least one text, got none")
        return cls([*SPECIALS, *sorted(seen - set(SPECIALS))])

    def encode(
        self, text: str, add_start: bool = False, add_end: bool = False
    ) -> list[int]:
        """Ids of the tokens of `text`; a token outside the vocabulary becomes <unk>."""
        ids = [self.token_to_id.get(token, self.unk_id) for token in self.split(text)]
        return [self.start_id] * add_start + ids + [self.end_id] * add_end

    def decode(self, ids: Iterable[int], skip_special: bool = True) -> str:
        """Text of `ids` (a list or a 1-D tensor).

        With `skip_special`, <pad>, <s> and </s> are left out; <unk> is always
        kept, so that an unknown token stays visible.
        """
        if hasattr(ids, "dim") and ids.dim() != 1:
            raise ValueError(
                f"decode expects one sequence of ids (1-D), got shape "
                f"{tuple(ids.shape)}; decode the rows one at a time"
            )
        skipped = {self.pad_id, self.start_id, self.end_id} if skip_special else set()
        tokens = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self.tokens):
                raise ValueError(
                    f"id {i} is outside the vocabulary of {len(self.tokens)} tokens "
                    f"(ids 0 to {len(self.tokens) - 1})"
                )
            if i not in skipped:
                tokens.append(self.tokens[i])
        return self.join(tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        shown = ", ".join(self.tokens[len(SPECIALS) : len(SPECIALS) + 8])
        return f"{type(self).__name__}({len(self)} tokens: specials, {shown}, ...)"


class WordTokenizer(_Tokenizer):
    """One token per word; words are separated by spaces."""

    @staticmethod
    def split(text: str) -> list[str]:
        return text.split()

    @staticmethod
    def join(tokens: list[str]) -> str:
        return " ".join(tokens)


class CharTokenizer(_Tokenizer):
    """One token per character, the space included."""

    @staticmethod
    def split(text: str) -> list[str]:
        return list(text)

    @staticmethod
    def join(tokens: list[str]) -> str:
        return "".join(tokens)


# ---------------------------------------------------------------------------
# Byte-pair encoding, written for reading rather than speed. A word starts as
# its characters plus the end-of-word marker "_" (so "low" is l o w _, and a
# subword that ends a word, like "er_", differs from one inside a word). Each
# step merges the most frequent pair of neighbouring symbols into one symbol.

END_OF_WORD = "_"


@dataclass(frozen=True)
class BpeStep:
    """One merge: the pair merged, the new symbol, how often the pair occurred,
    and every distinct word of the corpus cut into symbols after the merge."""

    pair: tuple[str, str]
    symbol: str
    count: int
    segmentation: dict[str, tuple[str, ...]]


def _merge(symbols: Sequence[str], pair: tuple[str, str]) -> tuple[str, ...]:
    """Replace each occurrence of `pair`, left to right, by the merged symbol."""
    merged: list[str] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            merged.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            merged.append(symbols[i])
            i += 1
    return tuple(merged)


def _check_word(word: str) -> None:
    if not isinstance(word, str) or not word or " " in word or END_OF_WORD in word:
        raise ValueError(
            f"a word for byte-pair encoding should be a non-empty str without "
            f"spaces or the end-of-word marker {END_OF_WORD!r}, got {word!r}"
        )


def learn_bpe(words: list[str], n_merges: int) -> list[BpeStep]:
    """Learn up to `n_merges` merges from a corpus given as a list of words.

    Repeated words count as often as they appear. Ties between equally frequent
    pairs go to the pair that sorts first, so the result is deterministic.
    Learning stops early if every word has become a single symbol.
    """
    if isinstance(words, str):
        raise TypeError(
            "learn_bpe expects a list of words, got a single str; "
            "split it first: text.split()"
        )
    if not isinstance(n_merges, int) or n_merges < 0:
        raise ValueError(f"n_merges should be a whole number >= 0, got {n_merges!r}")
    counts = Counter(words)
    if not counts:
        raise ValueError("learn_bpe needs at least one word, got none")
    for word in counts:
        _check_word(word)
    pieces = {word: (*word, END_OF_WORD) for word in counts}
    steps = []
    for _ in range(n_merges):
        pairs: Counter[tuple[str, str]] = Counter()
        for word, symbols in pieces.items():
            for pair in itertools.pairwise(symbols):
                pairs[pair] += counts[word]
        if not pairs:
            break
        pair = min(pairs, key=lambda p: (-pairs[p], p))  # most frequent, then sorted
        pieces = {word: _merge(symbols, pair) for word, symbols in pieces.items()}
        steps.append(BpeStep(pair, "".join(pair), pairs[pair], dict(pieces)))
    return steps


def bpe_segment(
    word: str, merges: Sequence[BpeStep] | Sequence[tuple[str, str]]
) -> list[str]:
    """Cut `word` into subwords by applying the learned merges in order.

    `merges` is what `learn_bpe` returned, or its pairs. The last symbol ends
    with the end-of-word marker "_": bpe_segment("lowest", ...) might give
    ["low", "est_"].
    """
    _check_word(word)
    symbols: tuple[str, ...] = (*word, END_OF_WORD)
    for merge in merges:
        symbols = _merge(symbols, merge.pair if isinstance(merge, BpeStep) else merge)
    return list(symbols)
