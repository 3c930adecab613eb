"""The helpers of chapter 4's experiments, on a tiny untrained translator."""

import matplotlib.pyplot as plt
import pytest
import torch

from transformer_course.data import Pair, TranslationData, grammar
from transformer_course.experiments import ch04
from transformer_course.models.seq2seq import RNNEncoderDecoder


@pytest.fixture(scope="module")
def data():
    return TranslationData.from_grammar(20, 0, 12, seed=1, n_clauses=(1, 2))


def model(data, attention):
    torch.manual_seed(0)
    return RNNEncoderDecoder(
        len(data.src_tokenizer),
        len(data.tgt_tokenizer),
        d_embed=8,
        hidden_size=16,
        attention=attention,
    )


def test_n_clauses_counts_conjunctions():
    assert ch04.n_clauses("the cat sleeps .") == 1
    assert ch04.n_clauses("the cat sleeps and a dog runs but the boy runs .") == 3


def test_by_clauses_groups_every_pair_in_order(data):
    groups = ch04.by_clauses(data.splits.test)
    assert list(groups) == sorted(groups)
    assert sum(map(len, groups.values())) == len(data.splits.test)
    for k, pairs in groups.items():
        assert all(ch04.n_clauses(p.english) == k for p in pairs)


def test_exact_match_by_clauses_is_a_fraction(data):
    groups = ch04.by_clauses(data.splits.test)
    scores = ch04.exact_match_by_clauses(model(data, False), data, groups)
    assert set(scores) == set(groups)
    assert all(0.0 <= s <= 1.0 for s in scores.values())


def test_attention_map_has_one_row_per_french_token_and_sums_to_one(data):
    english = "the red cat sleeps ."
    pair = Pair(english, grammar.translate(english))
    weights, en, fr = ch04.attention_map(model(data, True), data, pair)
    assert en == english.split()
    assert fr == [*pair.french.split(), "</s>"]
    assert weights.shape == (len(fr), len(en))
    torch.testing.assert_close(weights.sum(-1), torch.ones(len(fr)))


def test_attention_map_needs_attention(data):
    pair = data.splits.test[0]
    with pytest.raises(ValueError, match="no attention"):
        ch04.attention_map(model(data, False), data, pair)


def test_alignment_agreement_is_between_zero_and_one(data):
    result = ch04.alignment_agreement(model(data, True), data, data.splits.test)
    assert 0.0 <= result["agreement"] <= 1.0
    assert 0.0 <= result["crossing"] <= 1.0
    assert 0.0 < result["chance"] < 0.5
    assert result["n_words"] == sum(len(p.french.split()) for p in data.splits.test)


def test_diagram_draws_both_variants():
    for attention in (False, True):
        fig, ax = plt.subplots()
        ch04.draw_encoder_decoder(ax, ["a", "b", "."], ["x", "y", "."], attention)
        assert ax.patches
        plt.close(fig)
