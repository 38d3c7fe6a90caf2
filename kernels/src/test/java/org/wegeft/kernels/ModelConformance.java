package org.wegeft.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.wegeft.kernels.ConformanceCase.close;
import static org.wegeft.kernels.TestBuffers.floats;
import static org.wegeft.kernels.TestBuffers.ints;
import static org.wegeft.kernels.TestBuffers.toArray;
import static org.wegeft.kernels.TestBuffers.uniform;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Conformance cases for embeddings, cross-entropy, attention, RoPE and AdamW. */
final class ModelConformance {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-4;
    private static final int IGNORE = -100;

    private ModelConformance() {
    }

    static List<ConformanceCase> cases() {
        List<ConformanceCase> cases = new ArrayList<>();
        int[][] embShapes = {{1, 1, 1}, {7, 33, 5}, {257, 50, 64}, {64, 1000, 3}};
        for (int[] s : embShapes) {
            cases.add(embedding(s[0], s[1], s[2]));
            cases.add(embeddingBackward(s[0], s[1], s[2]));
        }
        cases.add(new ConformanceCase("embedding", "id out of range throws", (ref, cand) -> {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment table = floats(arena, new float[12]);
                MemorySegment out = floats(arena, new float[9]);
                assertThrows(IndexOutOfBoundsException.class,
                        () -> cand.embedding(ints(arena, 0, 4, 1), table, out, 3, 4, 3));
                assertThrows(IndexOutOfBoundsException.class,
                        () -> cand.embedding(ints(arena, -1, 0, 1), table, out, 3, 4, 3));
            }
        }));
        int[][] ceShapes = {{1, 1}, {7, 33}, {64, 300}, {3, 5000}};
        for (int[] s : ceShapes) {
            for (float smoothing : new float[] {0f, 0.1f}) {
                cases.add(crossEntropy(s[0], s[1], smoothing, true));
            }
            cases.add(crossEntropy(s[0], s[1], 0f, false));
        }
        cases.add(new ConformanceCase("crossEntropy", "target out of range throws", (ref, cand) -> {
            try (Arena arena = Arena.ofShared()) {
                assertThrows(IndexOutOfBoundsException.class, () -> cand.crossEntropy(floats(arena, new float[6]),
                        ints(arena, 0, 3), floats(arena, new float[2]), MemorySegment.NULL, 2, 3, IGNORE, 0f));
            }
        }));
        // {bh, tq, tk, d, causal}
        int[][] attnShapes = {{1, 1, 1, 1, 0}, {2, 7, 7, 8, 1}, {3, 5, 9, 16, 1}, {2, 9, 5, 8, 1}, {2, 33, 33, 64, 0},
            {1, 64, 64, 32, 1}, {4, 1, 33, 64, 1}, {2, 3, 257, 8, 0}};
        for (int[] s : attnShapes) {
            cases.add(attention(s[0], s[1], s[2], s[3], s[4] == 1));
            cases.add(attentionBackward(s[0], s[1], s[2], s[3], s[4] == 1));
        }
        // token-major: {batch, heads, tq, tk, d, causal}; tq == tk also runs packed (one q|k|v buffer, ld = 3·H·D)
        int[][] tmShapes = {{1, 1, 1, 1, 1, 0}, {2, 3, 7, 7, 8, 1}, {3, 2, 5, 9, 16, 1}, {2, 6, 33, 33, 64, 0},
            {1, 4, 64, 64, 32, 1}, {2, 3, 257, 257, 8, 0}};
        for (int[] s : tmShapes) {
            boolean causal = s[5] == 1;
            for (boolean backward : new boolean[] {false, true}) {
                cases.add(attentionTokenMajor(s[0], s[1], s[2], s[3], s[4], causal, false, backward));
                if (s[2] == s[3]) {
                    cases.add(attentionTokenMajor(s[0], s[1], s[2], s[3], s[4], causal, true, backward));
                }
            }
        }
        int[][] ropeShapes = {{1, 1, 2}, {3, 7, 8}, {2, 33, 64}, {4, 5, 128}};
        for (int[] s : ropeShapes) {
            for (boolean inverse : new boolean[] {false, true}) {
                cases.add(rope(s[0], s[1], s[2], inverse, false));
            }
            cases.add(rope(s[0], s[1], s[2], false, true));
        }
        for (int n : new int[] {1, 7, 257, 1031}) {
            cases.add(adamw(n, 1, 0f));
            cases.add(adamw(n, 10, 0.01f));
        }
        return cases;
    }

    private static int[] ids(Random rng, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rng.nextInt(Math.min(vocab, 1 + n / 2)); // repeats guaranteed for n ≥ 3
        }
        return ids;
    }

    private static ConformanceCase embedding(int n, int vocab, int dim) {
        String shape = "n=" + n + " vocab=" + vocab + " dim=" + dim;
        return close("embedding", shape, 0, 0, new String[] {"out"}, b -> {
            Random rng = new Random(shape.hashCode());
            try (Arena arena = Arena.ofShared()) {
                MemorySegment out = floats(arena, new float[n * dim]);
                b.embedding(ints(arena, ids(rng, n, vocab)), floats(arena, uniform(rng, vocab * dim, -1f, 1f)), out,
                        n, vocab, dim);
                return new float[][] {toArray(out, (long) n * dim)};
            }
        });
    }

    private static ConformanceCase embeddingBackward(int n, int vocab, int dim) {
        String shape = "n=" + n + " vocab=" + vocab + " dim=" + dim + " repeated ids";
        return close("embeddingBackward", shape, 1e-6, RTOL, new String[] {"dtable"}, b -> {
            Random rng = new Random(shape.hashCode());
            try (Arena arena = Arena.ofShared()) {
                int[] ids = ids(rng, n, vocab);
                MemorySegment dtable = floats(arena, uniform(rng, vocab * dim, -1f, 1f)); // accumulated into
                b.embeddingBackward(ints(arena, ids), floats(arena, uniform(rng, n * dim, -1f, 1f)), dtable, n, vocab,
                        dim);
                return new float[][] {toArray(dtable, (long) vocab * dim)};
            }
        });
    }

    private static ConformanceCase crossEntropy(int rows, int classes, float smoothing, boolean grad) {
        String shape = rows + "x" + classes + " smoothing=" + smoothing + (grad ? " with dlogits" : " loss only");
        return close("crossEntropy", shape, ATOL, RTOL, new String[] {"losses", "dlogits", "count"}, b -> {
            Random rng = new Random(shape.hashCode());
            int[] targets = new int[rows];
            for (int r = 0; r < rows; r++) {
                targets[r] = r % 3 == 1 ? IGNORE : rng.nextInt(classes); // every third row ignored
            }
            try (Arena arena = Arena.ofShared()) {
                MemorySegment losses = floats(arena, new float[rows]);
                MemorySegment dlogits = grad ? floats(arena, new float[rows * classes]) : MemorySegment.NULL;
                if (grad) {
                    b.fill(dlogits, (long) rows * classes, Float.NaN); // ignored rows must be zeroed
                }
                int count = b.crossEntropy(floats(arena, uniform(rng, rows * classes, -5f, 5f)), ints(arena, targets),
                        losses, dlogits, rows, classes, IGNORE, smoothing);
                return new float[][] {toArray(losses, rows),
                    grad ? toArray(dlogits, (long) rows * classes) : new float[0], {count}};
            }
        });
    }

    private static String attnShape(int bh, int tq, int tk, int d, boolean causal) {
        return "bh=" + bh + " tq=" + tq + " tk=" + tk + " d=" + d + (causal ? " causal" : "");
    }

    private static ConformanceCase attention(int bh, int tq, int tk, int d, boolean causal) {
        String shape = attnShape(bh, tq, tk, d, causal);
        return close("attention", shape, ATOL, RTOL, new String[] {"out", "lse"}, b -> {
            Random rng = new Random(shape.hashCode());
            try (Arena arena = Arena.ofShared()) {
                MemorySegment out = floats(arena, new float[bh * tq * d]);
                MemorySegment lse = floats(arena, new float[bh * tq]);
                b.attention(floats(arena, uniform(rng, bh * tq * d, -2f, 2f)),
                        floats(arena, uniform(rng, bh * tk * d, -2f, 2f)), floats(arena, uniform(rng, bh * tk * d, -1f, 1f)),
                        out, lse, bh, tq, tk, d, (float) (1 / Math.sqrt(d)), causal);
                return new float[][] {toArray(out, (long) bh * tq * d), toArray(lse, (long) bh * tq)};
            }
        });
    }

    private static ConformanceCase attentionBackward(int bh, int tq, int tk, int d, boolean causal) {
        String shape = attnShape(bh, tq, tk, d, causal);
        float scale = (float) (1 / Math.sqrt(d));
        return close("attentionBackward", shape, ATOL, RTOL, new String[] {"dq", "dk", "dv"}, b -> {
            Random rng = new Random(shape.hashCode() + 1);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment q = floats(arena, uniform(rng, bh * tq * d, -2f, 2f));
                MemorySegment k = floats(arena, uniform(rng, bh * tk * d, -2f, 2f));
                MemorySegment v = floats(arena, uniform(rng, bh * tk * d, -1f, 1f));
                MemorySegment dout = floats(arena, uniform(rng, bh * tq * d, -1f, 1f));
                // out and lse come from the reference forward, identical for both backends
                MemorySegment out = floats(arena, new float[bh * tq * d]);
                MemorySegment lse = floats(arena, new float[bh * tq]);
                new org.wegeft.kernels.scalar.ScalarBackend().attention(q, k, v, out, lse, bh, tq, tk, d, scale, causal);
                MemorySegment dq = TestBuffers.filled(arena, bh * tq * d, Float.NaN); // overwritten
                MemorySegment dk = TestBuffers.filled(arena, bh * tk * d, Float.NaN);
                MemorySegment dv = TestBuffers.filled(arena, bh * tk * d, Float.NaN);
                b.attentionBackward(q, k, v, out, lse, dout, dq, dk, dv, bh, tq, tk, d, scale, causal);
                return new float[][] {toArray(dq, (long) bh * tq * d), toArray(dk, (long) bh * tk * d),
                    toArray(dv, (long) bh * tk * d)};
            }
        });
    }

    /**
     * Token-major attention forward, or forward then backward (the backward case also compares the forward's
     * outputs: backward reads the candidate's own out and lse). Packed: q, k, v are the column blocks of one (batch, t, 3·H·D) buffer and dq, dk, dv of one gradient
     * buffer; otherwise each operand has its own row stride with padding columns, which must keep their value.
     */
    private static ConformanceCase attentionTokenMajor(int batch, int heads, int tq, int tk, int d, boolean causal,
                                                       boolean packed, boolean backward) {
        String shape = "batch=" + batch + " heads=" + heads + " tq=" + tq + " tk=" + tk + " d=" + d
                + (causal ? " causal" : "") + (packed ? " packed qkv" : " padded rows");
        float scale = (float) (1 / Math.sqrt(d));
        int hd = heads * d;
        String[] outputs = backward ? new String[] {"out", "lse", "dq", "dk", "dv"} : new String[] {"out", "lse"};
        return close(backward ? "attentionBackwardTokenMajor" : "attentionTokenMajor", shape, ATOL, RTOL, outputs,
                b -> {
            Random rng = new Random(shape.hashCode());
            try (Arena arena = Arena.ofShared()) {
                int ldq = packed ? 3 * hd : hd + 3;
                int ldk = packed ? 3 * hd : hd + 1;
                int ldv = packed ? 3 * hd : hd + 5;
                int ldo = hd + (packed ? 0 : 2);
                MemorySegment q;
                MemorySegment k;
                MemorySegment v;
                MemorySegment dq;
                MemorySegment dk;
                MemorySegment dv;
                long qn = (long) batch * tq * ldq;
                long kn = (long) batch * tk * ldk;
                long vn = (long) batch * tk * ldv;
                if (packed) {
                    MemorySegment qkv = floats(arena, uniform(rng, (int) qn, -2f, 2f));
                    q = qkv;
                    k = qkv.asSlice((long) hd * 4);
                    v = qkv.asSlice(2L * hd * 4);
                    MemorySegment grad = TestBuffers.filled(arena, (int) qn, 7f);
                    dq = grad;
                    dk = grad.asSlice((long) hd * 4);
                    dv = grad.asSlice(2L * hd * 4);
                } else {
                    q = floats(arena, uniform(rng, (int) qn, -2f, 2f));
                    k = floats(arena, uniform(rng, (int) kn, -2f, 2f));
                    v = floats(arena, uniform(rng, (int) vn, -1f, 1f));
                    dq = TestBuffers.filled(arena, (int) qn, 7f);
                    dk = TestBuffers.filled(arena, (int) kn, 7f);
                    dv = TestBuffers.filled(arena, (int) vn, 7f);
                }
                long on = (long) batch * tq * ldo;
                MemorySegment out = TestBuffers.filled(arena, (int) on, 7f);
                MemorySegment lse = floats(arena, new float[batch * heads * tq]);
                MemorySegment dout = floats(arena, uniform(rng, (int) on, -1f, 1f));
                b.attentionTokenMajor(q, ldq, k, ldk, v, ldv, out, ldo, lse, batch, heads, tq, tk, d, scale, causal);
                float[] o = toArray(out, on);
                float[] l = toArray(lse, (long) batch * heads * tq);
                if (!backward) {
                    return new float[][] {o, l};
                }
                b.attentionBackwardTokenMajor(q, ldq, k, ldk, v, ldv, out, ldo, lse, dout, dq, dk, dv, batch, heads,
                        tq, tk, d, scale, causal);
                return new float[][] {o, l,
                    toArray(dq, qn), packed ? new float[0] : toArray(dk, kn),
                    packed ? new float[0] : toArray(dv, vn)};
            }
        });
    }

    private static ConformanceCase rope(int n, int t, int d, boolean inverse, boolean inPlace) {
        String shape = "n=" + n + " t=" + t + " d=" + d + (inverse ? " inverse" : "") + (inPlace ? " in place" : "");
        return close("rope", shape, 1e-6, RTOL, new String[] {"y"}, b -> {
            Random rng = new Random(shape.hashCode());
            int h = d / 2;
            float[] cos = new float[t * h];
            float[] sin = new float[t * h];
            for (int p = 0; p < t; p++) {
                for (int i = 0; i < h; i++) {
                    double angle = p * Math.pow(10000, -2.0 * i / d);
                    cos[p * h + i] = (float) Math.cos(angle);
                    sin[p * h + i] = (float) Math.sin(angle);
                }
            }
            try (Arena arena = Arena.ofShared()) {
                MemorySegment x = floats(arena, uniform(rng, n * t * d, -2f, 2f));
                MemorySegment y = inPlace ? x : floats(arena, new float[n * t * d]);
                b.rope(x, y, floats(arena, cos), floats(arena, sin), n, t, d, inverse);
                return new float[][] {toArray(y, (long) n * t * d)};
            }
        });
    }

    private static ConformanceCase adamw(int n, int step, float wd) {
        String shape = "n=" + n + " step=" + step + " weightDecay=" + wd;
        return close("adamw", shape, 1e-6, 1e-5, new String[] {"param", "m", "v"}, b -> {
            Random rng = new Random(shape.hashCode());
            try (Arena arena = Arena.ofShared()) {
                MemorySegment p = floats(arena, uniform(rng, n, -1f, 1f));
                MemorySegment g = floats(arena, uniform(rng, n, -1f, 1f));
                MemorySegment m = floats(arena, step == 1 ? new float[n] : uniform(rng, n, -0.1f, 0.1f));
                MemorySegment v = floats(arena, step == 1 ? new float[n] : uniform(rng, n, 0f, 0.01f));
                b.adamw(p, g, m, v, n, 1e-2f, 0.9f, 0.999f, 1e-8f, wd, step);
                return new float[][] {toArray(p, n), toArray(m, n), toArray(v, n)};
            }
        });
    }
}
