package org.wegeft.llm;

/**
 * One pre-norm LLaMA block ({@link PreNormDecoderLayer}) with {@link LlamaAttention} and the gated {@link LlamaMlp};
 * Mistral and the Qwens use it too.
 */
public final class LlamaDecoderLayer extends PreNormDecoderLayer<LlamaAttention, LlamaMlp> {
    LlamaDecoderLayer(String prefix, DecoderConfig c, AttentionOptions attention, boolean qkNorm, WeightSource w) {
        super(prefix, c, new LlamaAttention(prefix + "self_attn.", c, attention, qkNorm, w),
                new LlamaMlp(prefix + "mlp.", c, w), w);
    }
}
