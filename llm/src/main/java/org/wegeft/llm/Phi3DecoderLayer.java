package org.wegeft.llm;

/**
 * One pre-norm Phi-3 block ({@link PreNormDecoderLayer}) with the fused {@link Phi3Attention} ({@code qkv_proj}) and
 * {@link Phi3Mlp} ({@code gate_up_proj}); residual dropout is 0 at inference.
 */
public final class Phi3DecoderLayer extends PreNormDecoderLayer<Phi3Attention, Phi3Mlp> {
    Phi3DecoderLayer(String prefix, DecoderConfig c, AttentionOptions attention, WeightSource w) {
        super(prefix, c, new Phi3Attention(prefix + "self_attn.", c, attention, w), new Phi3Mlp(prefix + "mlp.", c, w),
                w);
    }
}
