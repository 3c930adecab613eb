"""The window model, the step-by-step RNN and the recurrent wrappers."""

import pytest
import torch
from torch import nn

from transformer_course.models.rnn import (
    CELLS,
    RecurrentClassifier,
    RecurrentLM,
    StepRNN,
    gradient_by_distance,
)
from transformer_course.models.window import WindowLM, last_window, make_windows


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_step_rnn_equals_torch_rnn_with_copied_weights(nonlinearity):
    torch.manual_seed(0)
    reference = nn.RNN(5, 7, batch_first=True, nonlinearity=nonlinearity)
    ours = StepRNN(5, 7, nonlinearity).load_from_torch(reference)
    x = torch.randn(3, 9, 5, requires_grad=True)
    h0 = torch.randn(3, 7)
    want_out, want_h = reference(x, h0[None])
    got_out, got_h = ours(x, h0)
    assert got_out.shape == (3, 9, 7) and got_h.shape == (3, 7)
    torch.testing.assert_close(got_out, want_out, atol=1e-5, rtol=0)
    torch.testing.assert_close(got_h, want_h[0], atol=1e-5, rtol=0)
    # The gradients agree too.
    (want_grad,) = torch.autograd.grad(want_out.sum(), x)
    (got_grad,) = torch.autograd.grad(got_out.sum(), x)
    torch.testing.assert_close(got_grad, want_grad, atol=1e-5, rtol=0)


def test_step_rnn_keeps_every_hidden_state():
    torch.manual_seed(0)
    rnn = StepRNN(4, 6)
    x, h0 = torch.randn(2, 5, 4), torch.randn(2, 6)
    outputs, h_T, all_hidden = rnn(x, h0, return_all_hidden=True)
    assert all_hidden.shape == (2, 6, 6)  # h_0 ... h_T
    assert torch.equal(all_hidden[:, 0], h0)
    assert torch.equal(all_hidden[:, 1:], outputs)
    assert torch.equal(all_hidden[:, -1], h_T)
    assert all_hidden.requires_grad
    assert torch.equal(rnn.last_hidden, all_hidden.detach())


def test_step_rnn_mask_carries_the_state_over_padding():
    torch.manual_seed(0)
    rnn = StepRNN(4, 6)
    x = torch.randn(2, 5, 4)
    mask = torch.tensor([[True, True, False, False, False], [True] * 5])
    _, h_T = rnn(x, mask=mask)
    _, h_short = rnn(x[:1, :2])
    torch.testing.assert_close(h_T[0], h_short[0], atol=1e-6, rtol=0)


def test_step_rnn_explains_bad_input():
    rnn = StepRNN(4, 6)
    with pytest.raises(ValueError, match=r"x should have shape"):
        rnn(torch.randn(2, 5, 3))
    with pytest.raises(ValueError, match="3 dimensions"):
        rnn(torch.randn(5, 4))
    with pytest.raises(ValueError, match="num_layers=2"):
        rnn.load_from_torch(nn.RNN(4, 6, num_layers=2, batch_first=True))
    with pytest.raises(ValueError, match="batch_first"):
        rnn.load_from_torch(nn.RNN(4, 6))
    with pytest.raises(ValueError, match="nonlinearity"):
        StepRNN(4, 6, "sigmoid")


@pytest.mark.parametrize("cell", CELLS)
def test_recurrent_wrappers_shapes(cell):
    torch.manual_seed(0)
    tokens = torch.randint(0, 11, (3, 6))
    assert RecurrentLM(11, 4, 8, cell)(tokens).shape == (3, 6, 11)
    assert RecurrentClassifier(11, 4, 8, cell)(tokens).shape == (3, 11)
    assert RecurrentClassifier(11, 4, 8, cell, n_classes=5)(tokens).shape == (3, 5)


@pytest.mark.parametrize("cell", CELLS)
def test_classifier_reads_the_last_real_token_not_the_padding(cell):
    torch.manual_seed(0)
    model = RecurrentClassifier(11, 4, 8, cell).eval()
    tokens = torch.randint(4, 11, (2, 6))
    mask = torch.tensor([[True] * 3 + [False] * 3, [True] * 6])
    other = tokens.clone()
    other[0, 3:] = torch.tensor([5, 6, 7])  # different tokens under the padding
    torch.testing.assert_close(model(tokens, mask), model(other, mask))
    # Without the mask those tokens count, so the outputs differ.
    assert not torch.allclose(model(tokens)[0], model(other)[0])


