package org.wegeft.llm;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from one row of logits: argmax (greedy; the lowest id among equal maxima) or a draw
 * from the temperature-scaled distribution after top-k and top-p filtering (Hugging Face's
 * TemperatureLogitsWarper → TopKLogitsWarper → TopPLogitsWarper order; top-p keeps at least one token).
 */
public final class Sampler {
    private Sampler() {
    }

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The next token for {@code logits} (V) under {@code config}, drawing from {@code rng} when sampling. */
    public static int pick(float[] logits, GenerationConfig config, RandomGenerator rng) {
        if (config.isGreedy()) {
            return argmax(logits);
        }
        int v = logits.length;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a])
                : Integer.compare(a, b));                                  // most likely first
        int keep = config.topK() > 0 ? Math.min(config.topK(), v) : v;
        double max = logits[order[0]] / config.temperature();
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp(logits[order[i]] / config.temperature() - max);
            sum += p[i];
        }
        if (config.topP() < 1) {
            double cum = 0;
            int n = 0;
            while (n < keep) {                      // smallest prefix whose probability reaches top_p
                cum += p[n] / sum;
                n++;
                if (cum >= config.topP()) {
                    break;
                }
            }
            keep = n;
            sum = 0;
            for (int i = 0; i < keep; i++) {
                sum += p[i];
            }
        }
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < keep; i++) {
            u -= p[i];
            if (u < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}
