"""Checks that grade the exercises and say in plain words what is wrong.

A check never raises on a wrong answer: it returns a `Result` that shows a
tick or a cross with an explanation, so a learner's notebook keeps running.
`bool(result)` is True only for a correct answer, which is what the tests and
the chapters' hidden assertions use. One module per chapter holds its checks.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class Result:
    """The verdict of a check: passed or not, and why."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        mark = "✓ Correct" if self.passed else "✗ Not yet"
        return f"{mark}: {self.message}"

    def _repr_html_(self) -> str:
        color = "#009E73" if self.passed else "#D55E00"
        mark = "✓ Correct" if self.passed else "✗ Not yet"
        return (
            f'<div class="exercise-check" style="border-left: 4px solid {color};'
            f' padding: 0.3em 0.8em"><strong>{mark}</strong>: '
            f"{html.escape(self.message)}</div>"
        )


def passed(message: str) -> Result:
    return Result(True, message)


def failed(message: str) -> Result:
    return Result(False, message)


PLACEHOLDER_MESSAGE = (
    "this is still the placeholder: replace the `...` (or the `raise`) with "
    "your answer, run the cell again, then run this check"
)


def is_placeholder(value: Any) -> bool:
    """True for the values the exercise cells start with."""
    return value is Ellipsis or value is None


def call_answer(function: Callable, *args, **kwargs) -> tuple[Any, Result | None]:
    """Call a learner's function; turn placeholders and crashes into a Result.

    Returns (value, None) when there is a value to grade, else (None, a failed
    Result). Compare that Result with None: a failed Result is falsy.
    """
    if not callable(function):
        return None, failed(
            f"expected a function, got {type(function).__name__}: define it with "
            "`def` and pass the function itself, without calling it"
        )
    try:
        value = function(*args, **kwargs)
    except NotImplementedError:
        return None, failed(PLACEHOLDER_MESSAGE)
    except Exception as error:  # the learner's code may raise anything
        return None, failed(f"your function raised {type(error).__name__}: {error}")
    if is_placeholder(value):
        return None, failed(PLACEHOLDER_MESSAGE)
    return value, None


def check_tensor(
    value: Any, name: str, shape: tuple[int, ...] | None = None
) -> Result | None:
    """A Result explaining why `value` is not a finite tensor of `shape`."""
    if not isinstance(value, torch.Tensor):
        return failed(f"{name} should be a torch.Tensor, got {type(value).__name__}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        return failed(
            f"{name} should have shape {tuple(shape)}, got {tuple(value.shape)}"
        )
    if value.is_floating_point() and not torch.isfinite(value).all():
        return failed(f"{name} contains NaN or infinite values")
    return None


def check_number(value: Any, name: str) -> Result | None:
    """A Result explaining why `value` is not a finite real number."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return failed(f"{name} should be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        return failed(f"{name} should be a finite number, got {value}")
    return None
