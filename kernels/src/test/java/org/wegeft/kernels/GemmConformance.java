package org.wegeft.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.wegeft.kernels.scalar.ScalarBackend;

/**
 * GEMM conformance cases: odd and larger shapes, all four transpose combinations, padded leading dimensions,
 * batches (shared B with strideB = 0, gaps between matrices), non-trivial alpha/beta and beta = 0 over a
 * NaN-filled C. Unused elements (padding, gaps) are NaN, so a backend that reads them produces NaN, and one
 * that writes C's padding is caught. The tolerance of output (i, j) is 1e-4 · (|α|·Σ_p |a_ip||b_pj| + |β||c_ij|).
 */
final class GemmConformance {
    private static final double RTOL = 1e-4;

    private GemmConformance() {
    }

    static List<ConformanceCase> cases() {
        List<ConformanceCase> cases = new ArrayList<>();
        int[][] shapes = {{1, 1, 1}, {3, 7, 5}, {7, 1, 33}, {1, 257, 3}, {33, 33, 33}, {64, 300, 77}, {197, 384, 64}};
        boolean[] bools = {false, true};
        for (int[] s : shapes) {
            for (boolean ta : bools) {
                for (boolean tb : bools) {
                    cases.add(gemm(tight(ta, tb, s[0], s[1], s[2], 1.5f, -0.5f, 1)));
                }
            }
        }
        cases.add(gemm(tight(false, false, 257, 257, 257, 1f, 0f, 1)));
        cases.add(gemm(tight(true, false, 257, 257, 257, 0.25f, 1f, 1)));
        // beta = 0: C is NaN-filled and must not be read
        for (boolean ta : bools) {
            for (boolean tb : bools) {
                cases.add(gemm(tight(ta, tb, 33, 7, 19, 2f, 0f, 1)));
            }
        }
        cases.add(gemm(tight(false, false, 64, 300, 77, 1f, 0f, 1)));
        // padded leading dimensions (pad 3 / 5 / 1), every transpose combo
        for (boolean ta : bools) {
            for (boolean tb : bools) {
                cases.add(gemm(padded(ta, tb, 33, 17, 9, 3, 5, 1, 0.5f, 0.25f)));
                cases.add(gemm(padded(ta, tb, 7, 65, 130, 1, 2, 7, 1f, 0f)));
            }
        }
        // batches: tight; shared B (strideB = 0); gaps of 11 elements between matrices
        for (boolean ta : bools) {
            for (boolean tb : bools) {
                cases.add(gemm(tight(ta, tb, 9, 13, 21, 1f, 0.5f, 4)));
                cases.add(gemm(sharedB(ta, tb, 3, 17, 33, 8, -1f, 0f)));
            }
        }
        cases.add(gemm(gapped(false, true, 3, 33, 7, 64, 1.25f, -1f)));
        cases.add(gemm(gapped(true, false, 5, 1, 257, 3, 1f, 0f)));
        cases.add(gemm(tight(false, true, 2, 0, 5, 1f, 1f, 1))); // n = 0: nothing to do
        cases.add(gemm(tight(false, false, 4, 5, 0, 1f, 0.5f, 1))); // k = 0: C = beta·C
        // gemmBias (a linear layer's forward): blocked and skinny shapes, batches, a padded C, k = 0
        for (boolean ta : bools) {
            for (boolean tb : bools) {
                cases.add(gemmBias(tight(ta, tb, 197, 130, 77, 1f, 0f, 1)));
                cases.add(gemmBias(tight(ta, tb, 33, 7, 19, -1.5f, 0f, 3)));
            }
        }
        cases.add(gemmBias(tight(false, true, 300, 257, 33, 1f, 0f, 2)));
        cases.add(gemmBias(padded(false, true, 65, 70, 40, 0, 0, 3, 1f, 0f)));
        cases.add(gemmBias(tight(false, true, 8, 100, 384, 1f, 0f, 1)));
        cases.add(gemmBias(tight(false, false, 5, 9, 0, 1f, 0f, 1)));
        // several k blocks (k > 2048): partial sums between blocks, then alpha, beta or the bias on the last
        cases.add(gemm(tight(true, false, 61, 45, 2090, 1.5f, -0.5f, 1)));
        cases.add(gemmBias(tight(false, true, 50, 70, 2200, 1f, 0f, 2)));
        // gemmAddend (WeGeFT's edit x + s·u·phi): D read in the blocked kernel's store, with odd sizes, a padded C
        // and D, a tail of columns, transposes, several k blocks (D on the first only); a batch and a result of at
        // most 16 × one vector go through the default
        for (boolean ta : bools) {
            for (boolean tb : bools) {
                cases.add(gemmAddend(tight(ta, tb, 37, 100, 16, 0.5f, 0f, 1)));
            }
        }
        cases.add(gemmAddend(tight(false, false, 301, 384, 16, 2f, 0f, 1)));
        cases.add(gemmAddend(padded(false, false, 33, 70, 7, 0, 0, 5, -1f, 0f)));
        cases.add(gemmAddend(tight(false, true, 9, 40, 5, 1f, 0f, 3)));
        cases.add(gemmAddend(tight(false, true, 65, 70, 40, 1f, 0f, 1)));
        cases.add(gemmAddend(tight(true, false, 50, 70, 2200, -0.5f, 0f, 1)));
        cases.add(gemmAddend(tight(false, false, 12, 9, 40, 1f, 0f, 1)));
        // deep: B exceeds one packed block and k > n, so the product is split along k (bias or D with the first part)
        cases.add(gemmBias(tight(false, false, 20, 200, 30_000, 1f, 0f, 1)));
        // decoding: at most four rows against a transposed B, read in place
        for (int m : new int[] {1, 3, 4}) {
            cases.add(gemm(tight(false, true, m, 1001, 70, 1f, 0f, 1)));
            cases.add(gemm(padded(false, true, m, 301, 523, 3, 5, 2, -0.5f, 1.5f)));
            cases.add(gemmBias(tight(false, true, m, 130, 16, 2f, 0f, 1)));
        }
        cases.add(gemmAddend(tight(false, false, 20, 200, 30_000, 1f, 0f, 1)));
        return cases;
    }

