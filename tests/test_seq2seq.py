"""The RNN encoder-decoder, additive attention and greedy decoding."""

import pytest
import torch
from torch import nn

from transformer_course.decoding import (
    exact_match,
    greedy_decode,
    sample,
    strip_special,
    token_accuracy,
)
from transformer_course.models.seq2seq import AdditiveAttention, RNNEncoderDecoder

PAD, START, END = 0, 1, 2


def padded_source():
    """Two sentences, the first padded after 3 tokens: (src, src_mask)."""
    src = torch.tensor([[5, 6, 7, PAD, PAD], [4, 8, 9, 5, 6]])
    return src, src != PAD


@pytest.mark.parametrize("attention", [False, True])
@pytest.mark.parametrize("cell", ["gru", "lstm", "rnn"])
def test_forward_shapes(cell, attention):
    torch.manual_seed(0)
    model = RNNEncoderDecoder(
        10, 12, d_embed=8, hidden_size=16, cell=cell, attention=attention
    )
    src, src_mask = padded_source()
    tgt_in = torch.tensor([[START, 4, 5, 6], [START, 7, 8, PAD]])
    assert model(src, tgt_in, src_mask).shape == (2, 4, 12)
    assert model(src, tgt_in).shape == (2, 4, 12)  # no mask: pad ids are masked
    if attention:
        assert model.last_attention.shape == (2, 4, 5)
    else:
        assert model.last_attention is None


@pytest.mark.parametrize("attention", [False, True])
@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_source_padding_does_not_change_the_output(cell, attention):
    torch.manual_seed(0)
    model = RNNEncoderDecoder(10, 12, 8, 16, cell, attention).eval()
    src, src_mask = padded_source()
    tgt_in = torch.tensor([[START, 4, 5], [START, 7, 8]])
    before = model(src, tgt_in, src_mask)
    # Other tokens under the padding, and three more columns of padding.
    other = src.clone()
    other[0, 3:] = torch.tensor([9, 9])
    longer = torch.cat([other, torch.full((2, 3), PAD)], dim=1)
    longer_mask = torch.cat([src_mask, torch.zeros(2, 3, dtype=torch.bool)], dim=1)
    after = model(longer, tgt_in, longer_mask)
    torch.testing.assert_close(after, before, atol=1e-5, rtol=0)
    # The padded sentence alone, unpadded, gives the same translation scores.
    alone = model(src[:1, :3], tgt_in[:1])
    torch.testing.assert_close(alone, before[:1], atol=1e-5, rtol=0)


def test_attention_weights_sum_to_one_over_real_tokens():
    torch.manual_seed(0)
    model = RNNEncoderDecoder(10, 12, 8, 16, "gru", attention=True)
    src, src_mask = padded_source()
    model(src, torch.tensor([[START, 4, 5], [START, 7, 8]]), src_mask)
    weights = model.last_attention  # (B, T, S)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3), atol=1e-6, rtol=0)
    assert (weights[0, :, 3:] == 0).all()  # padding gets nothing
    assert (weights[0, :, :3] > 0).all() and (weights[1] > 0).all()


def test_additive_attention_by_hand():
    attention = AdditiveAttention(query_size=3, key_size=4, attn_size=5)
    keys = torch.randn(2, 6, 4)
    mask = torch.ones(2, 6, dtype=torch.bool)
    mask[1, 2:] = False
    context, weights = attention(torch.randn(2, 3), keys, mask)
    assert context.shape == (2, 4) and weights.shape == (2, 6)
    # The second row sees only its first two keys: the context is their mix.
    w = weights[1, :2]
    torch.testing.assert_close(context[1], w @ keys[1, :2], atol=1e-6, rtol=0)
    assert torch.equal(attention.last_weights, weights.detach())
    with pytest.raises(ValueError, match="query should have shape"):
        attention(torch.randn(2, 4), keys, mask)


@pytest.mark.parametrize("attention", [False, True])
def test_step_by_step_decoding_equals_teacher_forcing(attention):
    torch.manual_seed(0)
    model = RNNEncoderDecoder(10, 12, 8, 16, "gru", attention).eval()
    src, src_mask = padded_source()
    tgt_in = torch.tensor([[START, 4, 5, 6], [START, 7, 8, 9]])
    whole = model(src, tgt_in, src_mask)
    whole_attention = model.last_attention
    memory = model.encode(src, src_mask)
    state = model.decoder_start(memory)
    steps = []
    for t in range(4):
        logits, state = model.decode_step(memory, state, tgt_in[:, t])
        steps.append(logits)
    torch.testing.assert_close(torch.stack(steps, 1), whole, atol=1e-5, rtol=0)
    if attention:
        torch.testing.assert_close(model.last_attention, whole_attention)


