"""Language models that count: the bigram model and its longer cousin, n-grams.

They are the baseline of the whole course. A count of which token follows
which is already a language model; what it cannot do (see chapter 1) is the
reason for every model after it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

import torch

from transformer_course.validation import check_token_ids


def _check_sequences(sequences: Sequence[Sequence[int]], vocab_size: int) -> None:
    if not sequences:
        raise ValueError("expected at least one sequence of token ids, got none")
    for sequence in sequences:
        check_token_ids(
            torch.as_tensor(sequence, dtype=torch.long), vocab_size, "a sequence"
        )


class BigramModel:
    """P(next | previous) from counts of adjacent pairs, with add-k smoothing.

    `counts[a, b]` is how often token b followed token a in the training
    sequences. Adding `smoothing` to every count gives unseen pairs a small
    probability, so that a new sentence never has probability zero.
    """

    def __init__(self, counts: torch.Tensor, smoothing: float = 0.1):
        if counts.dim() != 2 or counts.shape[0] != counts.shape[1]:
            raise ValueError(
                f"counts should be a square (V, V) table, got shape "
                f"{tuple(counts.shape)}"
            )
        if smoothing < 0:
            raise ValueError(f"smoothing should be >= 0, got {smoothing}")
        self.counts = counts
        self.smoothing = smoothing
        smoothed = counts.double() + smoothing
        totals = smoothed.sum(dim=1, keepdim=True)
        # A token never seen as a "previous" token (and no smoothing) predicts
        # uniformly rather than dividing by zero.
        self.probs = torch.where(
            totals > 0, smoothed / totals.clamp_min(1e-12), 1.0 / counts.shape[0]
        )

    @classmethod
    def fit(
        cls,
        sequences: Sequence[Sequence[int]],
        vocab_size: int,
        smoothing: float = 0.1,
    ) -> BigramModel:
        """Count the adjacent pairs of every sequence."""
        _check_sequences(sequences, vocab_size)
        counts = torch.zeros(vocab_size, vocab_size, dtype=torch.long)
        for sequence in sequences:
            ids = torch.as_tensor(sequence, dtype=torch.long)
            pairs = ids[:-1] * vocab_size + ids[1:]
            counts += torch.bincount(pairs, minlength=vocab_size**2).view(
                vocab_size, vocab_size
            )
        return cls(counts, smoothing)

    @property
    def vocab_size(self) -> int:
        return self.counts.shape[0]

    def next_token_probs(self, previous: int) -> torch.Tensor:
        """The distribution over the next token, shape (V,)."""
        check_token_ids(torch.tensor([previous]), self.vocab_size, "previous")
        return self.probs[previous].float()

    def log_likelihood(self, sequence: Sequence[int]) -> tuple[float, int]:
        """Sum of log P(x_t | x_{t-1}) over the sequence, and how many terms."""
        ids = torch.as_tensor(sequence, dtype=torch.long)
        check_token_ids(ids, self.vocab_size, "sequence")
        return float(self.probs[ids[:-1], ids[1:]].log().sum()), len(ids) - 1

    def perplexity(self, sequences: Sequence[Sequence[int]]) -> float:
        """exp of the average negative log-probability per predicted token."""
        return perplexity_of(self, sequences)

    def sample(
        self,
        start_id: int,
        end_id: int,
        max_len: int = 30,
        temperature: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> list[int]:
        """Sample a sequence from `start_id` until `end_id` or `max_len` tokens."""
        ids = [start_id]
        while len(ids) < max_len + 1:
            probs = apply_temperature(self.probs[ids[-1]], temperature)
            ids.append(int(torch.multinomial(probs, 1, generator=generator)))
            if ids[-1] == end_id:
                break
        return ids


class NGramModel:
    """P(next | the n-1 previous tokens) from counts, with add-k smoothing.

    The order n is the number of tokens in a counted group: n = 2 is the
    bigram model. Contexts are kept in a dictionary because almost all of the
    V^(n-1) possible contexts never occur.
    """

    def __init__(self, order: int, vocab_size: int, smoothing: float = 0.1):
        if order < 1:
            raise ValueError(f"order should be at least 1, got {order}")
        self.order = order
        self.vocab_size = vocab_size
        self.smoothing = smoothing
        self.counts: dict[tuple[int, ...], Counter] = defaultdict(Counter)

    @classmethod
    def fit(
        cls,
        sequences: Sequence[Sequence[int]],
        order: int,
        vocab_size: int,
        smoothing: float = 0.1,
    ) -> NGramModel:
        _check_sequences(sequences, vocab_size)
        model = cls(order, vocab_size, smoothing)
        for context, token in model._events(sequences):
            model.counts[context][token] += 1
        return model

    def _events(self, sequences):
        """(context, next token) for every prediction, contexts padded at the
        start by repeating the first token (the start token)."""
        for sequence in sequences:
            padded = [sequence[0]] * (self.order - 2) + list(sequence)
            for t in range(max(self.order - 1, 1), len(padded)):
                context = (
                    tuple(padded[t - self.order + 1 : t]) if self.order > 1 else ()
                )
                yield context, padded[t]

    def prob(self, context: tuple[int, ...], token: int) -> float:
        counter = self.counts.get(context)
        seen = counter[token] if counter else 0
        total = sum(counter.values()) if counter else 0
        denominator = total + self.smoothing * self.vocab_size
        if denominator == 0:
            return 1.0 / self.vocab_size
        return (seen + self.smoothing) / denominator

    def unseen_context_rate(self, sequences: Sequence[Sequence[int]]) -> float:
        """The share of predictions whose context never occurred in training."""
        events = list(self._events(sequences))
        unseen = sum(context not in self.counts for context, _ in events)
        return unseen / len(events)

    def log_likelihood(self, sequence: Sequence[int]) -> tuple[float, int]:
        events = list(self._events([sequence]))
        total = sum(math.log(self.prob(context, token)) for context, token in events)
        return total, len(events)

    def perplexity(self, sequences: Sequence[Sequence[int]]) -> float:
        return perplexity_of(self, sequences)


def perplexity_of(model, sequences: Sequence[Sequence[int]]) -> float:
    """exp(-(1/N) Σ log P(x_t | context)) over all N predictions in `sequences`."""
    if not sequences:
        raise ValueError("expected at least one sequence to measure, got none")
    total, count = 0.0, 0
    for sequence in sequences:
        log_likelihood, n = model.log_likelihood(sequence)
        total += log_likelihood
        count += n
    return math.exp(-total / count)


def apply_temperature(probs: torch.Tensor, temperature: float) -> torch.Tensor:
    """Reshape a distribution as softmax(log p / temperature) would.

    Below 1 the likely tokens get likelier; above 1 the distribution flattens;
    as it approaches 0 sampling becomes taking the most likely token.
    """
    if temperature <= 0:
        raise ValueError(f"temperature should be > 0, got {temperature}")
    logits = probs.double().clamp_min(1e-30).log() / temperature
    return torch.softmax(logits, dim=-1).to(probs.dtype)
