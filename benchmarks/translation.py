"""The whole transformer trained on the small world's translation task.

Trains the course's encoder-decoder `Transformer` on English -> French pairs of
one or two clauses and reports the exact match of its greedy translations on
held-out sentences, with the training time. The goal the course sets itself:
at least 99% exact match on held-out sentences within 60 s on two cores.

    python benchmarks/translation.py [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import torch

from transformer_course.data import TranslationData
from transformer_course.data.grammar import count_clauses
from transformer_course.decoding import evaluate_translation
from transformer_course.models.transformer import Transformer
from transformer_course.training import train_translation

SETTINGS = dict(
    n_train=8000,
    n_test=500,
    max_clauses=2,
    steps=600,
    batch_size=64,
    d_model=64,
    n_heads=4,
    n_layers=2,
    d_ff=128,
    dropout=0.0,
    lr=3e-3,
    warmup=30,  # then the rate falls linearly to zero, so the last steps settle
)


def transformer_translation_row(seed: int = 0, log_every: int | None = None, **over):
    """Train once with SETTINGS (updated by `over`); a dict of the results."""
    s = {**SETTINGS, **over}
    data = TranslationData.from_grammar(
        s["n_train"], 0, s["n_test"], seed=seed, n_clauses=(1, s["max_clauses"])
    )
    torch.manual_seed(seed)
    model = Transformer(
        len(data.src_tokenizer),
        len(data.tgt_tokenizer),
        d_model=s["d_model"],
        n_heads=s["n_heads"],
        n_layers=s["n_layers"],
        d_ff=s["d_ff"],
        dropout=s["dropout"],
        max_len=128,
    )
    cpu_start = time.process_time()
    history = train_translation(
        model,
        data,
        steps=s["steps"],
        batch_size=s["batch_size"],
        lr=s["lr"],
        schedule="linear",
        warmup=s["warmup"],
        seed=seed,
        log_every=log_every or s["steps"],
        label="transformer",
        progress=False,
    )
    cpu_seconds = time.process_time() - cpu_start
    model.eval()
    by_length: dict[int, list] = {}
    for pair in data.splits.test:
        by_length.setdefault(count_clauses(pair.english), []).append(pair)
    with torch.no_grad():
        scores = evaluate_translation(model, data, data.splits.test)
        lengths = {
            k: evaluate_translation(model, data, v) for k, v in by_length.items()
        }
    return {
        "model": "transformer",
        "seconds": history.seconds,
        "cpu_seconds": cpu_seconds,
        "final_loss": history.final_loss(),
        "exact_match": scores["exact_match"],
        "token_accuracy": scores["token_accuracy"],
        "exact_match_by_clauses": {
            k: lengths[k]["exact_match"] for k in sorted(lengths)
        },
        "n_test": len(data.splits.test),
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=SETTINGS["steps"])
    parser.add_argument("--lr", type=float, default=SETTINGS["lr"])
    parser.add_argument("--n-layers", type=int, default=SETTINGS["n_layers"])
    parser.add_argument("--d-model", type=int, default=SETTINGS["d_model"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    row = transformer_translation_row(
        log_every=max(1, args.steps // 6),
        steps=args.steps,
        lr=args.lr,
        n_layers=args.n_layers,
        d_model=args.d_model,
        d_ff=2 * args.d_model,
    )
    print(
        f"exact match {row['exact_match']:.3f} on {row['n_test']} held-out sentences"
        f" (token accuracy {row['token_accuracy']:.3f}); trained in "
        f"{row['seconds']:.1f} s ({row['cpu_seconds']:.1f} s of CPU), "
        f"{row['parameters']} parameters"
    )


if __name__ == "__main__":
    main()