def test_recurrent_wrappers_explain_bad_input():
    model = RecurrentLM(11, 4, 8, "gru")
    with pytest.raises(ValueError, match="ids in \\[0, 11\\)"):
        model(torch.tensor([[1, 2, 11]]))
    with pytest.raises(ValueError, match="2 dimensions"):
        model(torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match="cell should be one of"):
        RecurrentLM(11, 4, 8, "transformer")
    left_padded = torch.tensor([[False, True, True]])
    with pytest.raises(ValueError, match="right padding"):
        RecurrentClassifier(11, 4, 8, "lstm")(torch.tensor([[0, 5, 6]]), left_padded)


def test_gradient_by_distance_vanishes_in_a_small_tanh_rnn():
    torch.manual_seed(0)
    model = RecurrentLM(11, 8, 16, "step")
    with torch.no_grad():
        model.rnn.weight_hh.mul_(0.5)  # small recurrent weights
    grads = gradient_by_distance(model, torch.randint(0, 11, (16, 12)))
    assert grads.shape == (12,)
    assert (grads > 0).all()
    # Entry 11 is the last token; entry 0 is 11 steps away from the loss.
    assert grads[0] < 1e-3 * grads[-1]
    assert (grads[1:] > grads[:-1]).float().mean() >= 0.9


def test_gradient_by_distance_on_a_bare_layer():
    torch.manual_seed(0)
    rnn = StepRNN(4, 8)
    with torch.no_grad():
        rnn.weight_hh.mul_(0.5)
    grads = gradient_by_distance(rnn, torch.randn(8, 10, 4))
    assert grads.shape == (10,)
    assert grads[0] < 1e-2 * grads[-1]
    assert rnn.weight_ih.grad is None  # the model is left clean


def test_window_model_ignores_tokens_outside_its_window():
    torch.manual_seed(0)
    model = WindowLM(vocab_size=12, window=3, d_embed=4, d_hidden=8).eval()
    tokens = torch.randint(4, 12, (4, 8))
    changed = tokens.clone()
    changed[:, :5] = torch.randint(4, 12, (4, 5))  # all but the last 3
    before = model.predict_from_sequence(tokens)
    assert before.shape == (4, 12)
    torch.testing.assert_close(model.predict_from_sequence(changed), before)
    inside = tokens.clone()
    inside[:, -2] = (tokens[:, -2] - 4 + 1) % 8 + 4  # a token in the window
    assert not torch.allclose(model.predict_from_sequence(inside), before)


def test_window_model_reads_the_last_real_tokens_of_padded_rows():
    tokens = torch.tensor([[5, 6, 7, 0, 0], [1, 2, 3, 4, 5]])
    mask = tokens != 0
    mask[1] = True
    assert last_window(tokens, 3, mask).tolist() == [[5, 6, 7], [3, 4, 5]]
    assert last_window(tokens[:, :2], 3, pad_id=0).tolist() == [[0, 5, 6], [0, 1, 2]]


def test_make_windows_by_hand():
    contexts, targets = make_windows([1, 5, 6, 7, 2], window=2, pad_id=0)
    assert contexts.tolist() == [[0, 1], [1, 5], [5, 6], [6, 7]]
    assert targets.tolist() == [5, 6, 7, 2]
    contexts, targets = make_windows([[1, 5, 2], [1, 6, 2]], window=2)
    assert contexts.tolist() == [[0, 1], [1, 5], [0, 1], [1, 6]]
    assert targets.tolist() == [5, 2, 6, 2]
    assert torch.equal(
        make_windows(torch.tensor([1, 5, 6]), 2)[1], torch.tensor([5, 6])
    )


def test_window_model_explains_bad_input():
    model = WindowLM(12, 3, 4, 8)
    with pytest.raises(ValueError, match=r"context should have shape \(B, 3\)"):
        model(torch.zeros(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="ids in"):
        model(torch.full((2, 3), 12))
    with pytest.raises(ValueError, match="window should be at least 1"):
        WindowLM(12, 0, 4, 8)
    with pytest.raises(ValueError, match="at least two tokens"):
        make_windows([1], 2)
