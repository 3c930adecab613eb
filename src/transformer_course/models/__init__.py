"""Every model of the story, one module per family."""

from transformer_course.models.attention import (
    MultiHeadAttention,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)
from transformer_course.models.layers import FeedForward, LayerNorm, ResidualSublayer
from transformer_course.models.positional import (
    LearnedPositionalEncoding,
    SinusoidalPositionalEncoding,
    TokenEmbedding,
    sinusoidal_encoding,
)
from transformer_course.models.transformer import (
    Decoder,
    DecoderLayer,
    DecoderOnly,
    Encoder,
    EncoderLayer,
    Transformer,
    attention_maps,
    record_attention,
)

# Other model families append their names with `__all__ += [...]`.
__all__ = [
    "Decoder",
    "DecoderLayer",
    "DecoderOnly",
    "Encoder",
    "EncoderLayer",
    "FeedForward",
    "LayerNorm",
    "LearnedPositionalEncoding",
    "MultiHeadAttention",
    "ResidualSublayer",
    "SinusoidalPositionalEncoding",
    "TokenEmbedding",
    "Transformer",
    "attention_maps",
    "causal_mask",
    "padding_mask",
    "record_attention",
    "scaled_dot_product_attention",
    "sinusoidal_encoding",
]

# Before the transformer: the window MLP (chapter 2), recurrent networks
# (chapter 3) and the RNN encoder-decoder (chapter 4).
from transformer_course.models.rnn import (
    RecurrentClassifier,
    RecurrentLM,
    StepRNN,
    gradient_by_distance,
)
from transformer_course.models.seq2seq import (
    AdditiveAttention,
    RNNEncoderDecoder,
)
from transformer_course.models.window import WindowLM, make_windows

__all__ += [
    "AdditiveAttention",
    "RNNEncoderDecoder",
    "RecurrentClassifier",
    "RecurrentLM",
    "StepRNN",
    "WindowLM",
    "gradient_by_distance",
    "make_windows",
]
