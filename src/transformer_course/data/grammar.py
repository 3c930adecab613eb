"""The small world: short English sentences and their correct French translations.

A sentence is one or more clauses joined by "and" or "but". A clause is a
subject, a verb in the present tense and, for a transitive verb, an object:

    the small cat sleeps and some girls hold a red ball .
    le petit chat dort et des filles tiennent une balle rouge .

The French side shows what the translation chapters need a model to learn:
word order differs (most adjectives follow the noun), and determiners,
adjectives and verbs agree with their noun in gender and number.

Text is lowercase, one space between tokens, and the full stop is a token of
its own. Commas are left out (French would write ", mais") to keep the
tokens simple. Every noun starts with a consonant, so le, la, un and une never
turn into l'.

The word "bat" has two senses: the animal (la chauve-souris) and the club
(la batte). The verb decides which: a bat that flies, sleeps, runs, sees or
hears, or is seen or heard, is the animal; a bat that is held, dropped or
thrown is the club. A model must look at the neighbours of "bat" to
translate it.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

# What a noun is, which decides the verbs and adjectives it goes with.
PERSON, ANIMAL, WINGED, THING = "person", "animal", "winged", "thing"

# The lexicon. Each entry is one object, compared by identity (eq=False), which
# keeps the two entries spelled "bat" apart and makes sentences quick to hash.


@dataclass(frozen=True, eq=False)
class Noun:
    english: tuple[str, str]  # singular, plural
    french: tuple[str, str]  # singular, plural
    feminine: bool
    kinds: frozenset[str]


@dataclass(frozen=True, eq=False)
class Adjective:
    english: str
    french: tuple[str, str, str, str]  # masc. sing., fem. sing., masc. pl., fem. pl.
    before_noun: bool  # in French; in English every adjective comes before
    fits: frozenset[str]  # the kinds of noun it describes

    def agree(self, noun: Noun, plural: bool) -> str:
        return self.french[2 * plural + noun.feminine]


@dataclass(frozen=True, eq=False)
class Verb:
    english: tuple[str, str]  # he ..., they ...
    french: tuple[str, str]  # il ..., ils ...
    subjects: frozenset[str]  # the kinds of noun that can do it
    objects: frozenset[str] | None  # None: intransitive


def _noun(english: str, french: str, gender: str, *kinds: str) -> Noun:
    return Noun(
        tuple(english.split()), tuple(french.split()), gender == "f", frozenset(kinds)
    )


def _adjective(english: str, french: str, position: str, *fits: str) -> Adjective:
    return Adjective(
        english, tuple(french.split()), position == "before", frozenset(fits)
    )


def _verb(
    english: str, french: str, subjects: set[str], objects: set[str] | None = None
) -> Verb:
    return Verb(
        tuple(english.split()),
        tuple(french.split()),
        frozenset(subjects),
        None if objects is None else frozenset(objects),
    )


NOUNS = (
    _noun("cat cats", "chat chats", "m", ANIMAL),
    _noun("dog dogs", "chien chiens", "m", ANIMAL),
    _noun("cow cows", "vache vaches", "f", ANIMAL),
    _noun("bat bats", "chauve-souris chauves-souris", "f", ANIMAL, WINGED),
    _noun("boy boys", "garçon garçons", "m", PERSON),
    _noun("girl girls", "fille filles", "f", PERSON),
    _noun("bat bats", "batte battes", "f", THING),  # the club: only ever handled
    _noun("ball balls", "balle balles", "f", THING),
    _noun("book books", "livre livres", "m", THING),
    _noun("cup cups", "tasse tasses", "f", THING),
    _noun("pen pens", "stylo stylos", "m", THING),
)

ADJECTIVES = (
    _adjective("red", "rouge rouge rouges rouges", "after", ANIMAL, THING),
    _adjective("black", "noir noire noirs noires", "after", ANIMAL, THING),
    _adjective("green", "vert verte verts vertes", "after", ANIMAL, THING),
    _adjective("blue", "bleu bleue bleus bleues", "after", ANIMAL, THING),
    _adjective("small", "petit petite petits petites", "before", PERSON, ANIMAL, THING),
    _adjective("big", "grand grande grands grandes", "before", PERSON, ANIMAL, THING),
    _adjective("young", "jeune jeune jeunes jeunes", "before", PERSON, ANIMAL),
    _adjective("good", "bon bonne bons bonnes", "before", PERSON, ANIMAL, THING),
)

_ALIVE = {PERSON, ANIMAL}
VERBS = (
    _verb("sleeps sleep", "dort dorment", _ALIVE),
    _verb("runs run", "court courent", _ALIVE),
    _verb("flies fly", "vole volent", {WINGED}),
    _verb("sees see", "voit voient", _ALIVE, _ALIVE),
    _verb("hears hear", "entend entendent", _ALIVE, _ALIVE),
    _verb("holds hold", "tient tiennent", {PERSON}, {THING}),
    _verb("drops drop", "lâche lâchent", {PERSON}, {THING}),
    _verb("throws throw", "lance lancent", {PERSON}, {THING}),
)

CONJUNCTIONS = {"and": "et", "but": "mais"}
DETERMINERS = ("the", "a", "some")  # "a" is singular only, "some" plural only
ADJECTIVE_PROBABILITY = 0.4  # chance that a sampled noun phrase has an adjective


@dataclass(frozen=True)
class NounPhrase:
    noun: Noun
    plural: bool
    definite: bool
    adjective: Adjective | None = None


@dataclass(frozen=True)
class Clause:
    subject: NounPhrase
    verb: Verb
    object: NounPhrase | None = None


@dataclass(frozen=True)
class Sentence:
    clauses: tuple[Clause, ...]
    conjunctions: tuple[str, ...]  # one fewer than clauses


@dataclass(frozen=True)
class Pair:
    """One English sentence and its French translation."""

    english: str
    french: str


# ---------------------------------------------------------------------------
# Rendering. A part of a sentence becomes a list of (english, french) word
# links in English order, plus the order in which French says those words.
# The alignment of the two sentences falls out for free.

_Part = tuple[list[tuple[str, str]], list[int]]


def _join(parts: list[_Part]) -> _Part:
    links: list[tuple[str, str]] = []
    order: list[int] = []
    for part_links, part_order in parts:
        order += [len(links) + i for i in part_order]
        links += part_links
    return links, order


def _noun_phrase(phrase: NounPhrase) -> _Part:
    noun, plural, adjective = phrase.noun, phrase.plural, phrase.adjective
    if phrase.definite:
        english, french = "the", "les" if plural else ("la" if noun.feminine else "le")
    elif plural:
        # Written French says "de", not "des", before an adjective that comes
        # before its noun: des chats noirs, but de petits chats.
        before = adjective is not None and adjective.before_noun
        english, french = "some", "de" if before else "des"
    else:
        english, french = "a", "une" if noun.feminine else "un"
    links = [(english, french)]
    if adjective is not None:
        links.append((adjective.english, adjective.agree(noun, plural)))
    links.append((noun.english[plural], noun.french[plural]))
    if adjective is None or adjective.before_noun:
        return links, list(range(len(links)))
    return links, [0, 2, 1]  # the noun before its adjective


def _clause(clause: Clause) -> _Part:
    plural = clause.subject.plural
    verb = (clause.verb.english[plural], clause.verb.french[plural])
    parts = [_noun_phrase(clause.subject), ([verb], [0])]
    if clause.object is not None:
        parts.append(_noun_phrase(clause.object))
    return _join(parts)


def _render(sentence: Sentence) -> tuple[Pair, list[tuple[int, int]]]:
    parts = [_clause(sentence.clauses[0])]
    for conjunction, clause in zip(
        sentence.conjunctions, sentence.clauses[1:], strict=True
    ):
        parts += [([(conjunction, CONJUNCTIONS[conjunction])], [0]), _clause(clause)]
    links, order = _join([*parts, ([(".", ".")], [0])])
    english = " ".join(en for en, _ in links)
    french = " ".join(links[i][1] for i in order)
    alignment = sorted((i, j) for j, i in enumerate(order))
    return Pair(english, french), alignment


# ---------------------------------------------------------------------------
# Sampling and counting.


@functools.cache
def _fitting_nouns(kinds: frozenset[str]) -> list[Noun]:
    return [noun for noun in NOUNS if noun.kinds & kinds]


@functools.cache
def _fitting_adjectives(noun: Noun) -> list[Adjective]:
    return [adjective for adjective in ADJECTIVES if adjective.fits & noun.kinds]


def _sample_noun_phrase(rng: random.Random, kinds: frozenset[str]) -> NounPhrase:
    noun = rng.choice(_fitting_nouns(kinds))
    adjective = None
    if rng.random() < ADJECTIVE_PROBABILITY:
        adjective = rng.choice(_fitting_adjectives(noun))
    return NounPhrase(noun, rng.random() < 0.5, rng.random() < 0.5, adjective)


def _sample_sentence(rng: random.Random, n_clauses: int) -> Sentence:
    clauses = []
    for _ in range(n_clauses):
        verb = rng.choice(VERBS)
        subject = _sample_noun_phrase(rng, verb.subjects)
        obj = None if verb.objects is None else _sample_noun_phrase(rng, verb.objects)
        clauses.append(Clause(subject, verb, obj))
    conjunctions = tuple(rng.choice(list(CONJUNCTIONS)) for _ in range(n_clauses - 1))
    return Sentence(tuple(clauses), conjunctions)


def _all_noun_phrases(kinds: frozenset[str]) -> Iterator[NounPhrase]:
    for noun in _fitting_nouns(kinds):
        for adjective in [None, *_fitting_adjectives(noun)]:
            for plural, definite in itertools.product((False, True), repeat=2):
                yield NounPhrase(noun, plural, definite, adjective)


def all_clauses() -> Iterator[Clause]:
    """Every clause the grammar can make, in a fixed order."""
    for verb in VERBS:
        objects = [None] if verb.objects is None else _all_noun_phrases(verb.objects)
        for subject, obj in itertools.product(
            _all_noun_phrases(verb.subjects), list(objects)
        ):
            yield Clause(subject, verb, obj)


def _clause_range(n_clauses: int | tuple[int, int]) -> tuple[int, int]:
    lo, hi = (n_clauses, n_clauses) if isinstance(n_clauses, int) else n_clauses
    if not (isinstance(lo, int) and isinstance(hi, int) and 1 <= lo <= hi):
        raise ValueError(
            "n_clauses should be a whole number of at least 1, or a pair (lo, hi) "
            f"with 1 <= lo <= hi, got {n_clauses!r}"
        )
    return lo, hi


@functools.cache
def _n_one_clause() -> int:
    return sum(1 for _ in all_clauses())


def count_sentences(n_clauses: int | tuple[int, int] = 1) -> int:
    """How many distinct sentences have `n_clauses` clauses (or lo..hi of them)."""
    lo, hi = _clause_range(n_clauses)
    n_one = _n_one_clause()
    n_joins = len(CONJUNCTIONS)
    return sum(n_one**k * n_joins ** (k - 1) for k in range(lo, hi + 1))


def _all_sentences(lo: int, hi: int) -> Iterator[Sentence]:
    clauses = list(all_clauses())
    for k in range(lo, hi + 1):
        for chosen in itertools.product(clauses, repeat=k):
            for joins in itertools.product(CONJUNCTIONS, repeat=k - 1):
                yield Sentence(chosen, joins)


def generate_pairs(
    n: int, seed: int = 0, n_clauses: int | tuple[int, int] = (1, 2)
) -> list[Pair]:
    """Sample `n` distinct (English, French) pairs; the same seed gives the same list.

    `n_clauses` is the number of clauses per sentence, or a pair (lo, hi) from
    which each sentence draws its number uniformly.
    """
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"n should be a whole number >= 0, got {n!r}")
    lo, hi = _clause_range(n_clauses)
    total = count_sentences((lo, hi))
    if n > total:
        raise ValueError(
            f"cannot make {n} distinct pairs with n_clauses={n_clauses!r}: the "
            f"grammar has only {total} distinct sentences of that length; ask for "
            "fewer or allow more clauses"
        )
    rng = random.Random(seed)
    if 2 * n > total:
        # Drawing until n are distinct would crawl when most must be found, so
        # choose n of all the sentences instead (possible only when few exist).
        chosen = rng.sample(list(_all_sentences(lo, hi)), n)
        return [_render(sentence)[0] for sentence in chosen]
    # Each English sentence has one tree, so distinct trees are distinct pairs.
    sentences: dict[Sentence, None] = {}  # an ordered set, in the order drawn
    while len(sentences) < n:
        sentences[_sample_sentence(rng, rng.randint(lo, hi))] = None
    return [_render(sentence)[0] for sentence in sentences]


def english_corpus(
    n: int, seed: int = 0, n_clauses: int | tuple[int, int] = (1, 3)
) -> list[str]:
    """`n` distinct English sentences, for the language-model chapters."""
    return [pair.english for pair in generate_pairs(n, seed, n_clauses)]


def french_corpus(
    n: int, seed: int = 0, n_clauses: int | tuple[int, int] = (1, 3)
) -> list[str]:
    """`n` French sentences: the translations of `english_corpus` for the same seed."""
    return [pair.french for pair in generate_pairs(n, seed, n_clauses)]


@dataclass
class Splits:
    """Training, validation and test pairs; no English sentence is in two of them."""

    train: list[Pair]
    val: list[Pair]
    test: list[Pair]


def make_splits(
    n_train: int,
    n_val: int,
    n_test: int,
    seed: int = 0,
    n_clauses: int | tuple[int, int] = (1, 2),
) -> Splits:
    """Draw distinct pairs once and cut them into three splits."""
    sizes = {"n_train": n_train, "n_val": n_val, "n_test": n_test}
    for name, size in sizes.items():
        if not isinstance(size, int) or size < 0:
            raise ValueError(f"{name} should be a whole number >= 0, got {size!r}")
    pairs = generate_pairs(n_train + n_val + n_test, seed, n_clauses)
    return Splits(
        pairs[:n_train], pairs[n_train : n_train + n_val], pairs[n_train + n_val :]
    )


# ---------------------------------------------------------------------------
# Reading a sentence back: translation and alignment of any sentence the
# grammar can write, and a clear message for one it cannot.


def _lexicon() -> tuple[dict, dict, dict]:
    nouns: dict[str, list[tuple[Noun, bool]]] = {}
    for noun in NOUNS:
        for plural, word in enumerate(noun.english):
            nouns.setdefault(word, []).append((noun, bool(plural)))
    verbs = {
        word: (verb, bool(p)) for verb in VERBS for p, word in enumerate(verb.english)
    }
    adjectives = {adjective.english: adjective for adjective in ADJECTIVES}
    return nouns, verbs, adjectives


_NOUN_WORDS, _VERB_WORDS, _ADJECTIVE_WORDS = _lexicon()


def english_vocabulary() -> list[str]:
    """Every English token the grammar can write, sorted."""
    words = {*DETERMINERS, *_NOUN_WORDS, *_VERB_WORDS, *_ADJECTIVE_WORDS}
    return sorted(words | set(CONJUNCTIONS) | {"."})


def french_vocabulary() -> list[str]:
    """Every French token the grammar can write, sorted."""
    words = {"le", "la", "les", "un", "une", "des", "de", ".", *CONJUNCTIONS.values()}
    for noun in NOUNS:
        words.update(noun.french)
    for adjective in ADJECTIVES:
        words.update(adjective.french)
    for verb in VERBS:
        words.update(verb.french)
    return sorted(words)


_ENGLISH_WORDS = frozenset(english_vocabulary())


class _Reader:
    """Reads the tokens of one English clause, left to right."""

    def __init__(self, tokens: list[str], sentence: str):
        self.tokens, self.sentence, self.at = tokens, sentence, 0

    def fail(self, why: str) -> ValueError:
        return ValueError(f"{self.sentence!r} is not a sentence of the grammar: {why}")

    def next(self, expected: str) -> str:
        if self.at == len(self.tokens):
            raise self.fail(f"a clause ends where {expected} was expected")
        self.at += 1
        return self.tokens[self.at - 1]

    def noun_phrase(self, kinds: frozenset[str], role: str) -> NounPhrase:
        """Read a determiner, an optional adjective and a noun of one of `kinds`."""
        determiner = self.next("a determiner")
        if determiner not in DETERMINERS:
            raise self.fail(f"expected one of {DETERMINERS}, got {determiner!r}")
        word = self.next("a noun")
        adjective = _ADJECTIVE_WORDS.get(word)
        if adjective is not None:
            word = self.next("a noun")
        if word not in _NOUN_WORDS:
            raise self.fail(f"expected a noun after {determiner!r}, got {word!r}")
        # "bat" has two entries; the verb's subject or object kinds pick one.
        senses = [(n, p) for n, p in _NOUN_WORDS[word] if n.kinds & kinds]
        if not senses:
            raise self.fail(f"{word!r} cannot be the {role}")
        noun, plural = senses[0]
        if (determiner == "a" and plural) or (determiner == "some" and not plural):
            raise self.fail(f"{determiner!r} does not go with {word!r}")
        if adjective is not None and not adjective.fits & noun.kinds:
            raise self.fail(f"{adjective.english!r} does not describe {word!r} here")
        return NounPhrase(noun, plural, determiner == "the", adjective)

    def clause(self) -> Clause:
        # The verb decides what the subject may be, so read it first.
        if not self.tokens:
            raise self.fail("'and' and 'but' need a clause on each side")
        verb_at = next((i for i, t in enumerate(self.tokens) if t in _VERB_WORDS), None)
        if verb_at is None:
            raise self.fail(f"no verb in {' '.join(self.tokens)!r}")
        verb_word = self.tokens[verb_at]
        verb, plural = _VERB_WORDS[verb_word]
        subject = self.noun_phrase(verb.subjects, f"subject of {verb_word!r}")
        if self.at != verb_at or self.next("a verb") not in _VERB_WORDS:
            raise self.fail(
                f"expected a verb after {' '.join(self.tokens[: self.at])!r}"
            )
        if subject.plural != plural:
            raise self.fail(f"the verb {verb_word!r} does not agree with its subject")
        obj = None
        if verb.objects is not None:
            obj = self.noun_phrase(verb.objects, f"object of {verb_word!r}")
        if self.at != len(self.tokens):
            raise self.fail(f"unexpected {self.tokens[self.at]!r} after a full clause")
        return Clause(subject, verb, obj)


def _parse(english: str) -> Sentence:
    if not isinstance(english, str):
        raise TypeError(f"expected an English sentence as a str, got {type(english)}")
    tokens = english.split()
    known = _ENGLISH_WORDS
    unknown = [t for t in tokens if t not in known]
    if unknown:
        raise ValueError(
            f"{english!r} is not a sentence of the grammar: it has no word "
            f"{unknown[0]!r} (its words are lowercase: {' '.join(sorted(known))})"
        )
    if not tokens or tokens[-1] != "." or "." in tokens[:-1]:
        raise ValueError(
            f"{english!r} is not a sentence of the grammar: a sentence ends with "
            "' .' and has no other full stop"
        )
    clauses: list[list[str]] = [[]]
    conjunctions = []
    for token in tokens[:-1]:
        if token in CONJUNCTIONS:
            conjunctions.append(token)
            clauses.append([])
        else:
            clauses[-1].append(token)
    return Sentence(
        tuple(_Reader(words, english).clause() for words in clauses),
        tuple(conjunctions),
    )


def count_clauses(english: str) -> int:
    """The number of clauses of a sentence of the grammar: its conjunctions + 1."""
    return 1 + sum(word in CONJUNCTIONS for word in english.split())


def group_by_clauses(pairs: Sequence[Pair]) -> dict[int, list[Pair]]:
    """The pairs grouped by the number of clauses of their English side."""
    groups: dict[int, list[Pair]] = {}
    for pair in pairs:
        groups.setdefault(count_clauses(pair.english), []).append(pair)
    return dict(sorted(groups.items()))


def translate(english: str) -> str:
    """The grammar's French translation of an English sentence it can write."""
    return _render(_parse(english))[0].french


def align(pair: Pair) -> list[tuple[int, int]]:
    """Which words translate which: (English token index, French token index) pairs.

    Every token has exactly one partner, so the list is as long as the
    sentence; the indices cross where French puts an adjective after its noun.
    """
    rendered, alignment = _render(_parse(pair.english))
    if rendered.french != pair.french:
        raise ValueError(
            f"{pair.french!r} is not the grammar's translation of {pair.english!r}, "
            f"which is {rendered.french!r}"
        )
    return alignment
