"""One training loop for every model of the course.

`train` runs a seeded loop with gradient clipping and reports one compact line
every so many steps (`step  200 | loss 1.234 | 12.3k tok/s`). In a live
kernel it also shows a progress bar; on the static site it prints only the
lines. It returns a `History` for the loss plot.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import nn

from transformer_course.notebook import in_kernel
from transformer_course.validation import check_shape

LossFn = Callable[[nn.Module, Any], "torch.Tensor | tuple[torch.Tensor, int]"]
"""loss_fn(model, batch) -> loss, or (loss, number of target tokens)."""

OPTIMIZERS = ("adam", "adamw", "sgd")
SCHEDULES = ("constant", "linear")


@dataclass
class TrainConfig:
    """How to train: give `steps` or `epochs`, not both."""

    steps: int | None = None  # number of optimizer steps
    epochs: int | None = None  # or: number of passes over the batches
    lr: float = 1e-3
    optimizer: str = "adam"  # "adam", "adamw" or "sgd"
    weight_decay: float = 0.0
    clip: float | None = 1.0  # max gradient norm; None: no clipping
    schedule: str = "constant"  # "constant", or "linear": lr falls to 0 at the end
    warmup: int = 0  # steps over which lr rises linearly from 0 at the start
    seed: int = 0  # seeds torch before the first step
    log_every: int | None = None  # steps between lines; None: about 10 lines
    label: str = ""  # printed at the start of each line
    progress: bool | None = None  # progress bar; None: only in a live kernel
    evaluate: Callable[[nn.Module], dict[str, float]] | None = None
    eval_every: int | None = None  # steps between evaluations; None: at the end

    def __post_init__(self) -> None:
        if (self.steps is None) == (self.epochs is None):
            raise ValueError(
                f"give exactly one of steps or epochs, got steps={self.steps}, "
                f"epochs={self.epochs}"
            )
        for name in ("steps", "epochs", "log_every", "eval_every"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} should be at least 1, got {value}")
        if self.schedule not in SCHEDULES:
            raise ValueError(
                f"schedule should be one of {SCHEDULES}, got {self.schedule!r}"
            )
        if self.warmup < 0:
            raise ValueError(f"warmup should be >= 0 steps, got {self.warmup}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"optimizer should be one of {OPTIMIZERS}, got {self.optimizer!r}"
            )


@dataclass
class History:
    """What a training run did: the loss at every step, timing, evaluations."""

    label: str = ""
    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    evaluations: list[dict[str, float]] = field(default_factory=list)
    tokens: int = 0  # target tokens seen (padding excluded)
    seconds: float = 0.0

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0

    def final_loss(self, last: int = 20) -> float:
        """The mean loss over the last `last` steps (less noisy than the last)."""
        if not self.losses:
            raise ValueError("this history holds no steps yet")
        tail = self.losses[-last:]
        return sum(tail) / len(tail)


def sequence_loss(
    logits: torch.Tensor, tgt_out: torch.Tensor, pad_id: int = 0
) -> torch.Tensor:
    """Mean cross-entropy over the non-pad targets: logits (B, T, V), tgt_out (B, T)."""
    sizes = check_shape(logits, ("B", "T", "V"), "logits")
    check_shape(tgt_out, ("B", "T"), "tgt_out", B=sizes["B"], T=sizes["T"])
    # (B, T, V) -> (B * T, V) and (B, T) -> (B * T,)
    return nn.functional.cross_entropy(
        logits.reshape(-1, sizes["V"]), tgt_out.reshape(-1), ignore_index=pad_id
    )


def translation_loss(
    model: nn.Module, batch: Any, pad_id: int = 0
) -> tuple[torch.Tensor, int]:
    """The loss of a model with the shared interface on a `TranslationBatch`."""
    logits = model(batch.src, batch.tgt_in, batch.src_mask)
    n_tokens = int((batch.tgt_out != pad_id).sum())
    return sequence_loss(logits, batch.tgt_out, pad_id), n_tokens


def classification_loss(model: nn.Module, batch: Any) -> tuple[torch.Tensor, int]:
    """Cross-entropy of model(inputs) (B, C) against targets (B,).

    For the probes: `batch` is (inputs, targets), or (inputs, mask, targets).
    """
    *inputs, targets = batch
    return nn.functional.cross_entropy(model(*inputs), targets), targets.numel()


def minibatches(
    *tensors: torch.Tensor, batch_size: int, seed: int = 0
) -> Callable[[int], list[tuple[torch.Tensor, ...]]]:
    """Cut tensors that share their first axis into shuffled minibatches.

    Returns a function of the epoch number, as `train` expects: each epoch has
    its own order, the same for the same seed.
    """
    if not tensors:
        raise ValueError("minibatches needs at least one tensor")
    n = tensors[0].shape[0]
    for t in tensors:
        if t.shape[0] != n:
            raise ValueError(
                f"every tensor should have the same first size, got "
                f"{[tuple(t.shape) for t in tensors]}"
            )
    if batch_size < 1:
        raise ValueError(f"batch_size should be at least 1, got {batch_size}")

    def epoch_batches(epoch: int) -> list[tuple[torch.Tensor, ...]]:
        generator = torch.Generator().manual_seed(seed * 100_003 + epoch)
        order = torch.randperm(n, generator=generator)
        return [
            tuple(t[order[i : i + batch_size]] for t in tensors)
            for i in range(0, n, batch_size)
        ]

    return epoch_batches


@torch.no_grad()
def accuracy(
    model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, *extra: Any
) -> float:
    """The fraction of rows where the argmax of model(inputs, *extra) is the target."""
    was_training = model.training
    model.eval()
    try:
        predicted = model(inputs, *extra).argmax(dim=-1)
    finally:
        model.train(was_training)
    return (predicted == targets).float().mean().item()


def train_translation(
    model: nn.Module,
    data: Any,
    steps: int,
    batch_size: int = 64,
    lr: float = 3e-3,
    seed: int = 0,
    **options: Any,
) -> History:
    """Train a translator on `data.splits.train` (a `TranslationData`).

    Each epoch reshuffles the pairs; other options go to `TrainConfig`.
    """
    pad_id = data.pad_id

    def epoch_batches(epoch: int):
        return data.batches(data.splits.train, batch_size, seed=seed * 1000 + epoch)

    def loss_fn(model, batch):
        return translation_loss(model, batch, pad_id)

    return train(
        model, epoch_batches, loss_fn, steps=steps, lr=lr, seed=seed, **options
    )


def count_tokens(batch: Any, pad_id: int = 0) -> int:
    """Target tokens in a batch when the loss function does not say."""
    if hasattr(batch, "tgt_out"):
        return int((batch.tgt_out != pad_id).sum())
    if isinstance(batch, (tuple, list)) and isinstance(batch[-1], torch.Tensor):
        return batch[-1].numel()  # (inputs, ..., targets)
    return 0


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    params = model.parameters()
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.SGD(params, lr=config.lr, weight_decay=config.weight_decay)


def make_scheduler(
    optimizer: torch.optim.Optimizer, config: TrainConfig, total: int | None
) -> torch.optim.lr_scheduler.LambdaLR | None:
    """Warm up over `config.warmup` steps; with "linear", fall to 0 at `total`.

    A learning rate that ends near zero lets the last steps settle instead of
    jumping around the minimum, which the transformer's loss otherwise does.
    """
    if config.schedule == "constant" and config.warmup == 0:
        return None
    if config.schedule == "linear" and total is None:
        raise ValueError(
            "a linear schedule needs the number of steps: give steps, or epochs "
            "with a list of batches"
        )

    def factor(step: int) -> float:  # step counts from 0
        rise = min(1.0, (step + 1) / config.warmup) if config.warmup else 1.0
        fall = 1.0 - step / total if config.schedule == "linear" else 1.0
        return rise * max(fall, 0.0)

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def train(
    model: nn.Module,
    batches: Callable[[int], Iterable[Any]] | Iterable[Any],
    loss_fn: LossFn,
    config: TrainConfig | None = None,
    **options: Any,
) -> History:
    """Train `model` and return its `History`.

    `batches` is either a function of the epoch number that returns that
    epoch's batches, or an iterable of batches (a list is reused every epoch,
    an iterator is read once). `loss_fn(model, batch)` returns the loss, or
    (loss, number of target tokens). Options are the fields of `TrainConfig`:
    `train(model, batches, loss_fn, steps=500, lr=3e-3)`.
    """
    config = replace(config, **options) if config else TrainConfig(**options)
    torch.manual_seed(config.seed)
    optimizer = make_optimizer(model, config)
    total = config.steps
    if total is None and isinstance(batches, (list, tuple)):
        total = config.epochs * len(batches)
    scheduler = make_scheduler(optimizer, config, total)
    log_every = config.log_every or max(1, (total or 1000) // 10)
    show_bar = in_kernel() if config.progress is None else config.progress
    bar = _progress_bar(total, config.label) if show_bar else None
    say = bar.write if bar is not None else print

    history = History(label=config.label)
    prefix = f"{config.label} | " if config.label else ""
    step, window_loss, window_steps, window_tokens = 0, 0.0, 0, 0
    start = window_start = time.perf_counter()
    model.train()
    try:
        for batch in _stream(batches, config):
            optimizer.zero_grad(set_to_none=True)
            out = loss_fn(model, batch)
            loss, n_tokens = out if isinstance(out, tuple) else (out, None)
            if n_tokens is None:
                n_tokens = count_tokens(batch)
            if not torch.isfinite(loss):
                raise FloatingPointError(
                    f"{prefix}the loss became {loss.item()} at step {step + 1}: "
                    "try a smaller lr or a clip value"
                )
            loss.backward()
            if config.clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), config.clip)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()

            step += 1
            value = loss.item()
            history.steps.append(step)
            history.losses.append(value)
            history.tokens += int(n_tokens)
            window_loss, window_steps = window_loss + value, window_steps + 1
            window_tokens += int(n_tokens)
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"loss {value:.3f}", refresh=False)
            if step % log_every == 0:
                now = time.perf_counter()
                speed = window_tokens / max(now - window_start, 1e-9)
                say(
                    f"{prefix}step {step:5d} | loss {window_loss / window_steps:.3f}"
                    f" | {_thousands(speed)} tok/s"
                )
                window_loss, window_steps, window_tokens = 0.0, 0, 0
                window_start = now
            if config.evaluate and config.eval_every and step % config.eval_every == 0:
                _evaluate(model, config, step, history, say, prefix)
    finally:
        if bar is not None:
            bar.close()
    history.seconds = time.perf_counter() - start
    if config.evaluate and not (config.eval_every and step % config.eval_every == 0):
        _evaluate(model, config, step, history, say, prefix)
    model.eval()
    return history


def _stream(
    batches: Callable[[int], Iterable[Any]] | Iterable[Any], config: TrainConfig
) -> Iterator[Any]:
    """Yield batches epoch after epoch until the steps or epochs are done."""
    n_epochs = config.epochs if config.epochs is not None else math.inf
    step, epoch = 0, 0
    while epoch < n_epochs:
        if callable(batches):
            epoch_batches = batches(epoch)
        elif epoch > 0 and iter(batches) is batches:
            return  # an iterator is used up after one pass
        else:
            epoch_batches = batches
        empty = True
        for batch in epoch_batches:
            empty = False
            yield batch
            step += 1
            if config.steps is not None and step >= config.steps:
                return
        if empty:
            raise ValueError(f"the batches of epoch {epoch} are empty")
        epoch += 1


def _evaluate(model, config, step, history, say, prefix) -> None:
    model.eval()
    with torch.no_grad():
        metrics = dict(config.evaluate(model))
    model.train()
    history.evaluations.append({"step": step, **metrics})
    shown = " | ".join(f"{name} {value:.3f}" for name, value in metrics.items())
    say(f"{prefix}step {step:5d} | {shown}")


def _thousands(x: float) -> str:
    return f"{x / 1000:.1f}k" if x >= 1000 else f"{x:.0f}"


def _progress_bar(total: int | None, label: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=label or "training", unit="step", leave=False)
