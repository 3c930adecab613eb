"""Encoder, decoder and whole models equal torch's own; causal and order properties.

Tolerance: atol=1e-5 in float32 for one layer; 2e-5 for stacks and whole models,
where rounding differences of several layers add up.
"""

import pytest
import torch
from torch import nn

from transformer_course.models.attention import causal_mask
from transformer_course.models.transformer import (
    Decoder,
    DecoderLayer,
    DecoderOnly,
    Encoder,
    EncoderLayer,
    Transformer,
    attention_maps,
    record_attention,
)

ATOL, STACK_ATOL = 1e-5, 2e-5
D, H, D_FF = 16, 4, 32


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _real(lengths, S):
    """(B, S) bool, True at the first `length` positions of each row."""
    return torch.arange(S)[None, :] < torch.tensor(lengths)[:, None]


def _torch_encoder_layer(norm_first, activation="relu"):
    return nn.TransformerEncoderLayer(
        D,
        H,
        D_FF,
        dropout=0.0,
        activation=activation,
        batch_first=True,
        norm_first=norm_first,
    ).eval()


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_matches_torch(norm_first, activation):
    theirs = _torch_encoder_layer(norm_first, activation)
    ours = EncoderLayer(D, H, D_FF, norm_first=norm_first, activation=activation)
    ours.load_from_torch(theirs).eval()
    x = torch.randn(3, 6, D)
    real = _real([6, 4, 2], 6)
    out = ours(x, key_padding_mask=real)
    ref = theirs(x, src_key_padding_mask=~real)
    # compare real positions only: torch's eval fast path may zero the pads
    assert torch.allclose(out[real], ref[real], atol=ATOL)
    out = ours(x, causal=True)
    ref = theirs(x, src_mask=~causal_mask(6))
    assert torch.allclose(out, ref, atol=ATOL)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_stack_matches_torch(norm_first):
    theirs = nn.TransformerEncoder(
        _torch_encoder_layer(norm_first),
        3,
        norm=nn.LayerNorm(D) if norm_first else None,
        enable_nested_tensor=False,
    ).eval()
    ours = Encoder(D, H, D_FF, 3, norm_first=norm_first).load_from_torch(theirs)
    ours.eval()
    x = torch.randn(2, 5, D)
    real = _real([5, 3], 5)
    out = ours(x, key_padding_mask=real)
    ref = theirs(x, src_key_padding_mask=~real)
    assert torch.allclose(out[real], ref[real], atol=STACK_ATOL)


def _torch_decoder_layer(norm_first):
    return nn.TransformerDecoderLayer(
        D, H, D_FF, dropout=0.0, batch_first=True, norm_first=norm_first
    ).eval()


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_and_stack_match_torch(norm_first):
    y, memory = torch.randn(2, 5, D), torch.randn(2, 7, D)
    mem_real = _real([7, 4], 7)
    tgt_real = _real([5, 5], 5)
    theirs = _torch_decoder_layer(norm_first)
    ours = DecoderLayer(D, H, D_FF, norm_first=norm_first).load_from_torch(theirs)
    out = ours.eval()(
        y, memory, memory_key_padding_mask=mem_real, tgt_key_padding_mask=tgt_real
    )
    ref = theirs(
        y,
        memory,
        tgt_mask=~causal_mask(5),
        memory_key_padding_mask=~mem_real,
        tgt_key_padding_mask=~tgt_real,
    )
    assert torch.allclose(out, ref, atol=ATOL)

    stack = nn.TransformerDecoder(
        _torch_decoder_layer(norm_first),
        2,
        norm=nn.LayerNorm(D) if norm_first else None,
    ).eval()
    ours = Decoder(D, H, D_FF, 2, norm_first=norm_first).load_from_torch(stack)
    out = ours.eval()(y, memory, memory_key_padding_mask=mem_real)
    ref = stack(y, memory, tgt_mask=~causal_mask(5), memory_key_padding_mask=~mem_real)
    assert torch.allclose(out, ref, atol=STACK_ATOL)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
