package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code "linear"} rope scaling (position interpolation): every inverse frequency divided by {@code factor}, as
 * Hugging Face's {@code _compute_linear_scaling_rope_parameters}.
 *
 * @param factor {@code factor}, positive
 */
public record LinearRope(double factor) implements RopeScaling {
    public LinearRope {
        RopeFields.requirePositive("factor", factor);
    }

    static LinearRope read(RopeFields f) {
        return new LinearRope(f.requiredNumber("factor"));
    }

    @Override
    public String type() {
        return "linear";
    }

    @Override
    public float[] invFreq(int dim, double theta, int seqLen) {
        float[] inv = RotaryEmbedding.baseInvFreq(dim, theta);
        for (int i = 0; i < inv.length; i++) {
            inv[i] = inv[i] / (float) factor;
        }
        return inv;
    }

    @Override
    public void write(ObjectNode scaling, ObjectNode config) {
        scaling.put("factor", factor);
    }
}
