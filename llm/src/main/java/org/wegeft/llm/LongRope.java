package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code "longrope"} rope scaling (LongRoPE, Phi-3 and Phi-4), as Hugging Face's
 * {@code _compute_longrope_parameters}: inverse frequency i is {@code 1 / (ext[i]·theta^(2i/dim))}, ext the
 * {@code short_factor} list while a forward's sequence (its largest position + 1) fits
 * {@code original_max_position_embeddings}, the {@code long_factor} list beyond; cos and sin are multiplied by
 * the attention factor ({@code attention_factor}, else {@code √(1 + ln f / ln original)} with
 * f = max_position_embeddings / original, or 1 when f ≤ 1).
 *
 * <p>Keys cached while the sequence was short were rotated with the short factors. Hugging Face's Phi-3
 * generation drops its cache and runs the whole sequence again the first time it grows past the original
 * context, so that every key then uses the long factors; {@link Generator} does the same
 * ({@link #cacheStaleAfter}), so cached and uncached generation agree across the switch.
 *
 * @param shortFactor                   {@code short_factor}, one per rotated pair
 * @param longFactor                    {@code long_factor}, one per rotated pair
 * @param attentionFactor               the factor on cos and sin, resolved as above
 * @param originalMaxPositionEmbeddings the top-level {@code original_max_position_embeddings} (Phi-3), else the
 *                                      one in rope_scaling, else {@code max_position_embeddings}
 */
public record LongRope(List<Double> shortFactor, List<Double> longFactor, double attentionFactor,
        int originalMaxPositionEmbeddings) implements RopeScaling {
    public LongRope {
        RopeFields.requirePositive("attention_factor", attentionFactor);
        RopeFields.requirePositive("original_max_position_embeddings", originalMaxPositionEmbeddings);
        if (shortFactor.size() != longFactor.size()) {
            throw RopeFields.invalid("long_factor", "must have as many entries as short_factor ("
                    + shortFactor.size() + "), got " + longFactor.size());
        }
        for (List<Double> l : List.of(shortFactor, longFactor)) {
            for (double v : l) {
                if (!(v > 0) || Double.isInfinite(v)) {
                    throw RopeFields.invalid(l == shortFactor ? "short_factor" : "long_factor",
                            "entries must be positive, got " + v);
                }
            }
        }
        shortFactor = List.copyOf(shortFactor);
        longFactor = List.copyOf(longFactor);
    }

    static LongRope read(RopeFields f) {
        List<Double> shortF = f.requiredNumbers("short_factor");
        List<Double> longF = f.requiredNumbers("long_factor");
        int max = f.config().integer("max_position_embeddings", 2048);
        @Nullable Integer topOriginal = f.config().optionalInt("original_max_position_embeddings");
        int original = topOriginal != null ? topOriginal : f.integer("original_max_position_embeddings", max);
        @Nullable Double given = f.optionalNumber("factor");
        // with an original context the factor is the context's growth (Phi-3 configs), else rope_scaling.factor
        double factor = topOriginal != null || given == null ? (double) max / original : given;
        @Nullable Double attention = f.optionalNumber("attention_factor");
        if (attention == null) {
            attention = factor <= 1.0 ? 1.0 : Math.sqrt(1 + Math.log(factor) / Math.log(original));
        }
        return new LongRope(shortF, longF, attention, original);
    }

    @Override
    public String type() {
        return "longrope";
    }

    @Override
    public float[] invFreq(int dim, double theta, int seqLen) {
        List<Double> ext = seqLen > originalMaxPositionEmbeddings ? longFactor : shortFactor;
        float[] out = new float[dim / 2];
        for (int i = 0; i < out.length; i++) {
            float shape = (float) (2 * i) / dim;
            out[i] = 1f / (ext.get(i).floatValue() * (float) Math.pow((float) theta, shape));
        }
        return out;
    }

    @Override
    public void check(int dim) {
        if (shortFactor.size() != dim / 2) {
            throw RopeFields.invalid("short_factor", "must have one entry per rotated pair (" + dim / 2
                    + "), got " + shortFactor.size());
        }
    }

    @Override
    public double attentionFactor() {
        return attentionFactor;
    }

    @Override
    public int regime(int seqLen) {
        return seqLen > originalMaxPositionEmbeddings ? 1 : 0;
    }

    @Override
    public int cacheStaleAfter() {
        return originalMaxPositionEmbeddings;
    }

    @Override
    public void write(ObjectNode scaling, ObjectNode config) {
        ArrayNode s = scaling.putArray("short_factor");
        shortFactor.forEach(s::add);
        ArrayNode l = scaling.putArray("long_factor");
        longFactor.forEach(l::add);
        scaling.put("attention_factor", attentionFactor);
        scaling.put("original_max_position_embeddings", originalMaxPositionEmbeddings);
        config.put("original_max_position_embeddings", originalMaxPositionEmbeddings);
    }
}
