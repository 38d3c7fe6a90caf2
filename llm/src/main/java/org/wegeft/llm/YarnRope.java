package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code "yarn"} rope scaling (YaRN, arXiv 2309.00071), as Hugging Face's {@code _compute_yarn_parameters}: the
 * frequencies that turn fewer than {@code beta_slow} times over the original context are interpolated (divided by
 * {@code factor}), those that turn more than {@code beta_fast} times are kept, with a linear ramp over the
 * dimensions between; cos and sin are multiplied by the attention factor ({@code attention_factor}, else
 * {@code 0.1·ln(factor) + 1}, or with {@code mscale} and {@code mscale_all_dim} the ratio of those two mscales).
 * Computed in float32 as Hugging Face does.
 *
 * @param factor                        {@code factor}, positive
 * @param attentionFactor               the factor on cos and sin, resolved as above
 * @param betaFast                      {@code beta_fast} (default 32)
 * @param betaSlow                      {@code beta_slow} (default 1)
 * @param originalMaxPositionEmbeddings {@code original_max_position_embeddings}, else {@code max_position_embeddings}
 * @param truncate                      {@code truncate}: round the ramp's ends to whole dimensions (default true)
 */
public record YarnRope(double factor, double attentionFactor, double betaFast, double betaSlow,
        int originalMaxPositionEmbeddings, boolean truncate) implements RopeScaling {
    public YarnRope {
        RopeFields.requirePositive("factor", factor);
        RopeFields.requirePositive("attention_factor", attentionFactor);
        RopeFields.requirePositive("beta_fast", betaFast);
        RopeFields.requirePositive("beta_slow", betaSlow);
        RopeFields.requirePositive("original_max_position_embeddings", originalMaxPositionEmbeddings);
    }

    static YarnRope read(RopeFields f) {
        double factor = f.requiredNumber("factor");
        Double attention = f.optionalNumber("attention_factor");
        Double mscale = f.optionalNumber("mscale");
        Double mscaleAllDim = f.optionalNumber("mscale_all_dim");
        if (attention == null) {
            attention = mscale != null && mscale != 0 && mscaleAllDim != null && mscaleAllDim != 0
                    ? mscale(factor, mscale) / mscale(factor, mscaleAllDim)
                    : mscale(factor, 1);
        }
        // Hugging Face reads these three with `or`: absent, null and 0 all mean the default
        double fast = f.number("beta_fast", 0);
        double slow = f.number("beta_slow", 0);
        int original = f.integer("original_max_position_embeddings", 0);
        return new YarnRope(factor, attention, fast == 0 ? 32 : fast, slow == 0 ? 1 : slow,
                original == 0 ? f.config().integer("max_position_embeddings", 2048) : original,
                f.bool("truncate", true));
    }

    private static double mscale(double scale, double mscale) {
        return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
    }

    @Override
    public String type() {
        return "yarn";
    }

    /** The (fractional) dimension whose frequency turns {@code rotations} times over the original context. */
    private double correctionDim(double rotations, int dim, double theta) {
        return dim * Math.log(originalMaxPositionEmbeddings / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
    }

    @Override
    public float[] invFreq(int dim, double theta, int seqLen) {
        double low = correctionDim(betaFast, dim, theta);
        double high = correctionDim(betaSlow, dim, theta);
        if (truncate) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        low = Math.max(low, 0);
        high = Math.min(high, dim - 1);
        if (low == high) {
            high += 0.001;                                         // no zero-width ramp
        }
        int half = dim / 2;
        float[] out = new float[half];
        float f = (float) factor;
        for (int i = 0; i < half; i++) {
            float posFreq = (float) Math.pow((float) theta, (float) (2 * i) / dim);
            float extrapolation = 1f / posFreq;
            float interpolation = 1f / (f * posFreq);
            float ramp = Math.clamp(((float) i - (float) low) / (float) (high - low), 0f, 1f);
            float keep = 1f - ramp;                                // share of the unscaled frequency
            out[i] = interpolation * (1f - keep) + extrapolation * keep;
        }
        return out;
    }

    @Override
    public double attentionFactor() {
        return attentionFactor;
    }

    @Override
    public void write(ObjectNode scaling, ObjectNode config) {
        scaling.put("factor", factor);
        scaling.put("attention_factor", attentionFactor);
        scaling.put("beta_fast", betaFast);
        scaling.put("beta_slow", betaSlow);
        scaling.put("original_max_position_embeddings", originalMaxPositionEmbeddings);
        scaling.put("truncate", truncate);
    }
}
