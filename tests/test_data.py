"""Tests of the small world: grammar, tokenizers, probes and batching."""

import pytest
import torch

from transformer_course.data import grammar
from transformer_course.data.batching import TranslationData, pad_batch
from transformer_course.data.grammar import (
    Pair,
    align,
    count_sentences,
    english_corpus,
    french_corpus,
    generate_pairs,
    make_splits,
    translate,
)
from transformer_course.data.probes import delayed_copy, reverse, sort
from transformer_course.data.tokenizers import (
    END_OF_WORD,
    PAD,
    SPECIALS,
    START,
    UNK,
    BpeStep,
    CharTokenizer,
    WordTokenizer,
    bpe_segment,
    learn_bpe,
)

# ---------------------------------------------------------------------------
# Grammar


def test_same_seed_same_pairs_and_other_seed_other_pairs():
    assert generate_pairs(50, seed=3) == generate_pairs(50, seed=3)
    assert generate_pairs(50, seed=3) != generate_pairs(50, seed=4)
    assert english_corpus(20, seed=1) == english_corpus(20, seed=1)


def test_pairs_are_distinct_and_well_formed():
    pairs = generate_pairs(500, seed=0)
    assert len(pairs) == 500
    assert len({pair.english for pair in pairs}) == 500
    for pair in pairs:
        for text in (pair.english, pair.french):
            assert text == text.lower()
            assert text.endswith(" .")
            assert text == " ".join(text.split())  # single spaces, no edges


def test_corpora_are_the_two_sides_of_the_same_pairs():
    pairs = generate_pairs(30, seed=2, n_clauses=(1, 3))
    assert english_corpus(30, seed=2) == [pair.english for pair in pairs]
    assert french_corpus(30, seed=2) == [pair.french for pair in pairs]


@pytest.mark.parametrize(
    ("english", "french"),
    [
        # Postnominal adjectives follow the noun and agree with it.
        ("the girl holds a red cup .", "la fille tient une tasse rouge ."),
        ("some girls hold the black cups .", "des filles tiennent les tasses noires ."),
        ("the boys hold some green pens .", "les garçons tiennent des stylos verts ."),
        ("a blue cow sleeps .", "une vache bleue dort ."),
        # Prenominal adjectives come first, and "des" becomes "de" before them.
        ("a small girl runs .", "une petite fille court ."),
        ("some good cows sleep .", "de bonnes vaches dorment ."),
        ("the big dogs run .", "les grands chiens courent ."),
        # Verbs agree with the subject's number.
        ("the cats see a dog .", "les chats voient un chien ."),
        ("the cat sees some dogs .", "le chat voit des chiens ."),
        # Clauses are joined by conjunctions.
        ("a dog sleeps but the girls run .", "un chien dort mais les filles courent ."),
    ],
)
def test_french_agreement_and_word_order(english, french):
    assert translate(english) == french


def test_bat_is_translated_by_its_context():
    assert translate("the bat flies .") == "la chauve-souris vole ."
    assert translate("the boy sees a bat .") == "le garçon voit une chauve-souris ."
    assert translate("the boy holds a bat .") == "le garçon tient une batte ."
    assert translate("some girls drop the bats .") == "des filles lâchent les battes ."
    assert (
        translate("some bats hear a cat .") == "des chauves-souris entendent un chat ."
    )
    # In generated clauses both senses occur, and the verb decides which:
    # only a person handles a bat, and what a person handles is a club.
    handling = {"holds", "hold", "drops", "drop", "throws", "throw"}
    senses = set()
    for pair in generate_pairs(3000, seed=0, n_clauses=1):
        words = set(pair.english.split())
        if words & {"bat", "bats"}:
            club = bool(words & handling)
            senses.add(club)
            assert ("batte" in pair.french) == club
            assert ("chauve" in pair.french) == (not club)
    assert senses == {True, False}


def test_every_generated_pair_is_the_grammars_translation():
    for pair in generate_pairs(300, seed=7, n_clauses=(1, 3)):
        assert translate(pair.english) == pair.french


