"""Tests of the small world: grammar, tokenizers, probes and batching."""

import pytest

from transformer_course.data import grammar
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