    static GemmSpec tight(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, int batch) {
        return GemmSpec.batched(ta, tb, batch, m, n, k, alpha, beta);
    }

    static GemmSpec padded(boolean ta, boolean tb, int m, int n, int k, int padA, int padB, int padC, float alpha,
                           float beta) {
        return GemmSpec.strided(ta, tb, m, n, k, alpha, beta, (ta ? m : k) + padA, (tb ? k : n) + padB, n + padC);
    }

    static GemmSpec sharedB(boolean ta, boolean tb, int batch, int m, int n, int k, float alpha, float beta) {
        return new GemmSpec(ta, tb, m, n, k, alpha, beta, ta ? m : k, tb ? k : n, n, batch, (long) m * k, 0,
                (long) m * n);
    }

    static GemmSpec gapped(boolean ta, boolean tb, int batch, int m, int n, int k, float alpha, float beta) {
        int gap = 11;
        return new GemmSpec(ta, tb, m, n, k, alpha, beta, ta ? m : k, tb ? k : n, n, batch, (long) m * k + gap,
                (long) k * n + gap, (long) m * n + gap);
    }

    static String describe(GemmSpec s) {
        return (s.transA() ? "T" : "N") + (s.transB() ? "T" : "N") + " m=" + s.m() + " n=" + s.n() + " k=" + s.k()
                + " alpha=" + s.alpha() + " beta=" + s.beta() + " lda=" + s.lda() + " ldb=" + s.ldb() + " ldc=" + s.ldc()
                + (s.batch() > 1 ? " batch=" + s.batch() + " strides=" + s.strideA() + "/" + s.strideB() + "/"
                + s.strideC() : "");
    }

    /** Elements spanned by a batch of matrices with rows × ld storage, starting every stride elements. */
    private static int extent(int batch, long stride, int rows, int ld) {
        return (int) ((batch - 1) * stride + (long) rows * ld);
    }

