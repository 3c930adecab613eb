"""The RNN encoder-decoder, with and without additive attention (chapter 4).

The encoder reads the source sentence into one state per token. Without
attention the decoder sees only the encoder's last state c: it starts from it,
and every next word is predicted from the decoder state s_t together with c
(as in Cho et al., 2014). The whole sentence must fit in that one vector.
With attention, each
decoder state s_t scores every encoder state with Bahdanau et al.'s (2015)
additive score, takes their weighted average c_t, and the next word is
predicted from s_t and c_t together.

A simplification: Bahdanau et al. attend with the previous state s_{t-1} and
feed c_t into the recurrence, which forces a Python loop over the target.
Here the attention comes after the recurrence (as in Luong et al., 2015), so
the decoder runs over the whole target in one call and trains several times
faster on a CPU; the alignments it learns look the same.

The interface is the transformer's: `forward(src, tgt_in, src_mask)` returns
logits (B, T, V); `encode` and `decode_step` let `decoding.greedy_decode`
translate one word at a time.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from transformer_course.models.rnn import make_recurrent, run_recurrent
from transformer_course.validation import check_shape, check_token_ids

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]
"""A decoder state: h (B, H), or (h, c) for an LSTM."""


class AdditiveAttention(nn.Module):
    """score(q, k_j) = v · tanh(W_q q + W_k k_j), softmax over the real j.

    After each call `last_weights` holds the weights, detached.
    """

    def __init__(self, query_size: int, key_size: int, attn_size: int) -> None:
        super().__init__()
        self.query_size, self.key_size = query_size, key_size
        self.W_q = nn.Linear(query_size, attn_size, bias=False)
        self.W_k = nn.Linear(key_size, attn_size)
        self.v = nn.Linear(attn_size, 1, bias=False)
        self.last_weights: torch.Tensor | None = None

    def project_keys(self, keys: torch.Tensor) -> torch.Tensor:
        """W_k k_j for every key (B, S, key_size) -> (B, S, attn_size).

        The keys do not change while a sentence is decoded, so this is done
        once per sentence rather than once per step.
        """
        check_shape(keys, ("B", "S", self.key_size), "keys")
        return self.W_k(keys)

    def forward(
        self,
        query: torch.Tensor,
        keys: torch.Tensor,
        mask: torch.Tensor | None = None,
        projected_keys: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Attend from queries over keys (B, S, Dk); the keys are also the values.

        `query` is (B, Dq) for one step or (B, T, Dq) for T steps at once;
        `mask` (B, S) is True at real tokens. Returns (context (B, Dk) or
        (B, T, Dk), weights (B, S) or (B, T, S)); the weights are 0 on padding
        and sum to 1.
        """
        sizes = check_shape(keys, ("B", "S", self.key_size), "keys")
        B, S = sizes["B"], sizes["S"]
        one_step = isinstance(query, torch.Tensor) and query.dim() == 2
        if one_step:
            check_shape(query, (B, self.query_size), "query")
            query = query[:, None, :]  # (B, Dq) -> (B, 1, Dq)
        check_shape(query, (B, "T", self.query_size), "query")
        if mask is not None:
            check_shape(mask, (B, S), "mask")
        if projected_keys is None:
            projected_keys = self.project_keys(keys)
        q = self.W_q(query)[:, :, None, :]  # (B, T, A) -> (B, T, 1, A)
        k = projected_keys[:, None, :, :]  # (B, S, A) -> (B, 1, S, A)
        scores = self.v(torch.tanh(q + k)).squeeze(-1)  # (B, T, S, 1) -> (B, T, S)
        if mask is not None:
            scores = scores.masked_fill(~mask[:, None, :], float("-inf"))
        weights = torch.softmax(scores, dim=-1)  # (B, T, S)
        context = weights @ keys  # (B, T, S) @ (B, S, Dk) -> (B, T, Dk)
        if one_step:
            context, weights = context[:, 0], weights[:, 0]
        self.last_weights = weights.detach()
        return context, weights


class Memory(NamedTuple):
    """What the encoder hands the decoder."""

    states: torch.Tensor  # (B, S, H): one state per source token
    mask: torch.Tensor  # (B, S): True at real source tokens
    final: State  # the state after each sentence's last real token
    keys: torch.Tensor | None  # (B, S, attn_size) projected for attention


