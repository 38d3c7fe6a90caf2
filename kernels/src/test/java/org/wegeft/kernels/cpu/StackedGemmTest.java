package org.wegeft.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.WeightDropout;
import org.wegeft.kernels.scalar.ScalarBackend;

/**
 * {@code gemmWeightStacked}, A's rows below the dropout's first row in a buffer of their own (a layer's rows and its
 * generator's, never copied into one A), gives the bits of {@code gemmWeight} on the two stacked into one A: swapped
 * and not, with a bias, over several k blocks, split along k, with A's rows strided; and the default (two products)
 * on the scalar backend and for products the blocked kernel does not take.
 */
class StackedGemmTest {

    @Test
    void theCpuProductGivesTheBitsOfOneStackedA() {
        // m, n, k, transB, dtype, first dropped row, lda padding, bias, whether it runs swapped
        same(96, 256, 200, true, DType.BF16, 64, 0, false, true);      // x·Wᵀ: the generator's columns from a panel on
        same(320, 640, 4200, true, DType.BF16, 256, 0, false, true);   // three k blocks
        same(96, 256, 200, true, DType.F32, 64, 7, false, true);       // strided rows
        same(90, 256, 200, true, DType.BF16, 70, 0, false, false);     // split inside a panel
        same(96, 256, 200, true, DType.F16, 64, 5, true, false);       // with a bias
        same(70, 96, 300, false, DType.BF16, 50, 0, false, false);     // dy·W, the input gradient
        same(70, 96, 300, false, DType.F32, 50, 3, false, false);
        same(40, 640, 8192, false, DType.BF16, 24, 0, false, false);   // split along k (n above one packed block)
    }

    @Test
    void theDefaultGivesTheBitsOfOneStackedAOnTheScalarBackend() {
        compare(new ScalarBackend(), 20, 24, 30, true, DType.BF16, 12, 2, true);
        compare(new ScalarBackend(), 20, 24, 30, false, DType.F16, 7, 0, false);
    }

    @Test
    void aProductTheBlockedKernelDoesNotTakeRunsAsTwo() {
        // three rows: the decoding kernel's shape, so the CPU backend takes the default; against the scalar oracle
        GemmSpec spec = GemmSpec.strided(false, true, 3, 40, 64, 1f, 0f, 64, 64, 40);
        WeightDropout d = new WeightDropout(7, 0.1f, 2);
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(3);
            MemorySegment a = CpuTestSupport.random(arena, 3 * 64, rnd);
            MemorySegment w = CpuTestSupport.random(arena, 40 * 64, rnd);
            MemorySegment cpu = arena.allocate(JAVA_FLOAT, 3 * 40);
            MemorySegment scalar = arena.allocate(JAVA_FLOAT, 3 * 40);
            new CpuBackend().gemmWeightStacked(spec, a, a.asSlice(2 * 64 * 4L), DType.F32, w, d, MemorySegment.NULL,
                    cpu);
            new ScalarBackend().gemmWeight(spec, a, DType.F32, w, d, MemorySegment.NULL, scalar);
            for (int i = 0; i < 3 * 40; i++) {
                float want = scalar.getAtIndex(JAVA_FLOAT, i);
                assertEquals(want, cpu.getAtIndex(JAVA_FLOAT, i), 1e-5f * Math.max(1f, Math.abs(want)), "element " + i);
            }
        }
    }

    @Test
    void badSplitsAreRefused() {
        GemmSpec spec = GemmSpec.strided(false, true, 8, 32, 16, 1f, 0f, 16, 16, 32);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(JAVA_FLOAT, 8 * 16);
            MemorySegment w = arena.allocate(JAVA_FLOAT, 32 * 16);
            MemorySegment c = arena.allocate(JAVA_FLOAT, 8 * 32);
            for (int first : new int[] {0, 8}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CpuBackend()
                        .gemmWeightStacked(spec, a, a, DType.F32, w, new WeightDropout(1, 0.1f, first),
                                MemorySegment.NULL, c));
                assertTrue(e.getMessage().contains("first row"), e.getMessage());
            }
            GemmSpec transposed = GemmSpec.strided(true, true, 8, 32, 16, 1f, 0f, 8, 16, 32);
            assertThrows(IllegalArgumentException.class, () -> new CpuBackend().gemmWeightStacked(transposed, a, a,
                    DType.F32, w, new WeightDropout(1, 0.1f, 4), MemorySegment.NULL, c));
        }
    }

    private static void same(int m, int n, int k, boolean transB, DType bt, int split, int pad, boolean bias,
                             boolean swaps) {
        GemmSpec spec = GemmSpec.strided(false, transB, m, n, k, 1.25f, 0f, k + pad, transB ? k : n, n);
        WeightRead w = WeightRead.of(bt, new WeightDropout(1, 0.1f, split));
        assertEquals(swaps, CpuGemm.weightAsA(spec, bias ? MemorySegment.ofArray(new float[n]) : MemorySegment.NULL,
                MemorySegment.NULL, w), m + "x" + n + "x" + k + " swapped");
        compare(new CpuBackend(), m, n, k, transB, bt, split, pad, bias);
    }

    /**
     * The product with A stacked into one buffer ({@code gemmWeight}) and in two ({@code gemmWeightStacked}) on one
     * backend: the same bits.
     */
    private static void compare(KernelBackend be, int m, int n, int k, boolean transB, DType bt, int split, int pad,
                                boolean bias) {
        int lda = k + pad;
        GemmSpec spec = GemmSpec.strided(false, transB, m, n, k, 1.25f, 0f, lda, transB ? k : n, n);
        WeightDropout d = new WeightDropout(0x5EED_0000L + m, 0.1f, split);
        String what = m + "x" + n + "x" + k + (transB ? " NT " : " NN ") + bt + " split " + split + " lda " + lda
                + (bias ? " bias" : "");
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(m * 31L + n);
            MemorySegment stacked = CpuTestSupport.random(arena, (long) m * lda, rnd);
            // the upper rows with NaN below them (read only through `lower`), and the lower rows elsewhere
            MemorySegment upper = arena.allocate(JAVA_FLOAT, (long) m * lda);
            upper.fill((byte) 0xFF);
            upper.copyFrom(stacked.asSlice(0, (long) split * lda * 4));
            MemorySegment lower = arena.allocate(JAVA_FLOAT, (long) (m - split) * lda)
                    .copyFrom(stacked.asSlice((long) split * lda * 4));
            MemorySegment w32 = CpuTestSupport.random(arena, (long) n * k, rnd);
            MemorySegment w = w32;
            if (bt != DType.F32) {
                w = arena.allocate((long) n * k * 2, 64);
                new CpuBackend().convert(DType.F32, w32, bt, w, (long) n * k);
            }
            MemorySegment b = bias ? CpuTestSupport.random(arena, n, rnd) : MemorySegment.NULL;
            MemorySegment one = arena.allocate(JAVA_FLOAT, (long) m * n);
            MemorySegment two = arena.allocate(JAVA_FLOAT, (long) m * n);
            be.gemmWeight(spec, stacked, bt, w, d, b, one);
            be.gemmWeightStacked(spec, upper, lower, bt, w, d, b, two);
            CpuTestSupport.assertSameBits(one, two, m, n, what);
        }
    }
}
