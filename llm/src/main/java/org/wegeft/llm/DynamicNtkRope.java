package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code "dynamic"} rope scaling (dynamic NTK), as Hugging Face's {@code _compute_dynamic_ntk_parameters}: up to
 * {@code max_position_embeddings} the frequencies are the unscaled ones; a forward over a longer sequence (L = its
 * largest position + 1) raises the base to {@code theta·(factor·L/max − (factor − 1))^(dim/(dim − 2))}.
 *
 * <p>The tables follow each forward's own length. Hugging Face's module keeps the longest length it has seen
 * (until a forward fits the original context again), so a shorter forward after a longer one can differ there;
 * in generation the length only grows and both agree. With a KV cache, keys cached before the length passed
 * {@code max_position_embeddings} keep the frequencies they were rotated with, as in Hugging Face's cache, so past
 * that length cached and uncached generation can differ (they agree up to it).
 *
 * @param factor                {@code factor}, positive
 * @param maxPositionEmbeddings the config's {@code max_position_embeddings}, the original context
 */
public record DynamicNtkRope(double factor, int maxPositionEmbeddings) implements RopeScaling {
    public DynamicNtkRope {
        RopeFields.requirePositive("factor", factor);
        RopeFields.requirePositive("max_position_embeddings", maxPositionEmbeddings);
    }

    static DynamicNtkRope read(RopeFields f) {
        return new DynamicNtkRope(f.requiredNumber("factor"), f.config().integer("max_position_embeddings", 2048));
    }

    @Override
    public String type() {
        return "dynamic";
    }

    @Override
    public float[] invFreq(int dim, double theta, int seqLen) {
        int len = Math.max(seqLen, maxPositionEmbeddings);
        double base = theta * Math.pow(factor * len / maxPositionEmbeddings - (factor - 1), (double) dim / (dim - 2));
        return RotaryEmbedding.baseInvFreq(dim, base);
    }

    @Override
    public int regime(int seqLen) {
        return seqLen <= maxPositionEmbeddings ? 0 : seqLen;
    }

    @Override
    public void write(ObjectNode scaling, ObjectNode config) {
        scaling.put("factor", factor);
    }
}
