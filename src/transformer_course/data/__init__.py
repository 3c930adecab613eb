"""The small world of the course: every dataset is made here, nothing is downloaded.

- `grammar`: English sentences and their French translations.
- `tokenizers`: words, characters and byte-pair subwords to ids and back.
- `batching`: padded tensors and masks for translation models.
- `probes`: one-ability tasks (delayed copy, reverse, sort) as tensors.
"""

from transformer_course.data.batching import (
    TranslationBatch,
    TranslationData,
    pad_batch,
)
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
from transformer_course.data.probes import delayed_copy, reverse, sort
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
    "TranslationBatch",
    "TranslationData",
    "WordTokenizer",
    "align",
    "bpe_segment",
    "count_sentences",
    "delayed_copy",
    "english_corpus",
    "english_vocabulary",
    "french_corpus",
    "french_vocabulary",
    "generate_pairs",
    "learn_bpe",
    "make_splits",
    "pad_batch",
    "reverse",
    "sort",
    "translate",
]
