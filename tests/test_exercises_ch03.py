"""The checks of chapter 3 pass correct answers and explain typical wrong ones."""

import torch

from transformer_course.exercises import ch03


def _step(x, h, W_ih, W_hh, b_ih, b_hh):
    return torch.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)


def test_rnn_step_correct_answer_passes():
    assert ch03.check_rnn_step(_step)


def test_rnn_step_placeholder_is_named():
    def rnn_step(x, h, W_ih, W_hh, b_ih, b_hh): ...

    result = ch03.check_rnn_step(rnn_step)
    assert not result
    assert "placeholder" in result.message


def test_rnn_step_without_tanh_gets_a_hint():
    def step(x, h, W_ih, W_hh, b_ih, b_hh):
        return x @ W_ih.T + b_ih + h @ W_hh.T + b_hh

    result = ch03.check_rnn_step(step)
    assert not result
    assert "left out the tanh" in result.message


def test_rnn_step_untransposed_weights_get_a_hint():
    def step(x, h, W_ih, W_hh, b_ih, b_hh):
        return torch.tanh(x @ W_ih + b_ih + h @ W_hh + b_hh)

    result = ch03.check_rnn_step(step)
    assert not result
    assert "transpose" in result.message


def test_rnn_step_missing_state_or_bias_gets_a_hint():
    def no_state(x, h, W_ih, W_hh, b_ih, b_hh):
        return torch.tanh(x @ W_ih.T + b_ih + b_hh)

    def one_bias(x, h, W_ih, W_hh, b_ih, b_hh):
        return torch.tanh(x @ W_ih.T + b_ih + h @ W_hh.T)

    assert "previous state" in ch03.check_rnn_step(no_state).message
    assert "one bias is missing" in ch03.check_rnn_step(one_bias).message


def test_rnn_step_sigmoid_gets_a_hint():
    def step(x, h, W_ih, W_hh, b_ih, b_hh):
        return torch.sigmoid(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)

    assert "not sigmoid" in ch03.check_rnn_step(step).message


def _unroll(x, h0, cell):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = cell(x[:, t], h)
        states.append(h)
    return torch.stack(states, dim=1)


def test_unroll_correct_answer_passes():
    assert ch03.check_unroll(_unroll)


def test_unroll_placeholder_is_named():
    assert "placeholder" in ch03.check_unroll(lambda x, h0, cell: ...).message


def test_unroll_last_state_only_gets_a_hint():
    result = ch03.check_unroll(lambda x, h0, cell: _unroll(x, h0, cell)[:, -1])
    assert not result
    assert "only the last hidden state" in result.message


def test_unroll_time_first_gets_a_hint():
    result = ch03.check_unroll(lambda x, h0, cell: _unroll(x, h0, cell).transpose(0, 1))
    assert "time axis comes first" in result.message


def test_unroll_with_h0_gets_a_hint():
    def with_h0(x, h0, cell):
        return torch.cat([h0[:, None], _unroll(x, h0, cell)], dim=1)

    assert "leave out h0" in ch03.check_unroll(with_h0).message


def test_unroll_without_carrying_the_state_gets_a_hint():
    def forgetful(x, h0, cell):
        return torch.stack([cell(x[:, t], h0) for t in range(x.shape[1])], dim=1)

    result = ch03.check_unroll(forgetful)
    assert not result
    assert "started from h0" in result.message


def test_unroll_list_is_explained():
    def as_list(x, h0, cell):
        return list(_unroll(x, h0, cell).unbind(1))

    assert "torch.stack" in ch03.check_unroll(as_list).message


def test_gradient_factor_correct_answers_pass():
    assert ch03.check_gradient_factor(lambda w, T: w**T)

    def by_autograd(w, T):
        h0 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        h = h0
        for _ in range(T):
            h = w * h + 0.3
        (grad,) = torch.autograd.grad(h, h0)
        return grad

    assert ch03.check_gradient_factor(by_autograd)


def test_gradient_factor_typical_mistakes_get_hints():
    assert "does not add" in ch03.check_gradient_factor(lambda w, T: w * T).message
    off_by_one = ch03.check_gradient_factor(lambda w, T: w ** (T - 1))
    assert not off_by_one
    assert "T factors" in off_by_one.message
    assert "number" in ch03.check_gradient_factor(lambda w, T: "w**T").message


def test_sequential_steps_correct_answer_passes():
    assert ch03.check_sequential_steps(lambda T, L: T + L - 1)


def test_sequential_steps_typical_mistakes_get_hints():
    assert (
        "many can run at once"
        in ch03.check_sequential_steps(lambda T, L: T * L).message
    )
    assert (
        "waits for the layers below"
        in ch03.check_sequential_steps(lambda T, L: T).message
    )
    assert "position-wise" in ch03.check_sequential_steps(lambda T, L: L).message
    assert "first is shared" in ch03.check_sequential_steps(lambda T, L: T + L).message


def test_sequential_steps_placeholder_is_named():
    assert "placeholder" in ch03.check_sequential_steps(lambda T, L: None).message