def test_n_clauses_controls_length():
    for k in (1, 2, 4):
        for pair in generate_pairs(100, seed=0, n_clauses=k):
            words = pair.english.split()
            assert sum(word in ("and", "but") for word in words) == k - 1
    short = generate_pairs(200, seed=0, n_clauses=1)
    long = generate_pairs(200, seed=0, n_clauses=3)
    mean_short = sum(len(p.english.split()) for p in short) / 200
    mean_long = sum(len(p.english.split()) for p in long) / 200
    assert mean_long > 2.5 * mean_short
    counts = {
        p.english.count(" and ") + p.english.count(" but ") + 1
        for p in generate_pairs(300, seed=0, n_clauses=(1, 3))
    }
    assert counts == {1, 2, 3}


def test_count_matches_the_distinct_clauses():
    clauses = list(grammar.all_clauses())
    rendered = {grammar._render(grammar.Sentence((c,), ()))[0].english for c in clauses}
    assert count_sentences(1) == len(clauses) == len(rendered)  # one parse each
    assert count_sentences(2) == count_sentences(1) ** 2 * 2
    assert count_sentences((1, 2)) == count_sentences(1) + count_sentences(2)


def test_impossible_n_is_explained():
    total = count_sentences(1)
    with pytest.raises(ValueError, match=f"only {total} distinct sentences"):
        generate_pairs(total + 1, n_clauses=1)
    with pytest.raises(ValueError, match="n_clauses"):
        generate_pairs(5, n_clauses=0)
    with pytest.raises(ValueError, match="n_clauses"):
        generate_pairs(5, n_clauses=(3, 2))
    with pytest.raises(ValueError, match="n should be"):
        generate_pairs(-1)


def test_splits_share_no_sentence():
    splits = make_splits(300, 50, 50, seed=1)
    assert (len(splits.train), len(splits.val), len(splits.test)) == (300, 50, 50)
    train, val, test = ({p.english for p in s} for s in splits.__dict__.values())
    assert not train & val
    assert not train & test
    assert not val & test
    assert make_splits(300, 50, 50, seed=1) == splits


def test_sentences_outside_the_grammar_get_a_clear_error():
    cases = {
        "the cat holds the ball .": "'cat' cannot be the subject of 'holds'",
        "the cats sleeps .": "does not agree",
        "a cats sleep .": "'a' does not go with 'cats'",
        "the dog barks .": "no word 'barks'",
        "the dog sleeps": "ends with ' .'",
        "and the dog sleeps .": "a clause on each side",
    }
    for english, message in cases.items():
        with pytest.raises(ValueError, match=message):
            translate(english)


def test_alignment_crosses_where_the_adjective_moves():
    pair = Pair("a black cat sleeps .", "un chat noir dort .")
    assert align(pair) == [(0, 0), (1, 2), (2, 1), (3, 3), (4, 4)]
    for pair in generate_pairs(100, seed=5):
        links = align(pair)
        assert sorted(i for i, _ in links) == list(range(len(pair.english.split())))
        assert sorted(j for _, j in links) == list(range(len(pair.french.split())))
    with pytest.raises(ValueError, match="not the grammar's translation"):
        align(Pair("a black cat sleeps .", "un noir chat dort ."))


def test_vocabulary_is_small_and_closed():
    english = grammar.english_vocabulary()
    assert 30 <= len(english) <= 60
    words = {
        w
        for p in generate_pairs(2000, seed=0, n_clauses=(1, 3))
        for w in p.english.split()
    }
    assert words <= set(english)
    french = {w for p in generate_pairs(2000, seed=0) for w in p.french.split()}
    assert french <= set(grammar.french_vocabulary())


# ---------------------------------------------------------------------------
# Tokenizers


@pytest.mark.parametrize("tokenizer_class", [WordTokenizer, CharTokenizer])
def test_tokenizers_round_trip_and_order(tokenizer_class):
    texts = english_corpus(200, seed=0)
    tokenizer = tokenizer_class.fit(texts)
    assert tokenizer.tokens[:4] == list(SPECIALS) == [PAD, START, "</s>", UNK]
    ids = (tokenizer.pad_id, tokenizer.start_id, tokenizer.end_id, tokenizer.unk_id)
    assert ids == (0, 1, 2, 3)
    assert tokenizer.tokens[4:] == sorted(tokenizer.tokens[4:])
    assert len(tokenizer) == len(tokenizer.tokens) == len(tokenizer.token_to_id)
    assert tokenizer_class.fit(reversed(texts)).tokens == tokenizer.tokens
    for text in texts[:50]:
        ids = tokenizer.encode(text, add_start=True, add_end=True)
        assert ids[0] == tokenizer.start_id
        assert ids[-1] == tokenizer.end_id
        assert tokenizer.decode(ids) == text
    with_specials = tokenizer.decode([1, *tokenizer.encode(texts[0])], False)
    assert with_specials.startswith(START)