def test_whole_transformer_matches_nn_transformer():
    # nn.Transformer always ends both stacks with a norm, as ours does pre-norm.
    ours = Transformer(11, 13, D, H, 2, D_FF, dropout=0.0, norm_first=True).eval()
    theirs = nn.Transformer(
        D, H, 2, 2, D_FF, dropout=0.0, batch_first=True, norm_first=True
    ).eval()
    ours.encoder.load_from_torch(theirs.encoder)
    ours.decoder.load_from_torch(theirs.decoder)
    src = torch.tensor([[4, 5, 6, 7, 2], [4, 5, 2, 0, 0]])
    tgt = torch.tensor([[1, 8, 9, 10], [1, 8, 9, 0]])
    real = src != 0
    ref = ours.out(
        theirs(
            ours.src_pos(ours.src_embed(src)),
            ours.tgt_pos(ours.tgt_embed(tgt)),
            tgt_mask=~causal_mask(4),
            src_key_padding_mask=~real,
            memory_key_padding_mask=~real,
        )
    )
    logits = ours(src, tgt)  # src_mask=None: pad id 0 is masked
    assert logits.shape == (2, 4, 13)
    assert torch.allclose(logits, ref, atol=STACK_ATOL)
    assert torch.allclose(ours(src, tgt, real), logits, atol=ATOL)
    memory = ours.encode(src, real)
    assert torch.allclose(ours.decode(tgt, memory, real), logits, atol=ATOL)


def test_padding_never_changes_the_output():
    model = Transformer(11, 13, D, H, 2, D_FF, dropout=0.0).eval()
    src = torch.tensor([[4, 5, 6, 0, 0]])
    tgt = torch.tensor([[1, 8, 9]])
    other_pads = src.clone()
    other_pads[0, 3:] = torch.tensor([9, 10])
    real = src != 0
    assert torch.allclose(
        model(src, tgt, real), model(other_pads, tgt, real), atol=ATOL
    )


def test_decoder_future_never_changes_past():
    decoder = Decoder(D, H, D_FF, 2).eval()
    y, memory = torch.randn(1, 6, D), torch.randn(1, 4, D)
    changed = y.clone()
    changed[:, 4:] = torch.randn(1, 2, D)
    a, b = decoder(y, memory), decoder(changed, memory)
    assert torch.allclose(a[:, :4], b[:, :4], atol=1e-6)
    assert not torch.allclose(a[:, 4:], b[:, 4:], atol=1e-3)


def test_decoder_only_is_causal_and_generates():
    gpt = DecoderOnly(20, D, H, 2, D_FF, max_len=8).eval()
    ids = torch.randint(0, 20, (2, 6))
    changed = ids.clone()
    changed[:, 4:] = (ids[:, 4:] + 1) % 20
    a, b = gpt(ids), gpt(changed)
    assert torch.allclose(a[:, :4], b[:, :4], atol=1e-6)
    assert not torch.allclose(a[:, 4:], b[:, 4:], atol=1e-3)

    out = gpt.generate(ids, 5, greedy=True)  # runs past max_len: context cropped
    assert out.shape == (2, 11) and torch.equal(out[:, :6], ids)
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    assert torch.equal(
        gpt.generate(ids, 4, generator=g1), gpt.generate(ids, 4, generator=g2)
    )


def test_encoder_without_positions_is_permutation_equivariant():
    encoder = Encoder(D, H, D_FF, 2).eval()
    x = torch.randn(1, 7, D)
    perm = torch.randperm(7)
    assert torch.allclose(encoder(x)[:, perm], encoder(x[:, perm]), atol=ATOL)


def test_attention_maps_are_kept_for_plots():
    model = Transformer(11, 13, D, H, 2, D_FF).eval()
    src, tgt = torch.tensor([[4, 5, 6, 0]]), torch.tensor([[1, 8, 9]])
    record_attention(model)
    model(src, tgt)
    maps = attention_maps(model)
    assert len(maps) == 6  # 2 encoder self, 2 decoder self, 2 cross
    cross = maps["decoder.layers.1.cross_attn"]
    assert cross.shape == (1, H, 3, 4)
    assert torch.all(cross[..., 3] == 0)  # the pad is never attended
    assert torch.allclose(cross.sum(-1), torch.ones(1, H, 3), atol=ATOL)


def test_errors_are_clear():
    with pytest.raises(ValueError, match="d_model=30 cannot be split into 4 heads"):
        EncoderLayer(30, 4, 64)
    model = Transformer(11, 13, D, H, 1, D_FF, max_len=8, positional="learned")
    with pytest.raises(ValueError, match=r"ids in \[0, 11\)"):
        model(torch.tensor([[4, 11]]), torch.tensor([[1]]))
    with pytest.raises(ValueError, match="learned positions cover 8 positions"):
        model(torch.randint(1, 11, (1, 9)), torch.tensor([[1]]))
    with pytest.raises(ValueError, match="key_padding_mask should have shape"):
        model(torch.tensor([[4, 5]]), torch.tensor([[1]]), torch.ones(1, 3).bool())
    with pytest.raises(ValueError, match="norm placements differ"):
        EncoderLayer(D, H, D_FF).load_from_torch(_torch_encoder_layer(True))