def test_encoder_decoder_explains_bad_input():
    model = RNNEncoderDecoder(10, 12, 8, 16)
    src, src_mask = padded_source()
    with pytest.raises(ValueError, match="src should hold ids in \\[0, 10\\)"):
        model(src + 5, torch.tensor([[START], [START]]), src_mask)
    with pytest.raises(ValueError, match="tgt_in should hold ids"):
        model(src, torch.tensor([[START], [12]]), src_mask)
    with pytest.raises(ValueError, match="src_mask should have shape"):
        model(src, torch.tensor([[START], [START]]), src_mask[:, :3])
    with pytest.raises(ValueError, match="tgt_in should have shape"):
        model(src, torch.tensor([[START]]), src_mask)
    with pytest.raises(ValueError, match="cell should be"):
        RNNEncoderDecoder(10, 12, cell="step")


class Scripted(nn.Module):
    """A fake translator that says the same tokens whatever the source."""

    def __init__(self, scripts, vocab=10):
        super().__init__()
        self.scripts, self.vocab = scripts, vocab
        self.calls = 0

    def forward(self, src, tgt_in, src_mask=None):
        self.calls += 1
        B, T = tgt_in.shape
        logits = torch.zeros(B, T, self.vocab)
        for b, script in enumerate(self.scripts):
            for t in range(T):
                logits[b, t, script[min(t, len(script) - 1)]] = 1.0
        return logits


def test_greedy_decoding_stops_each_sentence_at_its_end_token():
    model = Scripted([[5, 6, END, 7, 8], [4, 4, 4, 4, 4]])
    src = torch.zeros(2, 3, dtype=torch.long)
    out = greedy_decode(model, src, None, START, END, max_len=4)
    assert out == [[5, 6], [4, 4, 4, 4]]  # the second never ends: max_len
    model = Scripted([[5, END], [6, 7, END]])
    assert greedy_decode(model, src, None, START, END, max_len=20) == [[5], [6, 7]]
    assert model.calls == 3  # stopped as soon as every sentence had ended


def test_greedy_decoding_of_the_encoder_decoder_matches_its_forward():
    torch.manual_seed(0)
    model = RNNEncoderDecoder(10, 12, 8, 16, "gru", attention=True)
    src, src_mask = padded_source()
    out = greedy_decode(model, src, src_mask, START, END, max_len=6)
    assert model.last_attention.shape[0] == 2
    # Re-running forward on each decoded prefix gives the same argmax.
    for b, ids in enumerate(out):
        prefix = torch.tensor([[START, *ids]])
        logits = model(src[b : b + 1], prefix, src_mask[b : b + 1])
        assert logits[0, :-1].argmax(-1).tolist() == ids
        assert len(ids) == 6 or logits[0, -1].argmax().item() == END
    with pytest.raises(ValueError, match="max_len"):
        greedy_decode(model, src, src_mask, max_len=0)


def test_strip_special():
    assert strip_special([START, 5, 6, END, 7]) == [5, 6]
    assert strip_special([5, 6]) == [5, 6]


def test_exact_match_and_token_accuracy_by_hand():
    predicted = ["le chat dort .", "la fille voit un chien", "le  chien court ."]
    reference = ["le chat dort .", "la fille voit un chien .", "le chien court ."]
    assert exact_match(predicted, reference) == pytest.approx(2 / 3)
    # 4 of 4, 5 of 6 (one word missing), 4 of 4.
    assert token_accuracy(predicted, reference) == pytest.approx(13 / 14)
    assert exact_match([[5, 6], [7]], [[5, 6], [8]]) == 0.5
    # An extra word is charged too: 2 of 3.
    assert token_accuracy([[5, 6, 9]], [[5, 6]]) == pytest.approx(2 / 3)
    assert token_accuracy([[6, 5]], [[5, 6]]) == 0.0
    with pytest.raises(ValueError, match="same length"):
        exact_match(["a"], ["a", "b"])


def test_sample():
    logits = torch.tensor([[0.0, 10.0, 0.0], [5.0, 0.0, 0.0]])
    assert sample(logits, temperature=0).tolist() == [1, 0]
    g = torch.Generator().manual_seed(0)
    draws = sample(logits.expand(500, 2, 3) * 0, 1.0, g)  # uniform
    assert draws.shape == (500, 2)
    assert set(draws.unique().tolist()) == {0, 1, 2}
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    assert torch.equal(sample(logits, 2.0, g1), sample(logits, 2.0, g2))
    with pytest.raises(ValueError, match="temperature"):
        sample(logits, -1.0)
