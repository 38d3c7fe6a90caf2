package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A {@code rope_scaling} entry of {@code config.json}: how the rotary inverse frequencies are rescaled, one record
 * per Hugging Face {@code rope_type}, each following its {@code _compute_*_parameters} in
 * {@code modeling_rope_utils.py}. {@link DecoderConfigJson} maps {@code rope_type} to the reader of its record.
 *
 * <p>Some types depend on the sequence length of the forward ({@code seqLen} = the largest position + 1, as
 * Hugging Face's {@code dynamic_rope_update} takes it): {@link RotaryEmbedding} asks {@link #regime} which table a
 * forward needs and rebuilds its tables when that changes.
 */
public sealed interface RopeScaling permits LinearRope, Llama3Rope, YarnRope, DynamicNtkRope, LongRope {

    /** Hugging Face's {@code rope_type}. */
    String type();

    /**
     * The float32 inverse frequencies, one per rotated pair, for a forward whose sequence length is {@code seqLen}.
     * @param dim   the rotated dimensions of a head (head_dim · partial_rotary_factor)
     * @param theta {@code rope_theta}
     */
    float[] invFreq(int dim, double theta, int seqLen);

    /**
     * Checks this entry against the rotated dimensions of a head.
     * @throws DecoderConfigException naming the key that does not fit
     */
    default void check(int dim) {
    }

    /** The factor cos and sin are multiplied by (Hugging Face's {@code attention_scaling}). */
    default double attentionFactor() {
        return 1.0;
    }

    /** Forwards whose sequence lengths give the same regime share one table: 0 for types that never change. */
    default int regime(int seqLen) {
        return 0;
    }

    /**
     * The cache length from which KV-cache entries computed at or below it no longer match what a full forward
     * over a longer sequence would compute, so generation must run the whole sequence again once it grows past
     * it (LongRoPE's short → long switch); {@link Integer#MAX_VALUE} when cached keys stay valid.
     */
    default int cacheStaleAfter() {
        return Integer.MAX_VALUE;
    }

    /** Writes this entry's keys into the {@code rope_scaling} object (and top-level keys into {@code config}). */
    void write(ObjectNode scaling, ObjectNode config);

    /** Llama 3.1's frequency-dependent scaling. */
    static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMax) {
        return new Llama3Rope(factor, lowFreqFactor, highFreqFactor, originalMax);
    }

    /** Position interpolation: every frequency divided by {@code factor}. */
    static RopeScaling linear(double factor) {
        return new LinearRope(factor);
    }
}
