package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.GemmSpec;

class CpuGemmTest {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** One test case: sizes, transposes, scalars, padding of the leading dimensions, batching. */
    record Case(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta, int pad, int batch,
                boolean shareB) {

        GemmSpec spec() {
            int lda = Math.max(1, transA ? m : k) + pad;
            int ldb = Math.max(1, transB ? k : n) + pad;
            int ldc = Math.max(1, n) + pad;
            long sa = (long) lda * (transA ? k : m) + 3L * pad;
            long sb = shareB ? 0 : (long) ldb * (transB ? n : k) + 5L * pad;
            long sc = (long) ldc * m + 2L * pad;
            return new GemmSpec(transA, transB, m, n, k, alpha, beta, lda, ldb, ldc, batch, sa, sb, sc);
        }

        @Override
        public String toString() {
            return (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n + "x" + k + " a=" + alpha
                    + " b=" + beta + " pad=" + pad + " batch=" + batch + (shareB ? " sharedB" : "");
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        int[][] shapes = {{1, 1, 1}, {3, 3, 3}, {7, 7, 7}, {33, 33, 33}, {64, 300, 17}, {1, 50, 9}, {50, 1, 9},
                {9, 13, 1}, {17, 95, 130}, {100, 33, 520}, {257, 257, 257}, {0, 5, 5}, {5, 0, 5}, {5, 5, 0},
                {200, 70, 300}, {31, 129, 64}, {130, 400, 400},
                // several k blocks: partial sums carried between blocks, C written on the last (rows 150 = 12·12 + 6)
                {150, 100, 2200},
                // low-rank adapter shapes (n ≤ one vector, k ≤ 16, m ≤ 16, each with odd sizes) and results of at
                // most 16 × one vector (GemmSkinny)
                {301, 16, 384}, {299, 5, 77}, {301, 384, 16}, {97, 45, 3}, {16, 384, 301}, {11, 45, 500},
                {9, 16, 16}, {33, 200, 7}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                cases.add(new Case(ta, tb, s[0], s[1], s[2], 1f, 0f, 0, 1, false));
                cases.add(new Case(ta, tb, s[0], s[1], s[2], -0.5f, 0.75f, 3, 1, false));
            }
        }
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0;
            boolean tb = (t & 2) != 0;
            cases.add(new Case(ta, tb, 19, 21, 23, 0f, 0.5f, 1, 2, false));
            cases.add(new Case(ta, tb, 19, 21, 23, 1.5f, 0f, 2, 3, false));
            cases.add(new Case(ta, tb, 19, 21, 23, 1f, 1f, 0, 4, true));
            cases.add(new Case(ta, tb, 130, 70, 90, 1f, 0.5f, 1, 2, true));
            cases.add(new Case(ta, tb, 8, 40, 16, 2f, 0f, 0, 37, false));
        }
        // deep products whose B exceeds one packed block (k·n > 4 M floats) with k > n: split along k (C revisited
        // with beta = 1), every transpose, a padded C and beta ≠ 0 on the first part only
        cases.add(new Case(false, false, 20, 200, 30_000, 1f, 0.5f, 1, 1, false));
        cases.add(new Case(true, true, 20, 200, 30_000, -0.5f, 0f, 0, 1, false));
        cases.add(new Case(true, false, 20, 150, 30_000, 1f, 0f, 2, 1, false));
        // a deep product: the packed B block is split into several column blocks
        cases.add(new Case(false, false, 3, 70, 70_000, 1f, 0.5f, 1, 1, false));
        cases.add(new Case(true, true, 3, 70, 70_000, 1f, 0f, 0, 1, false));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesDoublePrecisionTripleLoop(Case cs) {
        check(cs, false);
    }

    /**
     * gemmAddend's fused k ≤ 16 kernel gives the same bits as copying D into C and running the product with
     * beta = 1 (WeGeFT's edit relies on it), with threads, a tail of columns, odd rows and a padded C.
     */
    @ParameterizedTest(name = "{0}x{1}x{2} {3}")
    @org.junit.jupiter.params.provider.CsvSource({"1576, 384, 16, NN", "301, 100, 16, NT", "33, 70, 7, TN",
            "2000, 1536, 16, NN", "7, 17, 3, TT"})
    void addendInTheStoreEqualsCopyThenBetaOne(int m, int n, int k, String tr) {
        CpuBackend cpu = new CpuBackend();
        boolean ta = tr.charAt(0) == 'T';
        boolean tb = tr.charAt(1) == 'T';
        int ldc = n + (m % 2);
        GemmSpec fused = GemmSpec.strided(ta, tb, m, n, k, 0.75f, 0f, ta ? m : k, tb ? k : n, ldc);
        GemmSpec plain = GemmSpec.strided(ta, tb, m, n, k, 0.75f, 1f, ta ? m : k, tb ? k : n, ldc);
        SplittableRandom rnd = new SplittableRandom(m * 31L + n);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = randomSegment(arena, (long) m * k, rnd);
            MemorySegment b = randomSegment(arena, (long) k * n, rnd);
            MemorySegment d = randomSegment(arena, (long) m * ldc, rnd);
            MemorySegment c1 = arena.allocate((long) m * ldc * Float.BYTES, 64);
            MemorySegment c2 = arena.allocate((long) m * ldc * Float.BYTES, 64);
            c1.fill((byte) 0x7f);                           // NaN-ish garbage: must be overwritten, never read
            cpu.gemmAddend(fused, a, b, d, c1);
            MemorySegment.copy(d, 0, c2, 0, d.byteSize());
            cpu.gemm(plain, a, b, c2);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    long at = (long) i * ldc + j;
                    assertEquals(Float.floatToIntBits(c2.getAtIndex(ValueLayout.JAVA_FLOAT, at)),
                            Float.floatToIntBits(c1.getAtIndex(ValueLayout.JAVA_FLOAT, at)),
                            "C[" + i + "," + j + "]");
                }
            }
        }
    }

    private static MemorySegment randomSegment(Arena arena, long count, SplittableRandom rnd) {
        MemorySegment s = arena.allocate(count * Float.BYTES, 64);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (rnd.nextDouble() * 2 - 1));
        }
        return s;
    }

    @Test
    void betaZeroNeverReadsNanInC() {
        for (int t = 0; t < 4; t++) {
            check(new Case((t & 1) != 0, (t & 2) != 0, 70, 90, 110, 1f, 0f, 1, 2, false), true);
            check(new Case((t & 1) != 0, (t & 2) != 0, 5, 6, 7, 0.5f, 0f, 0, 1, false), true);
            check(new Case((t & 1) != 0, (t & 2) != 0, 5, 6, 0, 0.5f, 0f, 1, 2, false), true);
            check(new Case((t & 1) != 0, (t & 2) != 0, 5, 6, 7, 0f, 0f, 1, 2, false), true);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void worksOnNativeSegmentsOfSharedAndConfinedArenas(boolean shared) {
        Case cs = new Case(false, true, 145, 67, 89, 1f, 0.25f, 2, 2, false);
        GemmSpec spec = cs.spec();
        SplittableRandom rnd = new SplittableRandom(7);
        float[] a = random(rnd, sizeA(spec));
        float[] b = random(rnd, sizeB(spec));
        float[] c = random(rnd, sizeC(spec));
        double[] want = reference(spec, a, b, c);
        try (Arena arena = shared ? Arena.ofShared() : Arena.ofConfined()) {
            MemorySegment sa = arena.allocateFrom(F, a);
            MemorySegment sb = arena.allocateFrom(F, b);
            MemorySegment sc = arena.allocateFrom(F, c);
            CpuGemm.gemm(spec, sa, sb, sc);
            assertClose(spec, want, sc.toArray(F), cs.toString());
        }
    }

    @Test
    void concurrentCallersGetTheirOwnResults() throws Exception {
        Case[] cs = {new Case(false, false, 150, 130, 170, 1f, 0f, 0, 1, false),
                new Case(true, true, 140, 160, 120, 0.5f, 0.5f, 1, 1, false),
                new Case(false, true, 300, 40, 200, 1f, 0f, 0, 1, false)};
        var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int rep = 0; rep < 4; rep++) {
                for (Case c : cs) {
                    futures.add(pool.submit(() -> check(c, false)));
                }
            }
            for (var f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "short operand {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 2})
    void tooShortOperandThrowsInsteadOfHanging(int which) {
        GemmSpec spec = GemmSpec.of(false, which == 1, 200, 300, 250, 1f, 0f);
        MemorySegment a = MemorySegment.ofArray(new float[200 * 250 - (which == 0 ? 1 : 0)]);
        MemorySegment b = MemorySegment.ofArray(new float[250 * 300 - (which == 1 ? 1 : 0)]);
        MemorySegment c = MemorySegment.ofArray(new float[200 * 300 - (which == 2 ? 1 : 0)]);
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                () -> CpuGemm.gemm(spec, a, b, c));
    }

    private static void check(Case cs, boolean nanC) {
        GemmSpec spec = cs.spec();
        SplittableRandom rnd = new SplittableRandom(cs.toString().hashCode());
        float[] a = random(rnd, sizeA(spec));
        float[] b = random(rnd, sizeB(spec));
        float[] c = random(rnd, sizeC(spec));
        if (nanC) {
            java.util.Arrays.fill(c, Float.NaN);
        }
        double[] want = reference(spec, a, b, c);
        float[] got = c.clone();
        CpuGemm.gemm(spec, MemorySegment.ofArray(a), MemorySegment.ofArray(b), MemorySegment.ofArray(got));
        assertClose(spec, want, got, cs.toString());
    }

    private static void assertClose(GemmSpec spec, double[] want, float[] got, String what) {
        double tol = 1e-5 * Math.max(1, spec.k()) + 1e-5;
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(want[i] - got[i]);
            boolean ok = Double.isNaN(want[i]) ? Float.isNaN(got[i]) : err <= tol * (1 + Math.abs(want[i]));
            if (!ok) {
                assertEquals(want[i], got[i], tol, what + ": element " + i);
            }
        }
        assertTrue(want.length == got.length, what);
    }

    /** Double-precision triple loop; elements of C outside the M×N tiles are left as they were. */
    private static double[] reference(GemmSpec s, float[] a, float[] b, float[] c) {
        double[] out = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            out[i] = c[i];
        }
        for (int bi = 0; bi < s.batch(); bi++) {
            for (int i = 0; i < s.m(); i++) {
                for (int j = 0; j < s.n(); j++) {
                    double sum = 0;
                    for (int p = 0; p < s.k(); p++) {
                        double av = a[(int) (bi * s.strideA()
                                + (s.transA() ? (long) p * s.lda() + i : (long) i * s.lda() + p))];
                        double bv = b[(int) (bi * s.strideB()
                                + (s.transB() ? (long) j * s.ldb() + p : (long) p * s.ldb() + j))];
                        sum += av * bv;
                    }
                    int ci = (int) (bi * s.strideC() + (long) i * s.ldc() + j);
                    out[ci] = s.beta() == 0f ? s.alpha() * sum : s.alpha() * sum + s.beta() * (double) c[ci];
                }
            }
        }
        return out;
    }

    // exact extents (the last row only as long as it is used), so reads past an operand would fail

    private static int sizeA(GemmSpec s) {
        return extent(s.batch(), s.strideA(), s.lda(), s.transA() ? s.k() : s.m(), s.transA() ? s.m() : s.k());
    }

    private static int sizeB(GemmSpec s) {
        return extent(s.batch(), s.strideB(), s.ldb(), s.transB() ? s.n() : s.k(), s.transB() ? s.k() : s.n());
    }

    private static int sizeC(GemmSpec s) {
        return extent(s.batch(), s.strideC(), s.ldc(), s.m(), s.n());
    }

    private static int extent(int batch, long stride, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return 0;
        }
        return (int) ((batch - 1) * stride + (long) (rows - 1) * ld + cols);
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
