package org.wegeft.kernels.scalar;

import static org.wegeft.kernels.TestBuffers.floats;
import static org.wegeft.kernels.TestBuffers.ints;
import static org.wegeft.kernels.TestBuffers.toArray;
import static org.wegeft.kernels.TestBuffers.uniform;
import static org.wegeft.kernels.scalar.FiniteDifferences.assertGradient;
import static org.wegeft.kernels.scalar.FiniteDifferences.gradient;
import static org.wegeft.kernels.scalar.FiniteDifferences.weightedSum;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.UnaryOp;

/** Every backward kernel of the scalar backend against central finite differences of its forward. */
class ScalarGradientCheckTest {
    private static final double H = 1e-2;
    private final ScalarBackend scalar = new ScalarBackend();

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryBackwardMatchesFiniteDifferences(UnaryOp op) {
        Random rng = new Random(op.ordinal());
        boolean positiveDomain = switch (op) {
            case LOG, SQRT, RSQRT, RECIPROCAL -> true;
            default -> false;
        };
        int n = 16;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            // away from 0, the kink of ABS and RELU and the pole of LOG/RSQRT/RECIPROCAL
            float mag = 0.3f + 2.7f * rng.nextFloat();
            x[i] = positiveDomain || rng.nextBoolean() ? mag : -mag;
        }
        float[] w = uniform(rng, n, -1f, 1f);
        float[] numerical = gradient(x, H, xs -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment y = floats(arena, new float[n]);
                scalar.unary(op, floats(arena, xs), y, n);
                return weightedSum(w, toArray(y, n));
            }
        });
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dx = floats(arena, new float[n]);
            scalar.unaryBackward(op, floats(arena, x), floats(arena, w), dx, n);
            assertGradient(op.name(), numerical, toArray(dx, n));
        }
    }

    @ParameterizedTest(name = "causal={0}")
    @ValueSource(booleans = {false, true})
    void softmaxBackwardMatchesFiniteDifferences(boolean causal) {
        int rows = 6;
        int cols = 7;
        int tq = 3;
        Random rng = new Random(11);
        float[] x = uniform(rng, rows * cols, -2f, 2f);
        float[] w = uniform(rng, rows * cols, -1f, 1f);
        float[] numerical = gradient(x, H, xs -> weightedSum(w, softmax(xs, rows, cols, causal, tq)));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dx = floats(arena, new float[rows * cols]);
            scalar.softmaxBackward(floats(arena, softmax(x, rows, cols, causal, tq)), floats(arena, w), dx, rows, cols);
            assertGradient("softmax dx", numerical, toArray(dx, rows * cols));
        }
    }

    private float[] softmax(float[] x, int rows, int cols, boolean causal, int tq) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment y = floats(arena, new float[rows * cols]);
            scalar.softmax(floats(arena, x), y, rows, cols, causal, tq);
            return toArray(y, (long) rows * cols);
        }
    }

    @Test
    void layerNormBackwardMatchesFiniteDifferencesForInputGammaAndBeta() {
        int rows = 3;
        int cols = 7;
        float eps = 1e-5f;
        Random rng = new Random(5);
        float[] x = uniform(rng, rows * cols, -2f, 2f);
        float[] gamma = uniform(rng, cols, 0.5f, 1.5f);
        float[] beta = uniform(rng, cols, -1f, 1f);
        float[] w = uniform(rng, rows * cols, -1f, 1f);
        float[] numDx = gradient(x, H, xs -> weightedSum(w, layerNorm(xs, gamma, beta, rows, cols, eps)));
        float[] numDgamma = gradient(gamma, H, gs -> weightedSum(w, layerNorm(x, gs, beta, rows, cols, eps)));
        float[] numDbeta = gradient(beta, H, bs -> weightedSum(w, layerNorm(x, gamma, bs, rows, cols, eps)));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = floats(arena, x);
            MemorySegment gs = floats(arena, gamma);
            MemorySegment mean = floats(arena, new float[rows]);
            MemorySegment rstd = floats(arena, new float[rows]);
            scalar.layerNorm(xs, gs, floats(arena, beta), floats(arena, new float[rows * cols]), mean, rstd, rows,
                    cols, eps);
            MemorySegment dx = floats(arena, new float[rows * cols]);
            MemorySegment dgamma = floats(arena, new float[cols]);
            MemorySegment dbeta = floats(arena, new float[cols]);
            scalar.fill(dgamma, cols, 1f); // accumulated into: the gradient adds to what is there
            scalar.fill(dbeta, cols, -1f);
            scalar.layerNormBackward(xs, gs, mean, rstd, floats(arena, w), dx, dgamma, dbeta, rows, cols);
            assertGradient("layerNorm dx", numDx, toArray(dx, rows * cols));
            assertGradient("layerNorm dgamma", numDgamma, shift(toArray(dgamma, cols), -1f));
            assertGradient("layerNorm dbeta", numDbeta, shift(toArray(dbeta, cols), 1f));
        }
    }

    private float[] layerNorm(float[] x, float[] gamma, float[] beta, int rows, int cols, float eps) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment y = floats(arena, new float[rows * cols]);
            scalar.layerNorm(floats(arena, x), floats(arena, gamma), floats(arena, beta), y,
                    floats(arena, new float[rows]), floats(arena, new float[rows]), rows, cols, eps);
            return toArray(y, (long) rows * cols);
        }
    }

    @Test
    void rmsNormBackwardMatchesFiniteDifferencesForInputAndWeight() {
        int rows = 3;
        int cols = 7;
        float eps = 1e-6f;
        Random rng = new Random(6);
        float[] x = uniform(rng, rows * cols, -2f, 2f);
        float[] weight = uniform(rng, cols, 0.5f, 1.5f);
        float[] w = uniform(rng, rows * cols, -1f, 1f);
        float[] numDx = gradient(x, H, xs -> weightedSum(w, rmsNorm(xs, weight, rows, cols, eps)));
        float[] numDw = gradient(weight, H, ws -> weightedSum(w, rmsNorm(x, ws, rows, cols, eps)));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = floats(arena, x);
            MemorySegment ws = floats(arena, weight);
            MemorySegment rstd = floats(arena, new float[rows]);
            scalar.rmsNorm(xs, ws, floats(arena, new float[rows * cols]), rstd, rows, cols, eps);
            MemorySegment dx = floats(arena, new float[rows * cols]);
            MemorySegment dweight = floats(arena, new float[cols]);
            scalar.fill(dweight, cols, 0.5f);
            scalar.rmsNormBackward(xs, ws, rstd, floats(arena, w), dx, dweight, rows, cols);
            assertGradient("rmsNorm dx", numDx, toArray(dx, rows * cols));
            assertGradient("rmsNorm dweight", numDw, shift(toArray(dweight, cols), -0.5f));
        }
    }

    private float[] rmsNorm(float[] x, float[] weight, int rows, int cols, float eps) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment y = floats(arena, new float[rows * cols]);
            scalar.rmsNorm(floats(arena, x), floats(arena, weight), y, floats(arena, new float[rows]), rows, cols,
                    eps);
            return toArray(y, (long) rows * cols);
        }
    }

    @Test
    void embeddingBackwardMatchesFiniteDifferencesWithRepeatedIds() {
        int vocab = 4;
        int dim = 3;
        int[] ids = {2, 0, 2, 3, 2}; // id 1 unused: its gradient row must stay zero
        Random rng = new Random(8);
        float[] table = uniform(rng, vocab * dim, -1f, 1f);
        float[] w = uniform(rng, ids.length * dim, -1f, 1f);
        float[] numerical = gradient(table, H, ts -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = floats(arena, new float[ids.length * dim]);
                scalar.embedding(ints(arena, ids), floats(arena, ts), out, ids.length, vocab, dim);
                return weightedSum(w, toArray(out, (long) ids.length * dim));
            }
        });
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dtable = floats(arena, new float[vocab * dim]);
            scalar.embeddingBackward(ints(arena, ids), floats(arena, w), dtable, ids.length, vocab, dim);
            assertGradient("embedding dtable", numerical, toArray(dtable, (long) vocab * dim));
        }
    }

    @ParameterizedTest(name = "labelSmoothing={0}")
    @ValueSource(floats = {0f, 0.1f, 0.3f})
    void crossEntropyGradientMatchesFiniteDifferencesOfTheSummedLoss(float smoothing) {
        int rows = 4;
        int classes = 7;
        int[] targets = {3, -100, 0, 6}; // row 1 ignored
        Random rng = new Random(9);
        float[] logits = uniform(rng, rows * classes, -3f, 3f);
        float[] numerical = gradient(logits, H, ls -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment losses = floats(arena, new float[rows]);
                scalar.crossEntropy(floats(arena, ls), ints(arena, targets), losses, MemorySegment.NULL, rows,
                        classes, -100, smoothing);
                float[] l = toArray(losses, rows);
                return (double) l[0] + l[1] + l[2] + l[3];
            }
        });
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dlogits = floats(arena, new float[rows * classes]);
            scalar.crossEntropy(floats(arena, logits), ints(arena, targets), floats(arena, new float[rows]), dlogits,
                    rows, classes, -100, smoothing);
            assertGradient("crossEntropy dlogits", numerical, toArray(dlogits, (long) rows * classes));
        }
    }

    private static float[] shift(float[] v, float by) {
        float[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += by;
        }
        return out;
    }

    @ParameterizedTest(name = "bh={0} tq={1} tk={2} d={3} causal={4}")
    @CsvSource({"2,3,3,4,false", "2,3,3,4,true", "1,3,5,4,true", "1,4,6,3,false", "1,5,3,2,true"})
    void attentionBackwardMatchesFiniteDifferences(int bh, int tq, int tk, int d, boolean causal) {
        float scale = (float) (1 / Math.sqrt(d));
        Random rng = new Random(bh * 1000 + tq * 100 + tk * 10 + d);
        float[] q = uniform(rng, bh * tq * d, -1f, 1f);
        float[] k = uniform(rng, bh * tk * d, -1f, 1f);
        float[] v = uniform(rng, bh * tk * d, -1f, 1f);
        float[] w = uniform(rng, bh * tq * d, -1f, 1f);
        float[] numDq = gradient(q, H, qs -> weightedSum(w, attention(qs, k, v, bh, tq, tk, d, scale, causal)));
        float[] numDk = gradient(k, H, ks -> weightedSum(w, attention(q, ks, v, bh, tq, tk, d, scale, causal)));
        float[] numDv = gradient(v, H, vs -> weightedSum(w, attention(q, k, vs, bh, tq, tk, d, scale, causal)));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment qs = floats(arena, q);
            MemorySegment ks = floats(arena, k);
            MemorySegment vs = floats(arena, v);
            MemorySegment out = floats(arena, new float[bh * tq * d]);
            MemorySegment lse = floats(arena, new float[bh * tq]);
            scalar.attention(qs, ks, vs, out, lse, bh, tq, tk, d, scale, causal);
            MemorySegment dq = floats(arena, new float[bh * tq * d]);
            MemorySegment dk = floats(arena, new float[bh * tk * d]);
            MemorySegment dv = floats(arena, new float[bh * tk * d]);
            scalar.fill(dq, (long) bh * tq * d, Float.NaN); // overwritten, not accumulated
            scalar.fill(dk, (long) bh * tk * d, Float.NaN);
            scalar.fill(dv, (long) bh * tk * d, Float.NaN);
            scalar.attentionBackward(qs, ks, vs, out, lse, floats(arena, w), dq, dk, dv, bh, tq, tk, d, scale, causal);
            assertGradient("attention dq", numDq, toArray(dq, (long) bh * tq * d));
            assertGradient("attention dk", numDk, toArray(dk, (long) bh * tk * d));
            assertGradient("attention dv", numDv, toArray(dv, (long) bh * tk * d));
        }
    }

    private float[] attention(float[] q, float[] k, float[] v, int bh, int tq, int tk, int d, float scale,
                              boolean causal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = floats(arena, new float[bh * tq * d]);
            scalar.attention(floats(arena, q), floats(arena, k), floats(arena, v), out,
                    floats(arena, new float[bh * tq]), bh, tq, tk, d, scale, causal);
            return toArray(out, (long) bh * tq * d);
        }
    }
}
