"""The checks of chapter 2 pass correct answers and explain typical wrong ones."""

import torch

from transformer_course.exercises import ch02
from transformer_course.models.window import make_windows

# Exercise 1: context windows


def good_windows(ids, window, pad_id):
    return make_windows(ids, window, pad_id=pad_id)


def test_context_windows_correct_answer_passes():
    assert ch02.check_context_windows(good_windows)


def test_context_windows_placeholder_is_named():
    def context_windows(ids, window, pad_id): ...

    result = ch02.check_context_windows(context_windows)
    assert not result
    assert "placeholder" in result.message


def test_context_windows_including_the_target_gets_a_hint():
    def context_windows(ids, window, pad_id):
        padded = [pad_id] * window + list(ids)
        rows = [padded[t + 1 : t + window + 1] for t in range(1, len(ids))]
        return torch.tensor(rows), torch.tensor(ids[1:])

    result = ch02.check_context_windows(context_windows)
    assert not result
    assert "include the target" in result.message


def test_context_windows_padded_on_the_right_gets_a_hint():
    def context_windows(ids, window, pad_id):
        rows = [
            (list(ids[max(0, t - window) : t]) + [pad_id] * window)[:window]
            for t in range(1, len(ids))
        ]
        return torch.tensor(rows), torch.tensor(ids[1:])

    result = ch02.check_context_windows(context_windows)
    assert not result
    assert "on the left" in result.message


def test_context_windows_reversed_gets_a_hint():
    def context_windows(ids, window, pad_id):
        contexts, targets = make_windows(ids, window, pad_id=pad_id)
        return contexts.flip(1), targets

    result = ch02.check_context_windows(context_windows)
    assert not result
    assert "reversed" in result.message


def test_context_windows_first_id_as_target_gets_a_hint():
    def context_windows(ids, window, pad_id):
        padded = [pad_id] * window + list(ids)
        rows = [padded[t : t + window] for t in range(len(ids))]
        return torch.tensor(rows), torch.tensor(ids)

    result = ch02.check_context_windows(context_windows)
    assert not result
    assert "never a target" in result.message


def test_context_windows_not_a_pair_is_explained():
    result = ch02.check_context_windows(lambda ids, w, p: torch.tensor(ids))
    assert not result
    assert "two tensors" in result.message


# Exercise 2: counting the parameters


def good_count(V, W, E, H):
    return V * E + W * E * H + H + H * V + V


def test_count_parameters_correct_answer_passes():
    assert ch02.check_count_parameters(good_count)


def test_count_parameters_placeholder_is_named():
    def count_parameters(vocab_size, window, d_embed, d_hidden): ...

    assert "placeholder" in ch02.check_count_parameters(count_parameters).message


def test_count_parameters_without_biases_gets_a_hint():
    result = ch02.check_count_parameters(lambda V, W, E, H: V * E + W * E * H + H * V)
    assert not result
    assert "biases" in result.message


def test_count_parameters_table_per_position_gets_a_hint():
    result = ch02.check_count_parameters(
        lambda V, W, E, H: good_count(V, W, E, H) - V * E + W * V * E
    )
    assert not result
    assert "one embedding table" in result.message


def test_count_parameters_hidden_layer_ignoring_window_gets_a_hint():
    result = ch02.check_count_parameters(
        lambda V, W, E, H: good_count(V, W, E, H) - W * E * H + E * H
    )
    assert not result
    assert "window * d_embed * d_hidden" in result.message


def test_count_parameters_without_table_gets_a_hint():
    result = ch02.check_count_parameters(
        lambda V, W, E, H: good_count(V, W, E, H) - V * E
    )
    assert not result
    assert "embedding table too" in result.message


# Exercise 3: the forward pass


def test_window_forward_correct_answer_passes():
    assert ch02.check_window_forward(ch02.reference_forward)


def test_window_forward_placeholder_is_named():
    def window_forward(context, table, w1, b1, w2, b2): ...

    assert "placeholder" in ch02.check_window_forward(window_forward).message


def test_window_forward_without_tanh_gets_a_hint():
    def window_forward(context, table, w1, b1, w2, b2):
        x = table[context].reshape(context.shape[0], -1)
        return (x @ w1 + b1) @ w2 + b2

    result = ch02.check_window_forward(window_forward)
    assert not result
    assert "tanh" in result.message


def test_window_forward_softmax_gets_a_hint():
    def window_forward(*args):
        return torch.softmax(ch02.reference_forward(*args), dim=-1)

    result = ch02.check_window_forward(window_forward)
    assert not result
    assert "not probabilities" in result.message


def test_window_forward_reversed_order_gets_a_hint():
    def window_forward(context, *weights):
        return ch02.reference_forward(context.flip(1), *weights)

    result = ch02.check_window_forward(window_forward)
    assert not result
    assert "reading order" in result.message


def test_window_forward_without_biases_gets_a_hint():
    def window_forward(context, table, w1, b1, w2, b2):
        x = table[context].reshape(context.shape[0], -1)
        return torch.tanh(x @ w1) @ w2

    result = ch02.check_window_forward(window_forward)
    assert not result
    assert "biases" in result.message


def test_window_forward_summed_embeddings_crash_is_reported():
    def window_forward(context, table, w1, b1, w2, b2):
        x = table[context].sum(dim=1)  # (B, d_embed): the wrong width for w1
        return torch.tanh(x @ w1 + b1) @ w2 + b2

    result = ch02.check_window_forward(window_forward)
    assert not result
    assert "RuntimeError" in result.message


def test_window_forward_wrong_shape_is_explained():
    result = ch02.check_window_forward(lambda *args: ch02.reference_forward(*args).T)
    assert not result
    assert "shape" in result.message


# Exercise 4: cross-entropy


def good_cross_entropy(logits, targets):
    log_probs = logits - logits.logsumexp(dim=-1, keepdim=True)
    return -log_probs[torch.arange(len(targets)), targets].mean().item()


def test_cross_entropy_correct_answer_passes():
    assert ch02.check_cross_entropy(good_cross_entropy)


def test_cross_entropy_placeholder_is_named():
    def cross_entropy(logits, targets): ...

    assert "placeholder" in ch02.check_cross_entropy(cross_entropy).message


def test_cross_entropy_sum_gets_a_hint():
    def cross_entropy(logits, targets):
        return good_cross_entropy(logits, targets) * len(targets)

    result = ch02.check_cross_entropy(cross_entropy)
    assert not result
    assert "average" in result.message


def test_cross_entropy_sign_gets_a_hint():
    result = ch02.check_cross_entropy(lambda z, t: -good_cross_entropy(z, t))
    assert not result
    assert "sign" in result.message


def test_cross_entropy_raw_logits_gets_a_hint():
    def cross_entropy(logits, targets):
        return -logits[torch.arange(len(targets)), targets].mean().item()

    result = ch02.check_cross_entropy(cross_entropy)
    assert not result
    assert "log-probabilities first" in result.message


def test_cross_entropy_unstable_softmax_gets_a_hint():
    def cross_entropy(logits, targets):
        probs = logits.exp() / logits.exp().sum(dim=-1, keepdim=True)
        return -probs[torch.arange(len(targets)), targets].log().mean().item()

    result = ch02.check_cross_entropy(cross_entropy)
    assert not result
    assert "logsumexp" in result.message
