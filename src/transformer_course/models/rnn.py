"""Recurrent networks (chapter 3).

`StepRNN` writes the Elman recurrence out as a Python loop over time, so that
the hidden state can be read token by token; it matches `torch.nn.RNN` with
copied weights. `RecurrentLM` and `RecurrentClassifier` wrap torch's RNN, LSTM
and GRU (or `StepRNN`) for next-token prediction and for predicting one target
from the last hidden state. `gradient_by_distance` measures how much the loss
at the last step still depends on each earlier token.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from transformer_course.validation import check_shape, check_token_ids

CELLS = ("rnn", "lstm", "gru", "step")


class StepRNN(nn.Module):
    """An Elman RNN, one time step at a time, batch first.

    h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)

    The parameters carry torch's names without the layer suffix, so
    `load_from_torch` copies a single-layer `nn.RNN` exactly. After each call,
    `last_hidden` (B, T + 1, H) holds h_0 ... h_T, detached, for plots.
    """

    def __init__(
        self, input_size: int, hidden_size: int, nonlinearity: str = "tanh"
    ) -> None:
        super().__init__()
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"nonlinearity should be 'tanh' or 'relu', got {nonlinearity!r}"
            )
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.nonlinearity = nonlinearity
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(hidden_size))
        bound = 1 / math.sqrt(hidden_size)  # the same start as nn.RNN
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)
        self.last_hidden: torch.Tensor | None = None

    def forward(
        self,
        x: torch.Tensor,
        h0: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        return_all_hidden: bool = False,
    ):
        """Run over x (B, T, input_size); return (outputs (B, T, H), h_T (B, H)).

        `mask` (B, T) is True at real steps: at a padded step the state is
        carried over unchanged, so h_T is the state after the last real token.
        With `return_all_hidden=True` a third value (B, T + 1, H) holds
        h_0 ... h_T, still attached to the graph.
        """
        sizes = check_shape(x, ("B", "T", self.input_size), "x")
        B, T, H = sizes["B"], sizes["T"], self.hidden_size
        if h0 is None:
            h = x.new_zeros(B, H)
        else:
            h = h0
            check_shape(h, (B, H), "h0")
        if mask is not None:
            check_shape(mask, (B, T), "mask")
        act = torch.tanh if self.nonlinearity == "tanh" else torch.relu
        # The input's part does not depend on the past: one product for all steps.
        from_input = x @ self.weight_ih.T + self.bias_ih  # (B, T, H)
        states = [h]
        for t in range(T):
            h_new = act(from_input[:, t] + h @ self.weight_hh.T + self.bias_hh)
            if mask is not None:
                h_new = torch.where(mask[:, t, None], h_new, h)
            h = h_new
            states.append(h)
        all_hidden = torch.stack(states, dim=1)  # (B, T + 1, H)
        self.last_hidden = all_hidden.detach()
        outputs = all_hidden[:, 1:]  # (B, T, H)
        if return_all_hidden:
            return outputs, h, all_hidden
        return outputs, h

    @torch.no_grad()
    def load_from_torch(self, rnn: nn.RNN) -> StepRNN:
        """Copy the weights of a single-layer, batch-first `nn.RNN`."""
        if not isinstance(rnn, nn.RNN):
            raise TypeError(f"rnn should be a torch.nn.RNN, got {type(rnn).__name__}")
        problems = []
        if rnn.num_layers != 1:
            problems.append(f"num_layers={rnn.num_layers} (expected 1)")
        if rnn.bidirectional:
            problems.append("bidirectional=True (expected False)")
        if not rnn.batch_first:
            problems.append("batch_first=False (expected True)")
        if not rnn.bias:
            problems.append("bias=False (expected True)")
        if (rnn.input_size, rnn.hidden_size) != (self.input_size, self.hidden_size):
            problems.append(
                f"sizes ({rnn.input_size}, {rnn.hidden_size}), expected "
                f"({self.input_size}, {self.hidden_size})"
            )
        if rnn.nonlinearity != self.nonlinearity:
            problems.append(
                f"nonlinearity {rnn.nonlinearity!r}, expected {self.nonlinearity!r}"
            )
        if problems:
            raise ValueError("cannot copy this nn.RNN: " + "; ".join(problems))
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(self, name).copy_(getattr(rnn, f"{name}_l0"))
        return self


def make_recurrent(cell: str, input_size: int, hidden_size: int) -> nn.Module:
    """A single-layer, batch-first recurrent layer of the named kind."""
    if cell == "rnn":
        return nn.RNN(input_size, hidden_size, batch_first=True)
    if cell == "lstm":
        return nn.LSTM(input_size, hidden_size, batch_first=True)
    if cell == "gru":
        return nn.GRU(input_size, hidden_size, batch_first=True)
    if cell == "step":
        return StepRNN(input_size, hidden_size)
    raise ValueError(f"cell should be one of {CELLS}, got {cell!r}")


def lengths_from_mask(mask: torch.Tensor) -> torch.Tensor:
    """Lengths (B,) of a right-padded mask (B, T), checking it is right-padded."""
    lengths = mask.long().sum(dim=1)
    positions = torch.arange(mask.shape[1], device=mask.device)
    if not torch.equal(mask.bool(), positions[None, :] < lengths[:, None]):
        raise ValueError(
            "mask should be True at the real tokens at the start of each row and "
            "False at the padding after them (right padding)"
        )
    if (lengths == 0).any():
        raise ValueError("every sequence should have at least one real token")
    return lengths


def run_recurrent(
    layer: nn.Module,
    x: torch.Tensor,
    mask: torch.Tensor | None = None,
    state=None,
):
    """Run any recurrent layer on x (B, T, E), respecting right padding.

    Returns (outputs (B, T, H), final state). The final state is h (B, H), or
    (h, c) for an LSTM, taken after each row's last real token; outputs at
    padded positions are zeros (torch layers) or the carried state (StepRNN).
    """
    if isinstance(layer, StepRNN):
        return layer(x, state, mask=mask)
    if state is not None:  # torch layers want (num_layers, B, H)
        state = (
            tuple(s[None] for s in state) if isinstance(state, tuple) else state[None]
        )
    if mask is None:
        outputs, final = layer(x, state)
    else:
        lengths = lengths_from_mask(mask)
        packed = pack_padded_sequence(
            x, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        packed_out, final = layer(packed, state)
        outputs, _ = pad_packed_sequence(
            packed_out, batch_first=True, total_length=x.shape[1]
        )
    # (1, B, H) -> (B, H)
    final = tuple(s[0] for s in final) if isinstance(final, tuple) else final[0]
    return outputs, final


class RecurrentLM(nn.Module):
    """Next-token language model: embed, recur, score at every position."""

    def __init__(
        self, vocab_size: int, d_embed: int, hidden_size: int, cell: str = "rnn"
    ) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.cell = cell
        self.embed = nn.Embedding(vocab_size, d_embed)
        self.rnn = make_recurrent(cell, d_embed, hidden_size)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(
        self, tokens: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Logits (B, T, V) for the token after each position of tokens (B, T)."""
        check_shape(tokens, ("B", "T"), "tokens")
        check_token_ids(tokens, self.vocab_size)
        outputs, _ = run_recurrent(self.rnn, self.embed(tokens), mask)  # (B, T, H)
        return self.out(outputs)