def test_unknown_tokens_become_unk():
    words = WordTokenizer.fit(["the cat sleeps ."])
    assert words.encode("the dog sleeps .") == [
        words.token_to_id["the"],
        words.unk_id,
        words.token_to_id["sleeps"],
        words.token_to_id["."],
    ]
    assert words.decode(words.encode("the dog sleeps .")) == "the <unk> sleeps ."
    chars = CharTokenizer.fit(["abc"])
    assert chars.encode("abz") == [chars.token_to_id["a"], chars.token_to_id["b"], 3]


def test_tokenizer_errors_are_clear():
    with pytest.raises(ValueError, match="at least one text"):
        WordTokenizer.fit([])
    with pytest.raises(TypeError, match="single str"):
        WordTokenizer.fit("the cat sleeps .")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        WordTokenizer.fit(["a b"]).decode([99])
    with pytest.raises(ValueError, match="1-D"):
        WordTokenizer.fit(["a b"]).decode(torch.zeros(2, 3, dtype=torch.long))


def test_bpe_merges_the_most_frequent_pair_first_and_is_deterministic():
    words = ["low", "low", "low", "lower", "lowest", "newest", "newest", "widest"]
    steps = learn_bpe(words, 6)
    assert all(isinstance(step, BpeStep) for step in steps)
    # "lo" and "ow" occur 5 times each: the tie goes to the pair sorting first.
    assert steps[0].pair == ("l", "o")
    assert steps[0].count == 5
    assert steps[0].symbol == "lo"
    assert steps[0].segmentation["lower"] == ("lo", "w", "e", "r", END_OF_WORD)
    assert [step.count for step in steps] == sorted(
        (step.count for step in steps), reverse=True
    )
    assert learn_bpe(list(reversed(words)), 6) == steps
    assert bpe_segment("lowest", steps) == ["low", "est_"]
    assert bpe_segment("slow", [step.pair for step in steps]) == ["s", "low_"]
    # Applying the merges to a training word reproduces its learned segmentation.
    assert tuple(bpe_segment("newest", steps)) == steps[-1].segmentation["newest"]


def test_bpe_stops_when_nothing_is_left_to_merge_and_checks_input():
    assert len(learn_bpe(["ab", "ab"], 10)) == 2  # a b _ -> ab _ -> ab_
    with pytest.raises(ValueError, match="at least one word"):
        learn_bpe([], 3)
    with pytest.raises(ValueError, match="end-of-word marker"):
        learn_bpe(["snake_case"], 3)
    with pytest.raises(TypeError, match="single str"):
        learn_bpe("low lower", 3)


# ---------------------------------------------------------------------------
# Probes


def test_delayed_copy_target_is_the_first_token():
    inputs, targets = delayed_copy(200, delay=6, n_symbols=5, seed=1)
    assert inputs.shape == (200, 7)
    assert targets.shape == (200,)
    assert inputs.dtype == targets.dtype == torch.long
    assert torch.equal(targets, inputs[:, 0])
    assert int(inputs.min()) >= 0
    assert int(inputs.max()) <= 4
    assert delayed_copy(1, delay=0)[0].shape == (1, 1)


def test_probes_are_seeded():
    for probe in (reverse, sort):
        a, b = probe(50, 6, seed=2), probe(50, 6, seed=2)
        assert torch.equal(a[0], b[0])
        assert torch.equal(a[1], b[1])
        assert not torch.equal(a[0], probe(50, 6, seed=3)[0])
    assert not torch.equal(
        delayed_copy(50, 3, seed=0)[0], delayed_copy(50, 3, seed=1)[0]
    )


def test_reverse_and_sort_targets():
    inputs, targets = reverse(20, 7, seed=0)
    assert inputs.shape == targets.shape == (20, 7)
    assert targets.tolist() == [row[::-1] for row in inputs.tolist()]
    inputs, targets = sort(20, 7, seed=0)
    assert inputs.shape == targets.shape == (20, 7)
    assert targets.tolist() == [sorted(row) for row in inputs.tolist()]