    /**
     * Operand with the used (rows × cols) part of every matrix random in [−1, 1) and every other element
     * (padding, gaps) set to {@code unused}.
     */
    static float[] operand(Random rng, int batch, long stride, int rows, int cols, int ld, float unused) {
        float[] v = new float[Math.max(1, extent(batch, stride, rows, ld))];
        java.util.Arrays.fill(v, unused);
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    v[(int) (b * stride) + r * ld + c] = rng.nextFloat() * 2 - 1;
                }
            }
        }
        return v;
    }

    /** A for {@code s} (op(A) is m × k in each batch), NaN in the padding. */
    static float[] operandA(Random rng, GemmSpec s) {
        int rows = s.transA() ? s.k() : s.m();
        int cols = s.transA() ? s.m() : s.k();
        return operand(rng, s.batch(), s.strideA(), rows, cols, s.lda(), Float.NaN);
    }

    /** B for {@code s} (op(B) is k × n), NaN in the padding; a shared B (strideB 0) is drawn once. */
    static float[] operandB(Random rng, GemmSpec s) {
        int rows = s.transB() ? s.n() : s.k();
        int cols = s.transB() ? s.k() : s.n();
        return operand(rng, s.strideB() == 0 ? 1 : s.batch(), s.strideB(), rows, cols, s.ldb(), Float.NaN);
    }

    /** C for {@code s}: NaN everywhere when beta == 0 (must not be read); else random with NaN padding. */
    static float[] operandC(Random rng, GemmSpec s) {
        float[] c = operand(rng, s.batch(), s.strideC(), s.m(), s.n(), s.ldc(), Float.NaN);
        if (s.beta() == 0f) {
            java.util.Arrays.fill(c, Float.NaN);
        }
        return c;
    }

    /** {@code s} with |alpha| and |beta|: run on absolute operands it gives the error bound's scale. */
    static GemmSpec absolute(GemmSpec s) {
        return new GemmSpec(s.transA(), s.transB(), s.m(), s.n(), s.k(), Math.abs(s.alpha()), Math.abs(s.beta()),
                s.lda(), s.ldb(), s.ldc(), s.batch(), s.strideA(), s.strideB(), s.strideC());
    }

    /** RTOL · bound per element; 0 where the bound is NaN (padding, which must stay bit-identical). */
    static double[] tolerance(float[] bound) {
        double[] tol = new double[bound.length];
        for (int i = 0; i < tol.length; i++) {
            tol[i] = Float.isNaN(bound[i]) ? 0 : RTOL * bound[i] + 1e-30;
        }
        return tol;
    }

    static ConformanceCase gemm(GemmSpec s) {
        String shape = describe(s);
        long seed = shape.hashCode();
        return new ConformanceCase("gemm", shape, (ref, cand) -> {
            Random rng = new Random(seed);
            float[] a = operandA(rng, s);
            float[] b = operandB(rng, s);
            float[] c = operandC(rng, s);
            float[] expected = run(ref, s, a, b, c);
            float[] actual = run(cand, s, a, b, c);
            // bound = |α|·|A|·|B| + |β|·|C|, computed by the reference on absolute values
            float[] bound = run(new ScalarBackend(), absolute(s), abs(a), abs(b), abs(c));
            double[] tol = new double[bound.length];
            for (int i = 0; i < tol.length; i++) {
                tol[i] = RTOL * bound[i] + 1e-30;
            }
            TestBuffers.assertWithin(cand.name() + " gemm " + shape + " output C", expected, actual, tol);
        });
    }

    /** gemmBias against the reference's gemmBias, within 1e-4 · (|α|·Σ_p |a_ip||b_pj| + |bias_j|). */
    static ConformanceCase gemmBias(GemmSpec s) {
        return withAddend("gemmBias", " +bias", s, true,
                (be, spec, a, b, x, c) -> be.gemmBias(spec, a, b, x, c));
    }

    /** gemmAddend against the reference's, within 1e-4 · (|α|·Σ_p |a_ip||b_pj| + |d_ij|). */
    static ConformanceCase gemmAddend(GemmSpec s) {
        return withAddend("gemmAddend", " +D", s, false,
                (be, spec, a, b, x, c) -> be.gemmAddend(spec, a, b, x, c));
    }

    /** A kernel computing C = alpha·op(A)·op(B) + x (x: a bias row, or D laid out like C). */
    private interface AddendKernel {
        void run(KernelBackend be, GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment x, MemorySegment c);
    }

    /** A case for a beta = 0 product plus an addend: a bias row (n floats) or D laid out like C. */
    private static ConformanceCase withAddend(String kernel, String suffix, GemmSpec s, boolean biasRow,
                                              AddendKernel k) {
        String shape = describe(s) + suffix;
        long seed = shape.hashCode();
        int batch = s.batch();
        return new ConformanceCase(kernel, shape, (ref, cand) -> {
            Random rng = new Random(seed);
            float[] a = operandA(rng, s);
            float[] b = operandB(rng, s);
            float[] x = biasRow ? operand(rng, 1, 0, 1, s.n(), s.n(), Float.NaN)
                    : operand(rng, batch, s.strideC(), s.m(), s.n(), s.ldc(), Float.NaN);
            float[] c = new float[Math.max(1, extent(batch, s.strideC(), s.m(), s.ldc()))];
            java.util.Arrays.fill(c, Float.NaN);   // beta = 0: never read
            float[] expected = runAddend(k, ref, s, a, b, x, c);
            float[] actual = runAddend(k, cand, s, a, b, x, c);
            GemmSpec absSpec = new GemmSpec(s.transA(), s.transB(), s.m(), s.n(), s.k(), Math.abs(s.alpha()), 0f,
                    s.lda(), s.ldb(), s.ldc(), batch, s.strideA(), s.strideB(), s.strideC());
            float[] bound = runAddend(k, new ScalarBackend(), absSpec, abs(a), abs(b), abs(x), c);
            double[] tol = tolerance(bound);
            TestBuffers.assertWithin(cand.name() + " " + kernel + " " + shape + " output C", expected, actual, tol);
        });
    }

    private static float[] runAddend(AddendKernel k, KernelBackend backend, GemmSpec s, float[] a, float[] b,
                                     float[] x, float[] c) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment cs = TestBuffers.floats(arena, c);
            k.run(backend, s, TestBuffers.floats(arena, a), TestBuffers.floats(arena, b), TestBuffers.floats(arena, x),
                    cs);
            return TestBuffers.toArray(cs, c.length);
        }
    }

    static float[] abs(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.abs(v[i]);
        }
        return out;
    }

    private static float[] run(KernelBackend backend, GemmSpec s, float[] a, float[] b, float[] c) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment cs = TestBuffers.floats(arena, c);
            backend.gemm(s, TestBuffers.floats(arena, a), TestBuffers.floats(arena, b), cs);
            return TestBuffers.toArray(cs, c.length);
        }
    }
}
