"""Checks for the exercises of chapter 3, "Recurrent networks"."""

from __future__ import annotations

import math

import torch
from torch import nn

from transformer_course.exercises import (
    Result,
    call_answer,
    check_number,
    check_tensor,
    failed,
    passed,
)

_TRANSPOSE_HINT = (
    "torch stores a weight as (outputs, inputs), so W_ih is (H, D) and W_hh is "
    "(H, H): multiply by the transpose, x @ W_ih.T and h @ W_hh.T"
)


def _grade_call(function, *args) -> tuple[object, Result | None]:
    """call_answer, with a hint when a matrix product has the wrong shapes."""
    value, problem = call_answer(function, *args)
    if problem is not None and "cannot be multiplied" in problem.message:
        problem = failed(f"{problem.message}; {_TRANSPOSE_HINT}")
    return value, problem


def _reference_cell(seed: int = 0) -> nn.RNNCell:
    torch.manual_seed(seed)
    return nn.RNNCell(4, 5)  # D = 4 inputs, H = 5 hidden units


def check_rnn_step(rnn_step) -> Result:
    """Grade `rnn_step(x, h, W_ih, W_hh, b_ih, b_hh) -> the next hidden state`.

    x is (B, D), h is (B, H); the answer is (B, H), equal to nn.RNNCell.
    """
    cell = _reference_cell()
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(3, 4, generator=generator)
    h = torch.randn(3, 5, generator=generator)
    weights = [
        p.detach().clone()
        for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    ]
    value, problem = _grade_call(rnn_step, x.clone(), h.clone(), *weights)
    if problem is not None:
        return problem
    problem = check_tensor(value, "the new hidden state", (3, 5))
    if problem is not None:
        return problem
    with torch.no_grad():
        want = cell(x, h)
    got = value.detach().float()
    if torch.allclose(got, want, atol=1e-5):
        return passed(
            "your step equals nn.RNNCell: h_t = tanh(W_ih x_t + b_ih + W_hh h + b_hh)"
        )
    W_ih, W_hh, b_ih, b_hh = weights
    inner = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    if torch.allclose(got, inner, atol=1e-5):
        hint = "you left out the tanh: apply it to the sum"
    elif torch.allclose(got, torch.sigmoid(inner), atol=1e-5) or torch.allclose(
        got, torch.relu(inner), atol=1e-5
    ):
        hint = "the Elman RNN squashes the sum with tanh, not sigmoid or ReLU"
    elif torch.allclose(got, torch.tanh(x @ W_ih.T + b_ih + b_hh), atol=1e-5):
        hint = "the previous state h is missing: add h @ W_hh.T"
    elif torch.allclose(got, torch.tanh(x @ W_ih.T + h @ W_hh.T), atol=1e-5):
        hint = "add both biases, b_ih and b_hh"
    elif torch.allclose(got, torch.tanh(inner - b_hh), atol=1e-5) or torch.allclose(
        got, torch.tanh(inner - b_ih), atol=1e-5
    ):
        hint = "one bias is missing: torch's RNN adds both b_ih and b_hh"
    elif got.abs().max() > 1:
        hint = "tanh keeps every value between -1 and 1, yours do not"
    else:
        hint = "compute tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)"
    return failed(f"your step differs from nn.RNNCell; {hint}")


def _reference_run(x: torch.Tensor, h0: torch.Tensor, cell: nn.RNNCell):
    rnn = nn.RNN(cell.input_size, cell.hidden_size, batch_first=True)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(rnn, f"{name}_l0").copy_(getattr(cell, name))
        outputs, _ = rnn(x, h0[None])
    return outputs


