"""The encoder, the decoder and the whole transformer, built from the pieces.

Shape letters: B batch, S source positions, T target positions, D model width
(d_model), H heads, V vocabulary. Masks are True where attention is allowed;
padding masks are True at real tokens. Pad id is 0.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from transformer_course.models.attention import MultiHeadAttention
from transformer_course.models.layers import FeedForward, LayerNorm, ResidualSublayer
from transformer_course.models.positional import (
    LearnedPositionalEncoding,
    SinusoidalPositionalEncoding,
    TokenEmbedding,
)
from transformer_course.validation import check_shape, check_token_ids

__all__ = [
    "Decoder",
    "DecoderLayer",
    "DecoderOnly",
    "Encoder",
    "EncoderLayer",
    "Transformer",
    "attention_maps",
    "record_attention",
]

PAD_ID = 0


def record_attention(model: nn.Module, on: bool = True) -> None:
    """Make every attention module of `model` keep its last weights (or stop)."""
    for module in model.modules():
        if isinstance(module, MultiHeadAttention):
            module.record_weights = on


def attention_maps(model: nn.Module) -> dict[str, Tensor]:
    """The last weights (B, H, T, S) of every attention module, by module name.

    Filled by a forward call after `record_attention(model)`, or by a forward
    with `need_weights=True`.
    """
    return {
        name: module.last_weights
        for name, module in model.named_modules()
        if isinstance(module, MultiHeadAttention) and module.last_weights is not None
    }


class EncoderLayer(nn.Module):
    """Self-attention then a feed-forward network, each with residual and norm."""

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        dropout: float = 0.0,
        norm_first: bool = False,
        activation: str = "relu",
    ) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.ffn = FeedForward(d_model, d_ff, dropout, activation)
        self.attn_residual = ResidualSublayer(d_model, dropout, norm_first)
        self.ffn_residual = ResidualSublayer(d_model, dropout, norm_first)

    def forward(
        self,
        x: Tensor,
        *,
        mask: Tensor | None = None,
        key_padding_mask: Tensor | None = None,
        causal: bool = False,
        need_weights: bool = False,
    ) -> Tensor:
        """(B, T, D) -> (B, T, D); with need_weights, self_attn.last_weights."""

        def attend(y: Tensor) -> Tensor:
            return self.self_attn(
                y,
                mask=mask,
                key_padding_mask=key_padding_mask,
                causal=causal,
                need_weights=need_weights,
            )

        if need_weights:
            x = self.attn_residual(x, lambda y: attend(y)[0])
        else:
            x = self.attn_residual(x, attend)
        return self.ffn_residual(x, self.ffn)

    @torch.no_grad()
    def load_from_torch(self, layer: nn.TransformerEncoderLayer) -> EncoderLayer:
        """Copy the weights of a torch nn.TransformerEncoderLayer."""
        _check_norm_first(self.attn_residual, layer)
        self.self_attn.load_from_torch(layer.self_attn)
        self.ffn.load_from_torch(layer.linear1, layer.linear2)
        self.attn_residual.norm.load_from_torch(layer.norm1)
        self.ffn_residual.norm.load_from_torch(layer.norm2)
        return self


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention to the encoder, feed-forward.

    The self-attention is causal by default (causal=True in forward): a
    decoder position never sees later positions.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        dropout: float = 0.0,
        norm_first: bool = False,
        activation: str = "relu",
    ) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.cross_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.ffn = FeedForward(d_model, d_ff, dropout, activation)
        self.self_residual = ResidualSublayer(d_model, dropout, norm_first)
        self.cross_residual = ResidualSublayer(d_model, dropout, norm_first)
        self.ffn_residual = ResidualSublayer(d_model, dropout, norm_first)

    def forward(
        self,
        y: Tensor,
        memory: Tensor,
        *,
        tgt_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        causal: bool = True,
        need_weights: bool = False,
    ) -> Tensor:
        """y (B, T, D) and memory (B, S, D) -> (B, T, D)."""

        def self_attend(z: Tensor) -> Tensor:
            out = self.self_attn(
                z,
                mask=tgt_mask,
                key_padding_mask=tgt_key_padding_mask,
                causal=causal,
                need_weights=need_weights,
            )
            return out[0] if need_weights else out

        def cross_attend(z: Tensor) -> Tensor:
            out = self.cross_attn(
                z,  # queries from the decoder
                memory,  # keys and values from the encoder
                memory,
                mask=memory_mask,
                key_padding_mask=memory_key_padding_mask,
                need_weights=need_weights,
            )
            return out[0] if need_weights else out

        y = self.self_residual(y, self_attend)
        y = self.cross_residual(y, cross_attend)
        return self.ffn_residual(y, self.ffn)

    @torch.no_grad()
    def load_from_torch(self, layer: nn.TransformerDecoderLayer) -> DecoderLayer:
        """Copy the weights of a torch nn.TransformerDecoderLayer."""
        _check_norm_first(self.self_residual, layer)
        self.self_attn.load_from_torch(layer.self_attn)
        self.cross_attn.load_from_torch(layer.multihead_attn)
        self.ffn.load_from_torch(layer.linear1, layer.linear2)
        self.self_residual.norm.load_from_torch(layer.norm1)
        self.cross_residual.norm.load_from_torch(layer.norm2)
        self.ffn_residual.norm.load_from_torch(layer.norm3)
        return self


def _check_norm_first(residual: ResidualSublayer, layer: nn.Module) -> None:
    if residual.norm_first != layer.norm_first:
        raise ValueError(
            f"norm placements differ: ours norm_first={residual.norm_first}, "
            f"torch's norm_first={layer.norm_first}"
        )


class Encoder(nn.Module):
    """A stack of n_layers encoder layers.

    final_norm (default: norm_first) adds a LayerNorm after the last layer:
    pre-norm stacks need it, since their residual stream is never normalized.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        n_layers: int,
        dropout: float = 0.0,
        norm_first: bool = False,
        activation: str = "relu",
        final_norm: bool | None = None,
    ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            EncoderLayer(d_model, n_heads, d_ff, dropout, norm_first, activation)
            for _ in range(n_layers)
        )
        final_norm = norm_first if final_norm is None else final_norm
        self.norm = LayerNorm(d_model) if final_norm else None

    def forward(
        self,
        x: Tensor,
        *,
        mask: Tensor | None = None,
        key_padding_mask: Tensor | None = None,
        causal: bool = False,
        need_weights: bool = False,
    ) -> Tensor:
        """(B, S, D) -> (B, S, D); key_padding_mask (B, S) True at real tokens."""
        for layer in self.layers:
            x = layer(
                x,
                mask=mask,
                key_padding_mask=key_padding_mask,
                causal=causal,
                need_weights=need_weights,
            )
        return x if self.norm is None else self.norm(x)

    @torch.no_grad()
    def load_from_torch(self, encoder: nn.TransformerEncoder) -> Encoder:
        """Copy the weights of a torch nn.TransformerEncoder."""
        _load_stack(self, encoder)
        return self