class RNNEncoderDecoder(nn.Module):
    """An RNN encoder and decoder, optionally joined by additive attention."""

    def __init__(
        self,
        src_vocab: int,
        tgt_vocab: int,
        d_embed: int = 64,
        hidden_size: int = 128,
        cell: str = "gru",
        attention: bool = False,
        attn_size: int | None = None,
        pad_id: int = 0,
    ) -> None:
        super().__init__()
        self.pad_id = pad_id
        if cell not in ("rnn", "lstm", "gru"):
            raise ValueError(f"cell should be 'rnn', 'lstm' or 'gru', got {cell!r}")
        self.src_vocab, self.tgt_vocab = src_vocab, tgt_vocab
        self.cell, self.use_attention = cell, attention
        H = hidden_size
        self.src_embed = nn.Embedding(src_vocab, d_embed)
        self.tgt_embed = nn.Embedding(tgt_vocab, d_embed)
        self.encoder = make_recurrent(cell, d_embed, H)
        self.decoder = make_recurrent(cell, d_embed, H)
        if attention:
            self.attention = AdditiveAttention(H, H, attn_size or H)
            self.out = nn.Linear(2 * H, tgt_vocab)  # reads [s_t; c_t]
        else:
            self.attention = None
            self.out = nn.Linear(2 * H, tgt_vocab)  # reads [s_t; c], c fixed
        self._weights: list[torch.Tensor] = []

    @property
    def last_attention(self) -> torch.Tensor | None:
        """Attention weights (B, T, S) of the last forward or decoding."""
        if not self._weights:
            return None
        return torch.cat(self._weights, dim=1)

    def forward(
        self,
        src: torch.Tensor,
        tgt_in: torch.Tensor,
        src_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B, T, V_tgt) for each next target token (teacher forcing).

        src (B, S) and tgt_in (B, T) are token ids, tgt_in starting with <s>;
        src_mask (B, S) is True at real source tokens (None: src != pad_id).
        """
        return self.decode(tgt_in, self.encode(src, src_mask))

    def encode(self, src: torch.Tensor, src_mask: torch.Tensor | None = None) -> Memory:
        """Read the source (B, S) into a `Memory`."""
        check_shape(src, ("B", "S"), "src")
        B, S = src.shape
        check_token_ids(src, self.src_vocab, "src")
        if src_mask is None:
            src_mask = src != self.pad_id  # as the transformer does
        else:
            check_shape(src_mask, (B, S), "src_mask")
            src_mask = src_mask.bool()
        states, final = run_recurrent(self.encoder, self.src_embed(src), src_mask)
        keys = self.attention.project_keys(states) if self.attention else None
        return Memory(states, src_mask, final, keys)

    def decoder_start(self, memory: Memory) -> State:
        """The decoder's first state: the encoder's final state."""
        self._weights = []
        return memory.final

    def decode_step(
        self, memory: Memory, state: State, tokens: torch.Tensor
    ) -> tuple[torch.Tensor, State]:
        """One step from the previous tokens (B,): (logits (B, V), new state)."""
        check_shape(tokens, (memory.states.shape[0],), "tokens")
        logits, state = self._run_decoder(tokens[:, None], memory, state)
        return logits[:, 0], state

    def decode(self, tgt_in: torch.Tensor, memory: Memory) -> torch.Tensor:
        """Logits (B, T, V) for the whole target prefix tgt_in (B, T)."""
        check_shape(tgt_in, (memory.states.shape[0], "T"), "tgt_in")
        check_token_ids(tgt_in, self.tgt_vocab, "tgt_in")
        logits, _ = self._run_decoder(tgt_in, memory, self.decoder_start(memory))
        return logits

    def _run_decoder(
        self, tgt_in: torch.Tensor, memory: Memory, state: State
    ) -> tuple[torch.Tensor, State]:
        """Run the decoder over tgt_in (B, T) from `state`: (logits (B, T, V), state).

        With attention, each decoder state s_t looks at every encoder state
        and the output reads s_t together with what it found, c_t.
        """
        x = self.tgt_embed(tgt_in)  # (B, T, E)
        s, state = run_recurrent(self.decoder, x, state=state)  # (B, T, H)
        if self.attention is None:
            final = memory.final[0] if isinstance(memory.final, tuple) else memory.final
            c = final[:, None, :].expand_as(s)  # (B, H) -> (B, T, H), every step
            return self.out(torch.cat([s, c], dim=-1)), state
        c, weights = self.attention(
            s, memory.states, memory.mask, projected_keys=memory.keys
        )  # (B, T, H), (B, T, S)
        self._weights.append(weights.detach())
        return self.out(torch.cat([s, c], dim=-1)), state  # (B, T, 2H) -> (B, T, V)
