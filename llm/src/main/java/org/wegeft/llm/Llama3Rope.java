package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code "llama3"} rope scaling (Llama 3.1): high frequencies kept, low ones divided by {@code factor}, a smooth
 * blend between, as Hugging Face's {@code _compute_llama3_parameters} (computed in double from the float32
 * unscaled frequencies).
 *
 * @param factor                        {@code factor}, positive
 * @param lowFreqFactor                 {@code low_freq_factor}
 * @param highFreqFactor                {@code high_freq_factor} (greater than lowFreqFactor)
 * @param originalMaxPositionEmbeddings {@code original_max_position_embeddings}
 */
public record Llama3Rope(double factor, double lowFreqFactor, double highFreqFactor,
        int originalMaxPositionEmbeddings) implements RopeScaling {
    public Llama3Rope {
        RopeFields.requirePositive("factor", factor);
        if (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)) {
            throw RopeFields.invalid("high_freq_factor", "must exceed low_freq_factor " + lowFreqFactor
                    + " > 0, got " + highFreqFactor);
        }
        RopeFields.requirePositive("original_max_position_embeddings", originalMaxPositionEmbeddings);
    }

    static Llama3Rope read(RopeFields f) {
        return new Llama3Rope(f.requiredNumber("factor"), f.number("low_freq_factor", 1.0),
                f.number("high_freq_factor", 4.0), f.integer("original_max_position_embeddings", 8192));
    }

    @Override
    public String type() {
        return "llama3";
    }

    @Override
    public float[] invFreq(int dim, double theta, int seqLen) {
        float[] inv = RotaryEmbedding.baseInvFreq(dim, theta);
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        float[] out = new float[inv.length];
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen < highFreqWavelen) {
                out[i] = inv[i];                                           // high frequencies: unchanged
            } else if (wavelen > lowFreqWavelen) {
                out[i] = (float) (inv[i] / factor);                        // low frequencies: interpolated
            } else {                                                       // in between: smooth blend
                double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor)
                        / (highFreqFactor - lowFreqFactor);
                out[i] = (float) ((1 - smooth) * inv[i] / factor + smooth * inv[i]);
            }
        }
        return out;
    }

    @Override
    public void write(ObjectNode scaling, ObjectNode config) {
        scaling.put("factor", factor);
        scaling.put("low_freq_factor", lowFreqFactor);
        scaling.put("high_freq_factor", highFreqFactor);
        scaling.put("original_max_position_embeddings", originalMaxPositionEmbeddings);
    }
}
