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
