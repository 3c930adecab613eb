"""The small world of the course: every dataset is made here, nothing is downloaded.

- `grammar`: English sentences and their French translations.
- `tokenizers`: words, characters and byte-pair subwords to ids and back.
"""

from transformer_course.data.grammar import (
    Pair,
    Splits,
    align,
    count_sentences,
    english_corpus,
    english_vocabulary,
    french_corpus,
    french_vocabulary,
    generate_pairs,
    make_splits,
    translate,
)
from transformer_course.data.tokenizers import (
    END,
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

__all__ = [
    "END",
    "PAD",
    "SPECIALS",
    "START",
    "UNK",
    "BpeStep",
    "CharTokenizer",
    "Pair",
    "Splits",
    "WordTokenizer",
    "align",
    "bpe_segment",
    "count_sentences",
    "english_corpus",
    "english_vocabulary",
    "french_corpus",
    "french_vocabulary",
    "generate_pairs",
    "learn_bpe",
    "make_splits",
    "translate",
]
