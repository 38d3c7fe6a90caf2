package org.wegeft.llm;

import org.jspecify.annotations.Nullable;

/**
 * How one layer's self-attention computes, as its family and config say.
 *
 * @param layer   the layer's index (its slot in the KV cache)
 * @param qkvBias biases on the q, k and v projections
 * @param oBias   a bias on the output projection
 * @param scale   the factor on q·kᵀ (1/√head_dim unless the config says otherwise)
 * @param softcap scores become {@code softcap·tanh(score/softcap)} before masking, or null
 * @param window  how many tokens a query sees (itself included), or null for full causal attention
 * @param rope    which rotary table of the {@link BlockContext} rotates q and k: {@link #GLOBAL_ROPE} or
 *                {@link #LOCAL_ROPE}
 */
record AttentionOptions(int layer, boolean qkvBias, boolean oBias, float scale, @Nullable Float softcap,
        @Nullable Integer window, int rope) {
    static final int GLOBAL_ROPE = 0;
    static final int LOCAL_ROPE = 1;

    /** Layer {@code layer} of {@code c}: its window from layer_types, the extras' scale and soft-cap. */
    static AttentionOptions of(DecoderConfig c, int layer, boolean oBias) {
        DecoderConfig.Extras e = c.extras();
        double scalar = e.queryPreAttnScalar() > 0 ? e.queryPreAttnScalar() : c.headDim();
        Double cap = e.attnLogitSoftcapping();
        Integer window = c.window(layer);
        int rope = window != null && e.ropeLocalBaseFreq() != null ? LOCAL_ROPE : GLOBAL_ROPE;
        return new AttentionOptions(layer, c.attentionBias(), oBias, (float) (1.0 / Math.sqrt(scalar)),
                cap == null ? null : cap.floatValue(), window, rope);
    }
}
