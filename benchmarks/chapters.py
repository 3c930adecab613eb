"""Time and peak memory of every chapter, each executed in a fresh kernel.

Each chapter runs in its own Python process, which starts a fresh kernel with
nbclient; when the kernel has exited, the process reads the peak resident
memory of its children (the kernel) from the operating system.

    python benchmarks/chapters.py [chapters/01-language-models.ipynb ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs in a child process, so that its children are exactly one kernel.
RUN_ONE = """
import resource, sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient
path = Path(sys.argv[1])
notebook = nbformat.read(path, as_version=4)
start = time.perf_counter()
folder = {"metadata": {"path": str(path.parent)}}
NotebookClient(notebook, timeout=600, kernel_name="python3", resources=folder).execute()
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime
print(f"RESULT {seconds:.3f} {cpu:.3f} {usage.ru_maxrss}")  # ru_maxrss: KiB
"""


def measure(path: Path) -> dict[str, float | str]:
    """Execute one chapter in a fresh kernel; its seconds and peak memory."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUN_ONE, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if done.returncode or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{path.name} failed to execute:\n" + "\n".join(tail))
    seconds, cpu, peak_kib = lines[-1].split()[1:]
    return {
        "chapter": path.stem,
        "seconds": float(seconds),
        "cpu seconds": float(cpu),
        "with kernel start": wall,
        "peak MB": int(peak_kib) / 1024,
    }


def chapter_rows(paths: list[Path] | None = None) -> list[dict]:
    paths = paths or sorted((ROOT / "chapters").glob("*.ipynb"))
    return [measure(path) for path in paths]


def print_table(rows: list[dict], budget_s: float = 60, budget_mb: float = 1536):
    """One line per chapter. Wall time depends on what else the machine does;
    the kernel's CPU time is the steadier number."""
    print(
        f"{'chapter':<36} {'seconds':>8} {'cpu s':>7} {'peak MB':>8}   budget "
        f"({budget_s:.0f} s, {budget_mb:.0f} MB)"
    )
    for row in rows:
        within = row["seconds"] <= budget_s and row["peak MB"] <= budget_mb
        print(
            f"{row['chapter']:<36} {row['seconds']:8.1f} {row['cpu seconds']:7.1f} "
            f"{row['peak MB']:8.0f}   {'within' if within else 'OVER'}"
        )


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or None
    rows = chapter_rows(paths)
    print_table(rows)
    print(json.dumps(rows, indent=1))  # for tools that read the numbers
