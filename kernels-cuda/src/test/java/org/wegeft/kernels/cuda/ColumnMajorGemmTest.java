package org.wegeft.kernels.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.scalar.ScalarBackend;

/**
 * The row-major → column-major GEMM mapping, checked without a GPU: a plain-Java column-major GEMM with BLAS's
 * argument rules (what cuBLAS computes, leading-dimension checks included) is fed the mapped call and must match
 * the scalar backend on the row-major spec.
 */
class ColumnMajorGemmTest {

    static List<GemmSpec> specs() {
        List<GemmSpec> specs = new ArrayList<>();
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                specs.add(GemmSpec.of(ta, tb, 3, 7, 5, 1.5f, -0.5f));
                specs.add(GemmSpec.of(ta, tb, 1, 9, 1, 1f, 0f));
                specs.add(GemmSpec.batched(ta, tb, 3, 4, 6, 5, 0.75f, 0.25f));
                specs.add(new GemmSpec(ta, tb, 5, 4, 3, 1f, 1f, (ta ? 5 : 3) + 2, (tb ? 3 : 4) + 3, 4 + 1, 2,
                        40, 0, 40)); // padded, shared B, gaps
            }
        }
        return specs;
    }

    @ParameterizedTest
    @MethodSource("specs")
    void mappedColumnMajorCallEqualsTheRowMajorProduct(GemmSpec spec) {
        ColumnMajorGemm g = ColumnMajorGemm.of(spec);
        assertEquals(spec.n(), g.m());
        assertEquals(spec.m(), g.n());
        try (Arena arena = Arena.ofConfined()) {
            long aLen = extent(spec.batch(), spec.strideA(), spec.transA() ? spec.k() : spec.m(), spec.lda());
            long bLen = extent(spec.batch(), spec.strideB(), spec.transB() ? spec.n() : spec.k(), spec.ldb());
            long cLen = extent(spec.batch(), spec.strideC(), spec.m(), spec.ldc());
            MemorySegment a = random(arena, aLen, 1);
            MemorySegment b = random(arena, bLen, 2);
            MemorySegment cRef = random(arena, cLen, 3);
            MemorySegment c = arena.allocate(cLen * 4);
            c.copyFrom(cRef);
            new ScalarBackend().gemm(spec, a, b, cRef);
            columnMajor(g, g.aIsOurB() ? b : a, g.aIsOurB() ? a : b, c);
            for (long i = 0; i < cLen; i++) {
                assertEquals(cRef.getAtIndex(JAVA_FLOAT, i), c.getAtIndex(JAVA_FLOAT, i),
                        1e-5f * (1 + Math.abs(cRef.getAtIndex(JAVA_FLOAT, i))), "C[" + i + "] of " + spec);
            }
        }
    }

    private static long extent(int batch, long stride, int rows, int ld) {
        return (long) (batch - 1) * stride + (long) rows * ld;
    }

    private static MemorySegment random(Arena arena, long n, long seed) {
        MemorySegment s = arena.allocate(Math.max(1, n) * 4);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            s.setAtIndex(JAVA_FLOAT, i, (float) (r.nextDouble() * 2 - 1));
        }
        return s;
    }

    /** Reference column-major GEMM: element (i, j) of X with leading dimension ld is X[i + j·ld]. */
    private static void columnMajor(ColumnMajorGemm g, MemorySegment a, MemorySegment b, MemorySegment c) {
        // BLAS argument rules: lda ≥ max(1, rows of A as stored), same for B, ldc ≥ max(1, m)
        if (g.lda() < Math.max(1, g.transA() ? g.k() : g.m()) || g.ldb() < Math.max(1, g.transB() ? g.n() : g.k())
                || g.ldc() < Math.max(1, g.m())) {
            throw new AssertionError("invalid leading dimension for a column-major call: " + g);
        }
        for (int p = 0; p < g.batch(); p++) {
            long oa = p * g.strideA();
            long ob = p * g.strideB();
            long oc = p * g.strideC();
            for (int j = 0; j < g.n(); j++) {
                for (int i = 0; i < g.m(); i++) {
                    double acc = 0;
                    for (int l = 0; l < g.k(); l++) {
                        float av = a.getAtIndex(JAVA_FLOAT, oa + (g.transA() ? l + (long) i * g.lda()
                                : i + (long) l * g.lda()));
                        float bv = b.getAtIndex(JAVA_FLOAT, ob + (g.transB() ? j + (long) l * g.ldb()
                                : l + (long) j * g.ldb()));
                        acc += (double) av * bv;
                    }
                    long at = oc + i + (long) j * g.ldc();
                    double old = g.beta() == 0 ? 0 : g.beta() * (double) c.getAtIndex(JAVA_FLOAT, at);
                    c.setAtIndex(JAVA_FLOAT, at, (float) (g.alpha() * acc + old));
                }
            }
        }
    }
}
