package org.wegeft.llm;

/**
 * A {@code rope_scaling} entry of {@code config.json}: Llama 3.1's frequency-dependent scaling ({@code "llama3"})
 * or position interpolation ({@code "linear"}), applied to the inverse frequencies exactly as Hugging Face's
 * {@code _compute_llama3_parameters} / {@code _compute_linear_scaling_rope_parameters}.
 *
 * @param type                          {@code "llama3"} or {@code "linear"}
 * @param factor                        the scaling factor (≥ 1 in practice, must be positive)
 * @param lowFreqFactor                 llama3: {@code low_freq_factor}
 * @param highFreqFactor                llama3: {@code high_freq_factor} (greater than lowFreqFactor)
 * @param originalMaxPositionEmbeddings llama3: {@code original_max_position_embeddings}
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
        int originalMaxPositionEmbeddings) {
    public static final String LLAMA3 = "llama3";
    public static final String LINEAR = "linear";

    public RopeScaling {
        String src = "DecoderConfig";
        if (!type.equals(LLAMA3) && !type.equals(LINEAR)) {
            throw new DecoderConfigException(src, "rope_scaling.rope_type", "\"" + type
                    + "\" is not supported (supported: llama3, linear)");
        }
        if (!(factor > 0)) {
            throw new DecoderConfigException(src, "rope_scaling.factor", "must be positive, got " + factor);
        }
        if (type.equals(LLAMA3)) {
            if (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)) {
                throw new DecoderConfigException(src, "rope_scaling.high_freq_factor", "must exceed low_freq_factor "
                        + lowFreqFactor + " > 0, got " + highFreqFactor);
            }
            if (originalMaxPositionEmbeddings <= 0) {
                throw new DecoderConfigException(src, "rope_scaling.original_max_position_embeddings",
                        "must be a positive integer, got " + originalMaxPositionEmbeddings);
            }
        }
    }

    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMax) {
        return new RopeScaling(LLAMA3, factor, lowFreqFactor, highFreqFactor, originalMax);
    }

    public static RopeScaling linear(double factor) {
        return new RopeScaling(LINEAR, factor, 1, 4, 1);
    }

    /** The scaled inverse frequencies (one per rotated pair), computed in double from the unscaled ones. */
    double[] apply(double[] invFreq) {
        double[] out = new double[invFreq.length];
        if (type.equals(LINEAR)) {
            for (int i = 0; i < invFreq.length; i++) {
                out[i] = invFreq[i] / factor;
            }
            return out;
        }
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        for (int i = 0; i < invFreq.length; i++) {
            double wavelen = 2 * Math.PI / invFreq[i];
            if (wavelen < highFreqWavelen) {
                out[i] = invFreq[i];                                   // high frequencies: unchanged
            } else if (wavelen > lowFreqWavelen) {
                out[i] = invFreq[i] / factor;                          // low frequencies: interpolated
            } else {                                                   // in between: smooth blend
                double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor)
                        / (highFreqFactor - lowFreqFactor);
                out[i] = (1 - smooth) * invFreq[i] / factor + smooth * invFreq[i];
            }
        }
        return out;
    }
}