def check_unroll(unroll) -> Result:
    """Grade `unroll(x, h0, cell) -> every hidden state h_1 ... h_T`.

    x is (B, T, D), h0 is (B, H), cell an nn.RNNCell; the answer is (B, T, H),
    equal to the outputs of nn.RNN with the same weights.
    """
    cell = _reference_cell(seed=2)
    generator = torch.Generator().manual_seed(3)
    x = torch.randn(2, 6, 4, generator=generator)
    h0 = torch.randn(2, 5, generator=generator)
    value, problem = _grade_call(unroll, x.clone(), h0.clone(), cell)
    if problem is not None:
        return problem
    if isinstance(value, (list, tuple)):
        return failed(
            f"your function returned a {type(value).__name__}; stack the states "
            "into one tensor with torch.stack(states, dim=1)"
        )
    want = _reference_run(x, h0, cell)
    if isinstance(value, torch.Tensor):
        shape = tuple(value.shape)
        if shape == (2, 5):
            return failed(
                "you returned only the last hidden state (B, H); return every "
                "state h_1 ... h_T, shape (B, T, H) = (2, 6, 5)"
            )
        if shape == (2, 7, 5):
            return failed("you returned T + 1 states: leave out h0, return h_1 ... h_T")
        if shape == (6, 2, 5):
            return failed(
                "your time axis comes first, (T, B, H); the course is batch "
                "first: stack the states with dim=1 to get (B, T, H)"
            )
    problem = check_tensor(value, "the hidden states", tuple(want.shape))
    if problem is not None:
        return problem
    got = value.detach().float()
    if torch.allclose(got, want, atol=1e-5):
        return passed(
            "your loop equals nn.RNN: each state is computed from the one before"
        )
    with torch.no_grad():
        from_h0 = torch.stack([cell(x[:, t], h0) for t in range(6)], dim=1)
    if torch.allclose(got, from_h0, atol=1e-5):
        hint = (
            "every step started from h0: feed each step the state that the "
            "step before returned"
        )
    elif torch.allclose(got[:, 0], want[:, 0], atol=1e-5):
        hint = "the first state is right but later ones are not: check the loop"
    else:
        hint = "start from h = h0 and, for t = 0 ... T - 1, set h = cell(x[:, t], h)"
    return failed(f"your states differ from nn.RNN's; {hint}")


def check_gradient_factor(gradient_factor) -> Result:
    """Grade `gradient_factor(w, T) -> d h_T / d h_0` for h_t = w h_{t-1} + x_t."""
    for w, T in [(0.5, 1), (0.9, 10), (1.0, 30), (1.1, 20), (0.5, 40)]:
        value, problem = call_answer(gradient_factor, w, T)
        if problem is not None:
            return problem
        problem = check_number(value, "the gradient factor")
        if problem is not None:
            return problem
        got, want = float(value), w**T
        if math.isclose(got, want, rel_tol=1e-4, abs_tol=1e-15):
            continue
        if math.isclose(got, w * T, rel_tol=1e-4):
            hint = (
                "each step multiplies the gradient by w, it does not add w: "
                "T steps multiply it T times"
            )
        elif math.isclose(got, w ** (T - 1), rel_tol=1e-4):
            hint = "from h_0 to h_T there are T steps, so T factors of w"
        elif math.isclose(got, w ** (T + 1), rel_tol=1e-4):
            hint = "from h_0 to h_T there are T steps, not T + 1"
        else:
            hint = "unroll a few steps by hand: h_2 = w (w h_0 + x_1) + x_2"
        return failed(
            f"for w = {w} and T = {T} the factor is {want:.4g}, yours is "
            f"{got:.4g}; {hint}"
        )
    return passed(
        "d h_T / d h_0 = w ** T: below 1 it vanishes, above 1 it explodes, "
        "exponentially in T"
    )


def check_sequential_steps(sequential_steps) -> Result:
    """Grade `sequential_steps(T, L)`: the longest chain of cell updates that
    must run one after another in L stacked RNN layers over T tokens."""
    for T, L in [(1, 1), (10, 1), (10, 3), (50, 4), (7, 7)]:
        value, problem = call_answer(sequential_steps, T, L)
        if problem is not None:
            return problem
        problem = check_number(value, "the number of steps")
        if problem is not None:
            return problem
        got, want = value, T + L - 1
        if got == want:
            continue
        if got == T * L:
            hint = (
                "T * L counts every update, but many can run at once: layer 2 "
                "can take step 1 as soon as layer 1 has finished its step 1"
            )
        elif got == T:
            hint = "the top layer's last step also waits for the layers below it"
        elif got == L:
            hint = "L is the answer for position-wise layers; an RNN also waits in time"
        elif got == T + L:
            hint = "count the updates on the longest chain: the first is shared"
        else:
            hint = (
                "update (layer l, step t) waits for (l, t - 1) and (l - 1, t); "
                "count the updates on the longest chain from (1, 1) to (L, T)"
            )
        return failed(
            f"for T = {T} and L = {L} the answer is {want}, yours is {got}; {hint}"
        )
    return passed(
        "T + L - 1: the chain grows with the length of the text, whatever the hardware"
    )