class Decoder(nn.Module):
    """A stack of n_layers decoder layers reading the encoder's memory.

    final_norm (default: norm_first) adds a LayerNorm after the last layer.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        n_layers: int,
        dropout: float = 0.0,
        norm_first: bool = False,
        activation: str = "relu",
        final_norm: bool | None = None,
    ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            DecoderLayer(d_model, n_heads, d_ff, dropout, norm_first, activation)
            for _ in range(n_layers)
        )
        final_norm = norm_first if final_norm is None else final_norm
        self.norm = LayerNorm(d_model) if final_norm else None

    def forward(
        self,
        y: Tensor,
        memory: Tensor,
        *,
        tgt_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        causal: bool = True,
        need_weights: bool = False,
    ) -> Tensor:
        """y (B, T, D), memory (B, S, D) -> (B, T, D). Causal unless told not."""
        for layer in self.layers:
            y = layer(
                y,
                memory,
                tgt_mask=tgt_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_mask=memory_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                causal=causal,
                need_weights=need_weights,
            )
        return y if self.norm is None else self.norm(y)

    @torch.no_grad()
    def load_from_torch(self, decoder: nn.TransformerDecoder) -> Decoder:
        """Copy the weights of a torch nn.TransformerDecoder."""
        _load_stack(self, decoder)
        return self


def _load_stack(ours: Encoder | Decoder, theirs: nn.Module) -> None:
    if len(ours.layers) != len(theirs.layers):
        raise ValueError(
            f"expected {len(ours.layers)} layers, got {len(theirs.layers)}"
        )
    if (ours.norm is None) != (theirs.norm is None):
        raise ValueError(
            f"final norms differ: ours has {ours.norm is not None}, "
            f"torch's has {theirs.norm is not None} (see final_norm)"
        )
    for mine, layer in zip(ours.layers, theirs.layers, strict=True):
        mine.load_from_torch(layer)
    if ours.norm is not None:
        ours.norm.load_from_torch(theirs.norm)


def _positions(kind: str, d_model: int, max_len: int, dropout: float) -> nn.Module:
    if kind == "sinusoidal":
        return SinusoidalPositionalEncoding(d_model, max_len, dropout)
    if kind == "learned":
        return LearnedPositionalEncoding(d_model, max_len, dropout)
    raise ValueError(f"positional should be 'sinusoidal' or 'learned', got {kind!r}")


class Transformer(nn.Module):
    """The encoder-decoder of the paper, from token ids to next-token logits.

    forward(src (B, S), tgt_in (B, T), src_mask (B, S) True at real tokens)
    returns logits (B, T, V_tgt). Without src_mask, the source's pad ids (0)
    are masked. The target needs no padding mask: pads come last, and the
    causal mask already hides them from every real position.
    """

    def __init__(
        self,
        src_vocab: int,
        tgt_vocab: int,
        d_model: int = 64,
        n_heads: int = 4,
        n_layers: int = 2,
        d_ff: int = 128,
        dropout: float = 0.1,
        max_len: int = 64,
        norm_first: bool = False,
        positional: str = "sinusoidal",
    ) -> None:
        super().__init__()
        self.src_embed = TokenEmbedding(src_vocab, d_model)
        self.tgt_embed = TokenEmbedding(tgt_vocab, d_model)
        self.src_pos = _positions(positional, d_model, max_len, dropout)
        self.tgt_pos = _positions(positional, d_model, max_len, dropout)
        layer_args = (d_model, n_heads, d_ff, n_layers, dropout, norm_first)
        self.encoder = Encoder(*layer_args)
        self.decoder = Decoder(*layer_args)
        self.out = nn.Linear(d_model, tgt_vocab)  # (B, T, D) -> (B, T, V)

    def encode(self, src: Tensor, src_mask: Tensor | None = None) -> Tensor:
        """Source ids (B, S) -> memory (B, S, D)."""
        src_mask = self._src_mask(src, src_mask)
        x = self.src_pos(self.src_embed(src))  # (B, S) -> (B, S, D)
        return self.encoder(x, key_padding_mask=src_mask)

    def decode(
        self, tgt_in: Tensor, memory: Tensor, src_mask: Tensor | None = None
    ) -> Tensor:
        """Target ids (B, T) and memory (B, S, D) -> logits (B, T, V)."""
        check_shape(tgt_in, ("B", "T"), "tgt_in")
        y = self.tgt_pos(self.tgt_embed(tgt_in))  # (B, T) -> (B, T, D)
        y = self.decoder(y, memory, memory_key_padding_mask=src_mask, causal=True)
        return self.out(y)

    def forward(
        self, src: Tensor, tgt_in: Tensor, src_mask: Tensor | None = None
    ) -> Tensor:
        """src (B, S), tgt_in (B, T) -> logits (B, T, V_tgt)."""
        src_mask = self._src_mask(src, src_mask)
        return self.decode(tgt_in, self.encode(src, src_mask), src_mask)

    @staticmethod
    def _src_mask(src: Tensor, src_mask: Tensor | None) -> Tensor:
        check_shape(src, ("B", "S"), "src")
        if src_mask is None:
            return src != PAD_ID
        return src_mask


class DecoderOnly(nn.Module):
    """A tiny GPT: token and learned positions, causal pre-norm blocks, logits.

    Each block is an encoder layer used with a causal mask (no cross-attention).
    """

    def __init__(
        self,
        vocab_size: int,
        d_model: int = 64,
        n_heads: int = 4,
        n_layers: int = 2,
        d_ff: int = 256,
        max_len: int = 64,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.vocab_size, self.max_len = vocab_size, max_len
        self.embed = TokenEmbedding(vocab_size, d_model)
        self.pos = LearnedPositionalEncoding(d_model, max_len, dropout)
        self.blocks = nn.ModuleList(
            EncoderLayer(d_model, n_heads, d_ff, dropout, norm_first=True)
            for _ in range(n_layers)
        )
        self.norm = LayerNorm(d_model)
        self.out = nn.Linear(d_model, vocab_size)

    def forward(self, ids: Tensor, *, need_weights: bool = False) -> Tensor:
        """ids (B, T) -> logits (B, T, V); position t sees only ids[:, :t+1]."""
        check_shape(ids, ("B", "T"), "ids")
        x = self.pos(self.embed(ids))  # (B, T) -> (B, T, D)
        for block in self.blocks:
            x = block(x, causal=True, need_weights=need_weights)
        return self.out(self.norm(x))  # (B, T, D) -> (B, T, V)

    @torch.no_grad()
    def generate(
        self,
        ids: Tensor,
        n_new: int,
        temperature: float = 1.0,
        generator: torch.Generator | None = None,
        greedy: bool = False,
    ) -> Tensor:
        """Append n_new tokens to ids (B, T), sampling or taking the argmax.

        Only the last max_len tokens are fed back as context.
        """
        check_shape(ids, ("B", "T"), "ids")
        check_token_ids(ids, self.vocab_size, "ids")
        if not greedy and temperature <= 0:
            raise ValueError(f"temperature should be > 0, got {temperature}")
        was_training = self.training
        self.eval()
        for _ in range(n_new):
            logits = self(ids[:, -self.max_len :])[:, -1]  # (B, T, V) -> (B, V)
            if greedy:
                nxt = logits.argmax(dim=-1, keepdim=True)  # (B, 1)
            else:
                probs = (logits / temperature).softmax(dim=-1)
                nxt = torch.multinomial(probs, 1, generator=generator)  # (B, 1)
            ids = torch.cat([ids, nxt], dim=1)  # (B, T) -> (B, T + 1)
        self.train(was_training)
        return ids
