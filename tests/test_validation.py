"""The messages that bad input gets."""

import pytest
import torch

from transformer_course.validation import (
    check_divisible,
    check_shape,
    check_token_ids,
)


def test_check_shape_binds_letters():
    sizes = check_shape(torch.zeros(2, 5, 8), ("B", "T", "D"), "x", D=8)
    assert sizes == {"D": 8, "B": 2, "T": 5}


def test_check_shape_names_expected_and_got():
    with pytest.raises(ValueError, match=r"shape \(B, T, D=8\), got \(2, 5, 6\)"):
        check_shape(torch.zeros(2, 5, 6), ("B", "T", "D"), "x", D=8)
    with pytest.raises(ValueError, match="3 dimensions"):
        check_shape(torch.zeros(2, 5), ("B", "T", "D"), "x")
    with pytest.raises(ValueError, match="dimension 1 is 4, expected 3"):
        check_shape(torch.zeros(3, 4), ("T", "T"), "scores")
    with pytest.raises(TypeError, match=r"torch\.Tensor"):
        check_shape([1, 2], ("T",), "x")


def test_check_token_ids():
    check_token_ids(torch.tensor([0, 4]), 5)
    with pytest.raises(ValueError, match="from 0 to 5"):
        check_token_ids(torch.tensor([0, 5]), 5)
    with pytest.raises(TypeError, match="integer"):
        check_token_ids(torch.tensor([0.0]), 5)


def test_check_divisible():
    assert check_divisible(512, 8) == 64
    with pytest.raises(ValueError, match="multiple of n_heads"):
        check_divisible(10, 4)