class RecurrentClassifier(nn.Module):
    """Predict one target from the last hidden state (the delayed-copy probe).

    `n_classes` defaults to the vocabulary size, for probes whose answer is a
    token.
    """

    def __init__(
        self,
        vocab_size: int,
        d_embed: int,
        hidden_size: int,
        cell: str = "rnn",
        n_classes: int | None = None,
    ) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.cell = cell
        self.embed = nn.Embedding(vocab_size, d_embed)
        self.rnn = make_recurrent(cell, d_embed, hidden_size)
        self.out = nn.Linear(hidden_size, n_classes or vocab_size)

    def forward(
        self, tokens: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Logits (B, n_classes) from the state after the last real token."""
        check_shape(tokens, ("B", "T"), "tokens")
        check_token_ids(tokens, self.vocab_size)
        _, final = run_recurrent(self.rnn, self.embed(tokens), mask)
        h = final[0] if isinstance(final, tuple) else final  # (B, H)
        return self.out(h)


def gradient_by_distance(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor | None = None,
) -> torch.Tensor:
    """How strongly the loss at the last step depends on each input step.

    Returns (T,): entry t is the norm of d(loss)/d(x_t), averaged over the
    batch, where x_t is the embedding of token t. Entry T - 1 is the last
    token; the distance to the loss grows towards entry 0.

    - `model` with an `embed` layer (`RecurrentLM`, `RecurrentClassifier`) and
      `inputs` token ids (B, T): the loss is the cross-entropy of the last
      step's logits against `targets` (B,), by default the model's own
      predictions.
    - a recurrent layer (`StepRNN`, `nn.RNN`, ...) and float `inputs`
      (B, T, input_size): the loss is the sum of the last hidden state.
    """
    was_training = model.training
    model.eval()
    try:
        if inputs.is_floating_point():
            check_shape(inputs, ("B", "T", None), "inputs")
            x = inputs.detach().clone().requires_grad_(True)
            out = model(x)
            outputs = out[0] if isinstance(out, tuple) else out  # (B, T, H)
            outputs[:, -1].sum().backward()
            grad = x.grad
        else:
            if not isinstance(getattr(model, "embed", None), nn.Embedding):
                raise TypeError(
                    "for token ids, model should have an `embed` nn.Embedding "
                    "(RecurrentLM or RecurrentClassifier); for a recurrent layer "
                    "pass float inputs (B, T, input_size)"
                )
            check_shape(inputs, ("B", "T"), "inputs")
            kept = []

            def keep(_module, _args, output):
                output.retain_grad()
                kept.append(output)

            handle = model.embed.register_forward_hook(keep)
            try:
                logits = model(inputs)
            finally:
                handle.remove()
            last = logits[:, -1] if logits.dim() == 3 else logits  # (B, V)
            if targets is None:
                targets = last.argmax(dim=-1).detach()
            nn.functional.cross_entropy(last, targets).backward()
            grad = kept[0].grad  # (B, T, d_embed)
    finally:
        model.zero_grad(set_to_none=True)
        model.train(was_training)
    return grad.norm(dim=-1).mean(dim=0)  # (B, T, E) -> (T,)
