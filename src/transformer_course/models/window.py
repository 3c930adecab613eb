"""A fixed-window neural language model (chapter 2).

The model sees exactly the `window` tokens before the one it predicts: it
embeds each of them, concatenates the embeddings, passes them through one
hidden layer with tanh and scores every word of the vocabulary. Whatever lies
further back is invisible to it, and chapter 2 measures what that costs.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from transformer_course.validation import check_shape, check_token_ids


class WindowLM(nn.Module):
    """Predict the next token from the previous `window` tokens.

    `n_outputs` defaults to the vocabulary size (next-token prediction); give
    another number to use the same network as a classifier.
    """

    def __init__(
        self,
        vocab_size: int,
        window: int,
        d_embed: int,
        d_hidden: int,
        n_outputs: int | None = None,
    ) -> None:
        super().__init__()
        if window < 1:
            raise ValueError(f"window should be at least 1, got {window}")
        self.vocab_size = vocab_size
        self.window = window
        self.embed = nn.Embedding(vocab_size, d_embed)
        self.hidden = nn.Linear(window * d_embed, d_hidden)
        self.out = nn.Linear(d_hidden, n_outputs or vocab_size)

    def forward(self, context: torch.Tensor) -> torch.Tensor:
        """Scores (B, V) for the token that follows each context (B, window)."""
        check_shape(context, ("B", self.window), "context")
        check_token_ids(context, self.vocab_size, "context")
        B = context.shape[0]
        x = self.embed(context)  # (B, W, d_embed)
        x = x.reshape(B, -1)  # (B, W, d_embed) -> (B, W * d_embed)
        return self.out(torch.tanh(self.hidden(x)))

    def predict_from_sequence(
        self,
        tokens: torch.Tensor,
        mask: torch.Tensor | None = None,
        pad_id: int = 0,
    ) -> torch.Tensor:
        """Scores (B, V) from the last `window` real tokens of each sequence.

        `tokens` (B, T) may be right-padded; `mask` (B, T) is True at real
        tokens. This is how the window model meets a probe such as delayed
        copy: it reads only the end of the sequence.
        """
        return self(last_window(tokens, self.window, mask=mask, pad_id=pad_id))


def last_window(
    tokens: torch.Tensor,
    window: int,
    mask: torch.Tensor | None = None,
    pad_id: int = 0,
) -> torch.Tensor:
    """The last `window` real tokens of each row, left-padded with `pad_id`.

    `tokens` is (B, T) and right-padded; `mask` (B, T) is True at real tokens
    (None: every token is real). Returns (B, window).
    """
    sizes = check_shape(tokens, ("B", "T"), "tokens")
    B, T = sizes["B"], sizes["T"]
    if mask is None:
        lengths = torch.full((B,), T, dtype=torch.long)
    else:
        check_shape(mask, ("B", "T"), "mask", B=B, T=T)
        lengths = mask.long().sum(dim=1)
    # Pad `window` columns on the left so every window exists: (B, window + T).
    padded = torch.cat([tokens.new_full((B, window), pad_id), tokens], dim=1)
    # A row of length L ends at column window + L in `padded`.
    starts = lengths.to(tokens.device)[:, None]  # (B, 1)
    columns = starts + torch.arange(window, device=tokens.device)  # (B, window)
    return padded.gather(1, columns)


def make_windows(
    ids: Sequence[int] | torch.Tensor | Sequence[Sequence[int]],
    window: int,
    pad_id: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Cut token ids into (contexts (N, window), targets (N,)) for training.

    Every token after the first becomes a target, with the `window` tokens
    before it as its context, left-padded with `pad_id` near the start. A list
    of sequences (sentences) is cut sentence by sentence, so no context crosses
    from one sentence into the next.
    """
    if window < 1:
        raise ValueError(f"window should be at least 1, got {window}")
    if isinstance(ids, torch.Tensor):
        if ids.dim() != 1:
            raise ValueError(
                f"ids should be a 1-D tensor of token ids, got shape {tuple(ids.shape)}"
            )
        sequences = [ids.tolist()]
    elif len(ids) and not isinstance(ids[0], int):
        sequences = [list(s) for s in ids]
    else:
        sequences = [list(ids)]
    contexts, targets = [], []
    for seq in sequences:
        padded = [pad_id] * window + seq
        for t in range(1, len(seq)):
            contexts.append(padded[t : t + window])
            targets.append(seq[t])
    if not targets:
        raise ValueError("ids should hold at least two tokens to make one window")
    return torch.tensor(contexts, dtype=torch.long), torch.tensor(targets)
