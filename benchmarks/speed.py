"""Forward + backward time of the course's modules against torch's own.

Both sides run in train mode with dropout 0: in eval mode torch may take its
fused "fast path", which has no backward, so train mode is the like-for-like
comparison. Runs are interleaved (ours, torch, ours, torch, ...) and the
median of each side is kept, to be fair on a noisy machine.

    python benchmarks/speed.py [--threads 1] [--repeats 9]

On a machine shared with other jobs, --threads 1 gives steadier numbers.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch
from torch import nn

from transformer_course.models.attention import MultiHeadAttention
from transformer_course.models.transformer import EncoderLayer, Transformer

# (B, T, D, H, d_ff): the course's size, and a bigger one
SHAPES = [(32, 32, 64, 4, 128), (16, 64, 128, 8, 256)]
VOCAB = 100


def _time(step: Callable[[], None], n: int) -> float:
    """Mean seconds of one call of step over n calls."""
    start = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - start) / n


def _compare(
    ours: Callable[[], None], theirs: Callable[[], None], repeats: int, n: int
) -> tuple[float, float]:
    """Median seconds per call of each step, timed turn by turn."""
    for _ in range(3):  # warm up
        ours()
        theirs()
    a, b = [], []
    for _ in range(repeats):
        a.append(_time(ours, n))
        b.append(_time(theirs, n))
    return statistics.median(a), statistics.median(b)


def _step(model: nn.Module, run: Callable[[], torch.Tensor]) -> Callable[[], None]:
    def step() -> None:
        model.zero_grad(set_to_none=True)
        run().sum().backward()

    return step


def _pairs(B: int, T: int, D: int, H: int, d_ff: int):
    """(name, our step, torch's step) for one shape, weights shared."""
    x = torch.randn(B, T, D, requires_grad=True)

    theirs_mha = nn.MultiheadAttention(D, H, batch_first=True)
    ours_mha = MultiHeadAttention(D, H).load_from_torch(theirs_mha)
    yield (
        "MultiHeadAttention",
        _step(ours_mha, lambda: ours_mha(x)),
        _step(theirs_mha, lambda: theirs_mha(x, x, x, need_weights=False)[0]),
    )

    theirs_enc = nn.TransformerEncoderLayer(D, H, d_ff, dropout=0.0, batch_first=True)
    ours_enc = EncoderLayer(D, H, d_ff).load_from_torch(theirs_enc)
    yield (
        "EncoderLayer",
        _step(ours_enc, lambda: ours_enc(x)),
        _step(theirs_enc, lambda: theirs_enc(x)),
    )

    # Pre-norm on both sides: nn.Transformer always ends each stack with a
    # norm, as our pre-norm stacks do. torch's side uses our embeddings and
    # positions, so only the encoder-decoder differs.
    ours = Transformer(VOCAB, VOCAB, D, H, 2, d_ff, dropout=0.0, norm_first=True)
    core = nn.Transformer(
        D, H, 2, 2, d_ff, dropout=0.0, batch_first=True, norm_first=True
    )  # (a warning says its encoder skips nested tensors: right, train mode)
    ours.encoder.load_from_torch(core.encoder)
    ours.decoder.load_from_torch(core.decoder)
    src = torch.randint(1, VOCAB, (B, T))
    tgt = torch.randint(1, VOCAB, (B, T))
    src[:, -T // 4 :] = 0  # a quarter of padding
    real = src != 0
    causal = nn.Transformer.generate_square_subsequent_mask(T)  # float, -inf above

    def torch_side() -> torch.Tensor:
        out = core(
            ours.src_pos(ours.src_embed(src)),
            ours.tgt_pos(ours.tgt_embed(tgt)),
            tgt_mask=causal,
            tgt_is_causal=True,
            src_key_padding_mask=~real,
            memory_key_padding_mask=~real,
        )
        return ours.out(out)

    yield (
        "Transformer (2+2 layers)",
        _step(ours, lambda: ours(src, tgt, real)),
        _step(ours, torch_side),
    )


def module_speed_rows(repeats: int = 9, n: int = 3) -> list[dict]:
    """One row per module and shape: milliseconds of forward+backward, ratio."""
    return list(_rows(repeats, n))


def _rows(repeats: int, n: int):
    torch.manual_seed(0)
    for B, T, D, H, d_ff in SHAPES:
        for name, ours, theirs in _pairs(B, T, D, H, d_ff):
            a, b = _compare(ours, theirs, repeats, n)
            yield (
                {
                    "module": name,
                    "shape": f"B={B} T={T} D={D} H={H} d_ff={d_ff}",
                    "ours_ms": a * 1e3,
                    "torch_ms": b * 1e3,
                    "ratio": a / b,
                }
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
        "forward+backward, train mode, dropout 0, median of interleaved runs"
    )
    header = f"{'module':<26}{'shape':<36}{'ours ms':>9}{'torch ms':>10}{'ratio':>7}"
    print(header)
    print("-" * len(header))
    for row in _rows(args.repeats, 3):
        print(
            f"{row['module']:<26}{row['shape']:<36}{row['ours_ms']:>9.2f}"
            f"{row['torch_ms']:>10.2f}{row['ratio']:>7.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
