"""The RNN encoder-decoder, with and without additive attention (chapter 4).

The encoder reads the source sentence into one state per token. Without
attention the decoder starts from the encoder's last state and sees nothing
else: the whole sentence must fit in one vector. With attention (Bahdanau et
al., 2015) every decoder step scores all encoder states against its own state,
takes their weighted average and reads it along with the previous word.

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

    After each call `last_weights` (B, S) holds the weights, detached.
    """

    def __init__(self, query_size: int, key_size: int, attn_size: int) -> None:
        super().__init__()
        self.key_size = key_size
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
        """Attend from query (B, Dq) over keys (B, S, Dk); keys are the values.

        `mask` (B, S) is True at real tokens. Returns (context (B, Dk),
        weights (B, S)); the weights are 0 on padding and sum to 1.
        """
        sizes = check_shape(keys, ("B", "S", self.key_size), "keys")
        B, S = sizes["B"], sizes["S"]
        check_shape(query, (B, self.W_q.in_features), "query")
        if mask is not None:
            check_shape(mask, (B, S), "mask")
        if projected_keys is None:
            projected_keys = self.project_keys(keys)
        q = self.W_q(query)[:, None, :]  # (B, A) -> (B, 1, A)
        scores = self.v(torch.tanh(q + projected_keys)).squeeze(-1)  # (B, S)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)  # (B, S)
        context = (weights[:, :, None] * keys).sum(dim=1)  # (B, S, Dk) -> (B, Dk)
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
    ) -> None:
        super().__init__()
        if cell not in ("rnn", "lstm", "gru"):
            raise ValueError(f"cell should be 'rnn', 'lstm' or 'gru', got {cell!r}")
        self.src_vocab, self.tgt_vocab = src_vocab, tgt_vocab
        self.cell, self.use_attention = cell, attention
        H = hidden_size
        self.src_embed = nn.Embedding(src_vocab, d_embed)
        self.tgt_embed = nn.Embedding(tgt_vocab, d_embed)
        self.encoder = make_recurrent(cell, d_embed, H)
        if attention:
            # Each step reads the previous word and the context it attended to.
            cells = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}
            self.decoder = cells[cell](d_embed + H, H)
            self.attention = AdditiveAttention(H, H, attn_size or H)
            self.out = nn.Linear(2 * H, tgt_vocab)  # from [s_t; c_t]
        else:
            self.decoder = make_recurrent(cell, d_embed, H)
            self.attention = None
            self.out = nn.Linear(H, tgt_vocab)
        self._weights: list[torch.Tensor] = []

    @property
    def last_attention(self) -> torch.Tensor | None:
        """Attention weights (B, T, S) of the last forward or decoding."""
        if not self._weights:
            return None
        return torch.stack(self._weights, dim=1)

    def forward(
        self,
        src: torch.Tensor,
        tgt_in: torch.Tensor,
        src_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B, T, V_tgt) for each next target token (teacher forcing).

        src (B, S) and tgt_in (B, T) are token ids, tgt_in starting with <s>;
        src_mask (B, S) is True at real source tokens (None: no padding).
        """
        return self.decode(tgt_in, self.encode(src, src_mask))

    def encode(self, src: torch.Tensor, src_mask: torch.Tensor | None = None) -> Memory:
        """Read the source (B, S) into a `Memory`."""
        check_shape(src, ("B", "S"), "src")
        B, S = src.shape
        check_token_ids(src, self.src_vocab, "src")
        if src_mask is None:
            src_mask = torch.ones(B, S, dtype=torch.bool, device=src.device)
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
        """One decoder step from the previous tokens (B,): (logits (B, V), state)."""
        check_shape(tokens, (memory.states.shape[0],), "tokens")
        if self.attention is None:
            out, state = run_recurrent(
                self.decoder, self.tgt_embed(tokens[:, None]), state=state
            )
            return self.out(out[:, 0]), state
        out, state = self._attend_step(memory, state, tokens)
        return self.out(out), state

    def decode(self, tgt_in: torch.Tensor, memory: Memory) -> torch.Tensor:
        """Logits (B, T, V) for the whole target prefix tgt_in (B, T)."""
        check_shape(tgt_in, (memory.states.shape[0], "T"), "tgt_in")
        T = tgt_in.shape[1]
        check_token_ids(tgt_in, self.tgt_vocab, "tgt_in")
        state = self.decoder_start(memory)
        if self.attention is None:
            out, _ = run_recurrent(self.decoder, self.tgt_embed(tgt_in), state=state)
            return self.out(out)  # (B, T, H) -> (B, T, V)
        outs = []
        for t in range(T):
            out, state = self._attend_step(memory, state, tgt_in[:, t])
            outs.append(out)
        return self.out(torch.stack(outs, dim=1))  # (B, T, 2H) -> (B, T, V)

    def _attend_step(
        self, memory: Memory, state: State, tokens: torch.Tensor
    ) -> tuple[torch.Tensor, State]:
        """Attend with the previous state, then update it: ([s_t; c_t], state)."""
        h = state[0] if isinstance(state, tuple) else state  # (B, H)
        context, weights = self.attention(
            h, memory.states, memory.mask, projected_keys=memory.keys
        )  # (B, H), (B, S)
        self._weights.append(weights.detach())
        x = torch.cat([self.tgt_embed(tokens), context], dim=-1)  # (B, E + H)
        state = self.decoder(x, state)
        h = state[0] if isinstance(state, tuple) else state
        return torch.cat([h, context], dim=-1), state
