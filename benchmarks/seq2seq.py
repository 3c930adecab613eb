"""How well the RNN encoder-decoder translates as sentences grow (chapter 4).

Trains the same GRU encoder-decoder twice on the grammar's translation task,
without and with additive attention, and prints the exact match of greedy
translations on held-out sentences of 1, 2, ... clauses, with the training
time. Without attention the whole source must pass through one vector, and
exact match falls with length; attention reads every encoder state and falls
much less.

    python benchmarks/seq2seq.py            # the settings chapter 4 uses
    python benchmarks/seq2seq.py --threads 1

With SETTINGS, 100 test sentences asked per length, one thread, on a machine
whose two cores were shared with a dozen other jobs (so wall time is
inflated; cpu s is the processor time the run used):

    model           1 clause   2 clauses  3 clauses   train s   cpu s   loss
    no attention         0.73       0.11       0.00     201.6    25.9  0.565
    attention            0.99       0.99       0.87     105.9    31.3  0.022
    token accuracy, no attention: 0.89, 0.47, 0.20; attention: 0.99, 0.99, 0.87
"""

from __future__ import annotations

import argparse
import time

import torch

from transformer_course.data import TranslationData
from transformer_course.data.grammar import count_clauses
from transformer_course.decoding import evaluate_translation
from transformer_course.models.seq2seq import RNNEncoderDecoder
from transformer_course.training import train_translation

# Settings that train each model in well under half a minute on two CPU cores
# and make the one-vector bottleneck visible.
# The settings measured in the table of the module's docstring.
SETTINGS = dict(
    n_train=4000,
    max_clauses=3,
    steps=300,
    batch_size=64,
    d_embed=48,
    hidden_size=96,
    lr=5e-3,
    cell="gru",
    attn_size=32,
)


def rnn_translation_rows(
    n_train: int = SETTINGS["n_train"],
    max_clauses: int = SETTINGS["max_clauses"],
    steps: int = SETTINGS["steps"],
    batch_size: int = SETTINGS["batch_size"],
    d_embed: int = SETTINGS["d_embed"],
    hidden_size: int = SETTINGS["hidden_size"],
    lr: float = SETTINGS["lr"],
    cell: str = SETTINGS["cell"],
    attn_size: int = SETTINGS["attn_size"],
    n_test: int = 100,
    seed: int = 0,
    log_every: int | None = None,
) -> list[dict]:
    """Train without and with attention; one row per model.

    Each row holds `attention`, `seconds` (training, wall clock),
    `cpu_seconds` (the processor time it used, which a busy machine does not
    inflate), `tokens_per_second`,
    `final_loss`, and `exact_match` and `token_accuracy`: dicts from the
    number of clauses to the score on `n_test` held-out sentences of that
    length (about; the draw is uniform over lengths).
    """
    data = TranslationData.from_grammar(
        n_train, 0, n_test * max_clauses, seed=seed, n_clauses=(1, max_clauses)
    )
    by_length: dict[int, list] = {}
    for pair in data.splits.test:
        by_length.setdefault(count_clauses(pair.english), []).append(pair)
    rows = []
    for attention in (False, True):
        torch.manual_seed(seed)
        cpu_start = time.process_time()
        model = RNNEncoderDecoder(
            len(data.src_tokenizer),
            len(data.tgt_tokenizer),
            d_embed=d_embed,
            hidden_size=hidden_size,
            cell=cell,
            attention=attention,
            attn_size=attn_size,
        )
        history = train_translation(
            model,
            data,
            steps=steps,
            batch_size=batch_size,
            lr=lr,
            seed=seed,
            log_every=log_every or steps,
            label="attention" if attention else "no attention",
            progress=False,
        )
        cpu_seconds = time.process_time() - cpu_start
        scores = {
            k: evaluate_translation(model, data, by_length[k])
            for k in sorted(by_length)
        }
        rows.append(
            {
                "attention": attention,
                "seconds": history.seconds,
                "cpu_seconds": cpu_seconds,
                "tokens_per_second": history.tokens_per_second,
                "final_loss": history.final_loss(),
                "exact_match": {k: s["exact_match"] for k, s in scores.items()},
                "token_accuracy": {k: s["token_accuracy"] for k, s in scores.items()},
                "n_test": {k: len(v) for k, v in by_length.items()},
            }
        )
    return rows


def format_rows(rows: list[dict]) -> str:
    """A plain-text table: exact match by number of clauses, and seconds."""
    lengths = sorted(rows[0]["exact_match"])
    head = "model         " + "".join(f"  {k} clause{'s' * (k > 1):1}" for k in lengths)
    lines = [head + "   train s   cpu s   loss"]
    for row in rows:
        name = "attention    " if row["attention"] else "no attention "
        cells = "".join(f"  {row['exact_match'][k]:9.2f}" for k in lengths)
        lines.append(
            f"{name} {cells}  {row['seconds']:8.1f}  {row['cpu_seconds']:6.1f}"
            f"  {row['final_loss']:.3f}"
        )
    lines.append("(exact match of greedy translations of held-out sentences)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=SETTINGS["steps"])
    parser.add_argument("--hidden-size", type=int, default=SETTINGS["hidden_size"])
    parser.add_argument("--n-train", type=int, default=SETTINGS["n_train"])
    parser.add_argument("--lr", type=float, default=SETTINGS["lr"])
    parser.add_argument("--batch-size", type=int, default=SETTINGS["batch_size"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    rows = rnn_translation_rows(
        n_train=args.n_train,
        steps=args.steps,
        hidden_size=args.hidden_size,
        lr=args.lr,
        batch_size=args.batch_size,
        log_every=max(1, args.steps // 4),
    )
    print()
    print(format_rows(rows))
    for row in rows:
        acc = ", ".join(f"{k}: {v:.2f}" for k, v in row["token_accuracy"].items())
        print(f"token accuracy, attention={row['attention']}: {acc}")
    print(f"test sentences per length: {rows[0]['n_test']}")
    print(f"total {time.perf_counter() - start:.0f} s, torch threads: {args.threads}")


if __name__ == "__main__":
    main()
