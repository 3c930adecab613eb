"""Every benchmark of the course, in one run: `make benchmark`.

1. each chapter executed in a fresh kernel: seconds and peak memory;
2. the from-scratch modules against torch's, forward and backward, as ratios;
3. translation: the transformer, and the RNN encoder-decoder without and with
   attention, by sentence length.

Timings are measured side by side in this one run and reported as ratios where
a comparison is meant; they are never asserted in a test, because the machines
are shared and noisy.

    python -m benchmarks.run [--skip-chapters] [--threads 2]   (from the root)
"""

from __future__ import annotations

import argparse
import time

import torch

from benchmarks import chapters, seq2seq, speed, translation


def section(title: str) -> None:
    print(f"\n== {title} ==", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-chapters", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    print(f"torch {torch.__version__}, {args.threads} threads")

    if not args.skip_chapters:
        section("Chapters, each in a fresh kernel (goal: about 60 s, under 1.5 GB)")
        chapters.print_table(chapters.chapter_rows())

    section("From-scratch modules against torch's (forward + backward; goal <= 1.3)")
    print(f"{'module':<26}{'shape':<36}{'ours ms':>9}{'torch ms':>10}{'ratio':>7}")
    for row in speed.module_speed_rows():
        print(
            f"{row['module']:<26}{row['shape']:<36}{row['ours_ms']:>9.2f}"
            f"{row['torch_ms']:>10.2f}{row['ratio']:>7.2f}",
            flush=True,
        )

    section("Translation (goal: transformer >= 99% exact match within 60 s)")
    row = translation.transformer_translation_row()
    print(
        f"transformer, 1-2 clauses: exact match {row['exact_match']:.3f} on "
        f"{row['n_test']} held-out sentences, trained in {row['seconds']:.1f} s "
        f"({row['cpu_seconds']:.1f} s CPU)"
    )

    section("The RNN's task (chapter 4): exact match by number of clauses")
    rows = seq2seq.rnn_translation_rows()
    print(seq2seq.format_rows(rows))
    same = translation.transformer_translation_row(
        n_train=seq2seq.SETTINGS["n_train"],
        max_clauses=seq2seq.SETTINGS["max_clauses"],
        n_test=300,
    )
    cells = "".join(f"  {v:9.2f}" for v in same["exact_match_by_clauses"].values())
    print(
        f"transformer    {cells}  {same['seconds']:8.1f}  {same['cpu_seconds']:6.1f}"
        f"  {same['final_loss']:.3f}"
    )
    print(f"\ntotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
