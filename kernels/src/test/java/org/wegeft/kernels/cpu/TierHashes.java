package org.wegeft.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.wegeft.kernels.UnaryOp;

/**
 * Child-JVM entry point of {@link CpuTierDeterminismTest}: runs the CPU kernels whose results could depend on
 * the JIT tier (every unary op and its backward, softmax, layerNorm, rmsNorm, crossEntropy, attention, the few-row
 * GEMM's lane sums) on
 * fixed seeded inputs, {@code args[0]} times, and prints one {@code name hash} line per kernel, where the hash
 * covers the output bits of every repetition: {@code name hash0 hashLast}.
 */
final class TierHashes {
    private static final CpuBackend CPU = new CpuBackend();
    /** Not a multiple of any vector length, so masked tails run too. */
    private static final int N = 203;

    private TierHashes() {
    }

    public static void main(String[] args) {
        int reps = Integer.parseInt(args[0]);
        Map<String, int[]> first = new LinkedHashMap<>();
        Map<String, int[]> last = new LinkedHashMap<>();
        for (int r = 0; r < reps; r++) {
            Map<String, int[]> h = runAll();
            if (r == 0) {
                first.putAll(h);
            }
            last.putAll(h);
        }
        for (String k : first.keySet()) {
            System.out.println(k + " " + Arrays.hashCode(first.get(k)) + " " + Arrays.hashCode(last.get(k)));
        }
    }

    private static float[] rand(long seed, int n, double lo, double hi) {
        return CpuTestSupport.random(new SplittableRandom(seed), n, lo, hi);
    }

    private static int[] bits(float[]... arrays) {
        List<Integer> out = new ArrayList<>();
        for (float[] a : arrays) {
            for (float f : a) {
                out.add(Float.floatToRawIntBits(f));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static MemorySegment seg(float[] a) {
        return MemorySegment.ofArray(a);
    }

    static Map<String, int[]> runAll() {
        Map<String, int[]> h = new LinkedHashMap<>();
        for (UnaryOp op : UnaryOp.values()) {
            float[] x = switch (op) {
                case LOG, SQRT, RSQRT, RECIPROCAL -> rand(1, N, 1e-3, 30);
                default -> rand(1, N, -12, 12);
            };
            float[] dy = rand(2, N, -1, 1);
            float[] y = new float[N];
            float[] dx = new float[N];
            CPU.unary(op, seg(x), seg(y), N);
            CPU.unaryBackward(op, seg(x), seg(dy), seg(dx), N);
            h.put("unary." + op, bits(y, dx));
        }
        int rows = 6;
        int cols = 37;
        float[] x = rand(3, rows * cols, -6, 6);
        float[] y = new float[rows * cols];
        CPU.softmax(seg(x), seg(y), rows, cols, false, cols);
        float[] yc = new float[rows * cols];
        CPU.softmax(seg(x), seg(yc), rows, cols, true, 3);
        h.put("softmax", bits(y, yc));

        float[] g = rand(4, cols, 0.5, 1.5);
        float[] b = rand(5, cols, -0.5, 0.5);
        float[] ln = new float[rows * cols];
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        CPU.layerNorm(seg(x), seg(g), seg(b), seg(ln), seg(mean), seg(rstd), rows, cols, 1e-5f);
        float[] dy = rand(6, rows * cols, -1, 1);
        float[] dx = new float[rows * cols];
        float[] dg = new float[cols];
        float[] db = new float[cols];
        CPU.layerNormBackward(seg(x), seg(g), seg(mean), seg(rstd), seg(dy), seg(dx), seg(dg), seg(db), rows, cols);
        h.put("layerNorm", bits(ln, mean, rstd, dx, dg, db));

        float[] rms = new float[rows * cols];
        float[] rr = new float[rows];
        CPU.rmsNorm(seg(x), seg(g), seg(rms), seg(rr), rows, cols, 1e-6f);
        float[] rdx = new float[rows * cols];
        float[] rdw = new float[cols];
        CPU.rmsNormBackward(seg(x), seg(g), seg(rr), seg(dy), seg(rdx), seg(rdw), rows, cols);
        h.put("rmsNorm", bits(rms, rr, rdx, rdw));

        int[] targets = {0, 36, 5, -100, 17, 2};
        float[] losses = new float[rows];
        float[] dl = new float[rows * cols];
        CPU.crossEntropy(seg(x), MemorySegment.ofArray(targets), seg(losses), seg(dl), rows, cols, -100, 0.1f);
        float[] losses2 = new float[rows];
        CPU.crossEntropy(seg(x), MemorySegment.ofArray(targets), seg(losses2), MemorySegment.NULL, rows, cols,
                -100, 0f);
        h.put("crossEntropy", bits(losses, dl, losses2));

        int bh = 2;
        int t = 21;
        int d = 8;
        float[] q = rand(7, bh * t * d, -2, 2);
        float[] k = rand(8, bh * t * d, -2, 2);
        float[] v = rand(9, bh * t * d, -2, 2);
        float[] o = new float[bh * t * d];
        float[] lse = new float[bh * t];
        CPU.attention(seg(q), seg(k), seg(v), seg(o), seg(lse), bh, t, t, d, 0.35f, true);
        float[] dout = rand(10, bh * t * d, -1, 1);
        float[] dq = new float[bh * t * d];
        float[] dk = new float[bh * t * d];
        float[] dv = new float[bh * t * d];
        CPU.attentionBackward(seg(q), seg(k), seg(v), seg(o), seg(lse), seg(dout), seg(dq), seg(dk), seg(dv),
                bh, t, t, d, 0.35f, true);
        h.put("attention", bits(o, lse, dq, dk, dv));

        // a few rows against a transposed B: GemmVector's lane sums (decoding, a rank ≤ 4 adapter's projections)
        int gm = 3;
        int gn = 70;
        int gk = 203;
        float[] ga = rand(11, gm * gk, -1, 1);
        float[] gb = rand(12, gn * gk, -1, 1);
        float[] gc = new float[gm * gn];
        org.wegeft.kernels.GemmSpec spec = org.wegeft.kernels.GemmSpec.of(false, true, gm, gn, gk, 1f, 0f);
        if (!GemmVector.takes(spec)) {
            throw new IllegalStateException("the product no longer goes to GemmVector: " + spec);
        }
        CPU.gemm(spec, seg(ga), seg(gb), seg(gc));
        h.put("gemmVector", bits(gc));
        return h;
    }
}
