"""The first cell of every chapter: seeding, versions, glue."""

import torch

from transformer_course import notebook


def test_seeding_makes_runs_repeat():
    notebook.seed_everything(5)
    first = torch.randn(4)
    generator = notebook.seed_everything(5)
    assert torch.equal(first, torch.randn(4))
    again = notebook.seed_everything(5)
    assert torch.equal(
        torch.rand(3, generator=generator), torch.rand(3, generator=again)
    )


def test_versions_name_torch_and_the_package():
    text = notebook.versions()
    assert torch.__version__ in text and "transformer_course" in text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_static_flag_turns_off_the_kernel(monkeypatch):
    monkeypatch.setenv("TRANSFORMER_COURSE_STATIC", "1")
    assert notebook.in_kernel() is False
