"""Feed-forward, layer norm and residual wrappers equal torch's own.

Tolerance: atol=1e-5 in float32.
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from transformer_course.models.layers import FeedForward, LayerNorm, ResidualSublayer

ATOL = 1e-5


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_feed_forward_matches_torch(activation):
    linear1, linear2 = nn.Linear(8, 32), nn.Linear(32, 8)
    ffn = FeedForward(8, 32, activation=activation).load_from_torch(linear1, linear2)
    x = torch.randn(2, 5, 8)
    act = F.relu if activation == "relu" else F.gelu
    assert torch.allclose(ffn(x), linear2(act(linear1(x))), atol=ATOL)


def test_feed_forward_acts_on_each_position_alone():
    ffn = FeedForward(8, 32)
    x = torch.randn(1, 5, 8)
    assert torch.allclose(ffn(x)[0, 3], ffn(x[:, 3:4])[0, 0], atol=ATOL)


def test_feed_forward_errors():
    with pytest.raises(ValueError, match="activation should be one of"):
        FeedForward(8, 32, activation="tanh")
    with pytest.raises(ValueError, match=r"x should have shape .*D=8"):
        FeedForward(8, 32)(torch.randn(2, 5, 6))


def test_layer_norm_matches_torch_with_copied_weights():
    theirs = nn.LayerNorm(16)
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    ours = LayerNorm(16).load_from_torch(theirs)
    x = torch.randn(3, 7, 16) * 5 + 2
    assert torch.allclose(ours(x), theirs(x), atol=ATOL)
    plain = LayerNorm(16)(x)  # γ = 1, β = 0: each position has mean 0, std 1
    assert torch.allclose(plain.mean(-1), torch.zeros(3, 7), atol=ATOL)
    assert torch.allclose(plain.std(-1, unbiased=False), torch.ones(3, 7), atol=1e-3)


def test_layer_norm_gradients_match_torch():
    theirs = nn.LayerNorm(16)
    ours = LayerNorm(16).load_from_torch(theirs)
    x = torch.randn(4, 16, requires_grad=True)
    x2 = x.detach().clone().requires_grad_(True)
    ours(x).pow(3).sum().backward()
    theirs(x2).pow(3).sum().backward()
    assert torch.allclose(x.grad, x2.grad, atol=1e-4)  # sums of cubes: looser
    assert torch.allclose(ours.weight.grad, theirs.weight.grad, atol=1e-4)


def test_layer_norm_wrong_width_is_clear():
    with pytest.raises(ValueError, match="d_model=16 features"):
        LayerNorm(16)(torch.randn(2, 8))


def test_residual_pre_and_post_norm():
    x = torch.randn(2, 3, 8)
    double = lambda y: 2 * y  # noqa: E731
    post = ResidualSublayer(8, norm_first=False)
    pre = ResidualSublayer(8, norm_first=True)
    assert torch.allclose(post(x, double), post.norm(x + 2 * x), atol=ATOL)
    assert torch.allclose(pre(x, double), x + 2 * pre.norm(x), atol=ATOL)
