package org.wegeft.llm;

import org.jspecify.annotations.Nullable;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * Rotary position embedding tables, Hugging Face half-split layout: for pair i of a head (elements i and
 * i + D/2), angle = position · inv_freq[i], inv_freq[i] = theta^(−2i/D), optionally rescaled by
 * {@link RopeScaling}. cos/sin tables (P, D/2) in float32, multiplied by the scaling's attention factor, are
 * precomputed and grown on demand; a forward picks the rows of its positions. Angles follow Hugging Face's float32
 * arithmetic (inv_freq and position·inv_freq rounded to float32, cos/sin of that).
 *
 * <p>Scalings whose frequencies depend on the sequence length (dynamic NTK, LongRoPE) get the length of each
 * forward (its largest position + 1); the tables are rebuilt when it moves them to another {@link
 * RopeScaling#regime regime}.
 */
final class RotaryEmbedding implements AutoCloseable {
    private final int dim;
    private final double theta;
    private final @Nullable RopeScaling scaling;
    private final float attention;
    private int regime;
    private float[] invFreq;
    private @Nullable Tensor cos;   // (P, D/2)
    private @Nullable Tensor sin;   // (P, D/2)
    private int rows;

    /** @param headDim the rotated dimensions of a head */
    RotaryEmbedding(int headDim, double theta, @Nullable RopeScaling scaling, int initialPositions) {
        this.dim = headDim;
        this.theta = theta;
        this.scaling = scaling;
        this.attention = scaling == null ? 1f : (float) scaling.attentionFactor();
        this.regime = scaling == null ? 0 : scaling.regime(1);
        this.invFreq = scaling == null ? baseInvFreq(headDim, theta) : scaling.invFreq(headDim, theta, 1);
        grow(Math.max(1, initialPositions));
    }

    /** Hugging Face's unscaled inverse frequencies in float32: 1 / base ** (arange(0, dim, 2).float() / dim). */
    static float[] baseInvFreq(int dim, double base) {
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / dim;
            inv[i] = 1f / (float) Math.pow((float) base, exponent);
        }
        return inv;
    }

    /** The (possibly scaled) inverse frequencies of the table in use, one per rotated pair. */
    synchronized float[] invFreq() {
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
                c[p * half + i] = (float) Math.cos(angle) * attention;
                s[p * half + i] = (float) Math.sin(angle) * attention;
            }
        }
        close();
        cos = Tensor.of(c, n, half);
        sin = Tensor.of(s, n, half);
        rows = n;
    }

    /**
     * cos and sin (T, D/2) for the I32 positions (T); positions must be ≥ 0.
     * @param seqLen the forward's sequence length, its largest position (over every row) + 1
     */
    synchronized Tensor[] lookup(int[] positions, int seqLen) {
        int max = 0;
        for (int p : positions) {
            if (p < 0) {
                throw new IllegalArgumentException("rotary embedding: negative position " + p);
            }
            max = Math.max(max, p);
        }
        if (scaling != null && scaling.regime(seqLen) != regime) {
            regime = scaling.regime(seqLen);
            invFreq = scaling.invFreq(dim, theta, seqLen);
            rows = 0;
            grow(Math.max(max + 1, seqLen));
        } else if (max >= rows) {
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
