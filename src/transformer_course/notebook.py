"""What the first cell of every chapter needs: a seed and the versions used."""

from __future__ import annotations

import os
import platform
import random
import sys

import numpy as np
import torch

DEFAULT_SEED = 0


def seed_everything(seed: int = DEFAULT_SEED) -> torch.Generator:
    """Seed Python, NumPy and torch, and return a torch generator for sampling.

    torch runs on one thread. The course's models are so small that a second
    thread gains little, and on a busy machine (a shared Binder server, a
    laptop doing other work) threads that wait for each other made training
    tens of times slower. One thread also gives the same numbers on every run.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    return torch.Generator().manual_seed(seed)


def versions() -> str:
    """Two short lines naming the versions that produced a chapter's numbers."""
    import matplotlib

    from transformer_course import __version__

    return (
        f"Python {platform.python_version()}, torch {torch.__version__}, "
        f"NumPy {np.__version__}\n"
        f"matplotlib {matplotlib.__version__}, transformer_course {__version__}"
    )


def setup(seed: int = DEFAULT_SEED) -> torch.Generator:
    """Seed everything, apply the course's figure style and print the versions."""
    from transformer_course import figures

    generator = seed_everything(seed)
    figures.use_style()
    print(versions())
    return generator


def in_kernel() -> bool:
    """True in a live notebook kernel that can show widgets.

    The site build sets TRANSFORMER_COURSE_STATIC=1 while it executes the
    chapters, so the same call draws a kernel-free control on the static page.
    """
    if os.environ.get("TRANSFORMER_COURSE_STATIC") == "1":
        return False
    return "ipykernel" in sys.modules


def glue(name: str, value, display: bool = False) -> None:
    """Make `value` quotable in the chapter's prose as {glue:}`name`.

    On the site myst-nb inserts the value the chapter computed, so no number in
    the text is typed by hand. Where myst-nb is not installed (Colab) this does
    nothing.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(name, value, display=display)
