"""Chapter 3's experiment helpers, on tiny inputs."""

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

from transformer_course.experiments import ch03


def test_start_gates_opens_the_keeping_gate_only():
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, batch_first=True)
    before = lstm.bias_ih_l0.detach().clone()
    ch03.start_gates(lstm, 2.0)
    change = lstm.bias_ih_l0.detach() - before
    assert torch.allclose(change[4:8], torch.full((4,), 2.0))  # forget gate
    assert torch.equal(change[:4], torch.zeros(4))
    assert torch.equal(change[8:], torch.zeros(8))
    with pytest.raises(TypeError, match=r"LSTM or nn\.GRU"):
        ch03.start_gates(nn.RNN(3, 4), 1.0)


def test_copy_accuracy_trains_and_tests():
    accuracy, history = ch03.copy_accuracy("gru", 3, steps=5, hidden_size=8)
    assert 0.0 <= accuracy <= 1.0
    assert len(history.losses) == 5


def test_time_by_length_restores_the_threads():
    threads = torch.get_num_threads()
    times = ch03.time_by_length(
        {"linear": nn.Linear(4, 4)}, [2, 4], batch_size=1, input_size=4, repeats=2
    )
    assert len(times["linear"]) == 2 and all(t > 0 for t in times["linear"])
    assert torch.get_num_threads() == threads


def test_draw_unrolled_draws_one_cell_per_token():
    fig, ax = plt.subplots()
    ch03.draw_unrolled(ax, ["a", "b", "c"])
    assert len(ax.patches) >= 3
    plt.close(fig)
