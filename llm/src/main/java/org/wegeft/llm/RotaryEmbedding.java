package org.wegeft.llm;

import org.jspecify.annotations.Nullable;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * Rotary position embedding tables, Hugging Face half-split layout: for pair i of a head (elements i and
 * i + D/2), angle = position · inv_freq[i], inv_freq[i] = theta^(−2i/D), optionally rescaled by
 * {@link RopeScaling}. cos/sin tables (P, D/2) in float32 are precomputed and grown on demand; a forward picks
 * the rows of its positions. Angles follow Hugging Face's float32 arithmetic (inv_freq and position·inv_freq
 * rounded to float32, cos/sin of that).
 */
final class RotaryEmbedding implements AutoCloseable {
    private final float[] invFreq;
    private @Nullable Tensor cos;   // (P, D/2)
    private @Nullable Tensor sin;   // (P, D/2)
    private int rows;

    RotaryEmbedding(int headDim, double theta, @Nullable RopeScaling scaling, int initialPositions) {
        int half = headDim / 2;
        double[] inv = new double[half];
        for (int i = 0; i < half; i++) {
            // HF: 1 / base ** (arange(0, dim, 2).float() / dim), in float32
            float exponent = (float) (2 * i) / headDim;
            inv[i] = (float) (1.0 / (float) Math.pow(theta, exponent));
        }
        double[] scaled = scaling == null ? inv : scaling.apply(inv);
        this.invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            invFreq[i] = (float) scaled[i];
        }
        grow(Math.max(1, initialPositions));
    }

    /** The (possibly scaled) inverse frequencies, one per rotated pair. */
    float[] invFreq() {
        return invFreq.clone();
    }

    private void grow(int needed) {
        int n = Math.max(needed, rows * 2);
        int half = invFreq.length;
        float[] c = new float[n * half];
        float[] s = new float[n * half];
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i];
                c[p * half + i] = (float) Math.cos(angle);
                s[p * half + i] = (float) Math.sin(angle);
            }
        }
        close();
        cos = Tensor.of(c, n, half);
        sin = Tensor.of(s, n, half);
        rows = n;
    }

    /** cos and sin (T, D/2) for the I32 positions (T); positions must be ≥ 0. */
    synchronized Tensor[] lookup(int[] positions) {
        int max = 0;
        for (int p : positions) {
            if (p < 0) {
                throw new IllegalArgumentException("rotary embedding: negative position " + p);
            }
            max = Math.max(max, p);
        }
        if (max >= rows) {
            grow(max + 1);
        }
        try (Grad.Mode off = Grad.disabled(); Tensor ids = Tensor.ofInts(positions, positions.length)) {
            return new Tensor[] {Functional.embedding(ids, cos), Functional.embedding(ids, sin)};
        }
    }

    @Override
    public void close() {
        if (cos != null) {
            cos.close();
            sin.close();
            cos = null;
            sin = null;
        }
    }
}