def test_probe_errors_are_clear():
    with pytest.raises(ValueError, match="delay"):
        delayed_copy(10, delay=-1)
    with pytest.raises(ValueError, match="n_symbols"):
        reverse(10, 4, n_symbols=1)
    with pytest.raises(ValueError, match="number of examples"):
        sort(0, 4)


# ---------------------------------------------------------------------------
# Batching


def test_pad_batch_shapes_and_mask():
    ids, mask = pad_batch([[5, 6, 7], [8], []], pad_id=0)
    assert ids.shape == mask.shape == (3, 3)
    assert ids.dtype == torch.long
    assert mask.dtype == torch.bool
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0], [0, 0, 0]]
    assert mask.tolist() == [[True] * 3, [True, False, False], [False] * 3]
    with pytest.raises(ValueError, match="at least one sequence"):
        pad_batch([], pad_id=0)


def test_translation_batches_shift_the_target():
    data = TranslationData(make_splits(40, 5, 5, seed=0))
    src_tok, tgt_tok = data.src_tokenizer, data.tgt_tokenizer
    assert (src_tok.pad_id, tgt_tok.start_id, tgt_tok.end_id) == (0, 1, 2)
    batches = list(data.batches(data.splits.train, batch_size=16, seed=0))
    assert [len(batch) for batch in batches] == [16, 16, 8]
    seen = []
    for batch in batches:
        B, S = batch.src.shape
        T = batch.tgt_in.shape[1]
        assert batch.src_mask.shape == (B, S)
        assert batch.tgt_out.shape == batch.tgt_mask.shape == (B, T)
        assert torch.equal(batch.src_mask, batch.src != src_tok.pad_id)
        assert torch.equal(batch.tgt_mask, batch.tgt_out != tgt_tok.pad_id)
        assert (batch.tgt_in[:, 0] == tgt_tok.start_id).all()
        # tgt_in is tgt_out shifted right by one, start token in front.
        assert torch.equal(
            batch.tgt_in[:, 1:][batch.tgt_mask[:, 1:]],
            batch.tgt_out[:, :-1][batch.tgt_mask[:, 1:]],
        )
        lengths = batch.tgt_mask.sum(1)
        assert (batch.tgt_out[torch.arange(B), lengths - 1] == tgt_tok.end_id).all()
        for b in range(B):
            seen.append(
                Pair(src_tok.decode(batch.src[b]), tgt_tok.decode(batch.tgt_out[b]))
            )
    assert sorted(seen, key=str) == sorted(data.splits.train, key=str)


def test_batches_are_seeded_and_cover_val_and_test_words():
    data = TranslationData.from_grammar(64, 100, 100, seed=3)
    first = next(data.batches(data.splits.train, 8, seed=1))
    again = next(data.batches(data.splits.train, 8, seed=1))
    other = next(data.batches(data.splits.train, 8, seed=2))
    plain = next(data.batches(data.splits.train, 8, shuffle=False))
    assert torch.equal(first.src, again.src)
    assert not torch.equal(first.src, other.src)
    first_pair = data.splits.train[0].english
    assert plain.src[0][plain.src_mask[0]].tolist() == data.src_tokenizer.encode(
        first_pair
    )
    assert len(list(data.batches(data.splits.train, 10, drop_last=True))) == 6
    for src, tgt in data.encode_pairs(data.splits.val + data.splits.test):
        assert data.src_tokenizer.unk_id not in src
        assert data.tgt_tokenizer.unk_id not in tgt
    with pytest.raises(ValueError, match="batch_size"):
        next(data.batches(data.splits.train, 0))


def test_clauses_are_counted_and_grouped():
    count = grammar.count_clauses
    assert count("the cat sleeps .") == 1
    assert count("the cat sleeps and a dog runs but the bat flies .") == 3
    pairs = generate_pairs(30, seed=4, n_clauses=(1, 3))
    groups = grammar.group_by_clauses(pairs)
    assert list(groups) == sorted(groups) and sum(map(len, groups.values())) == 30
    assert all(count(p.english) == k for k, v in groups.items() for p in v)
