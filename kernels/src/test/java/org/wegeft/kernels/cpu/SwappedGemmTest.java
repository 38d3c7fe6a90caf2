package org.wegeft.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.WeightDropout;

/**
 * A product run swapped ({@code Cᵀ = op(B)ᵀ·op(A)ᵀ}, B packed as A, C written transposed) gives the bits of the same
 * product unswapped: against a weight of every dtype, with and without the stacked dropout, and in float32 against a
 * much wider B; over several k blocks, partial panels, a transposed A, beta ≠ 0 and a product split along k.
 */
class SwappedGemmTest {

    @AfterEach
    void restore() {
        CpuGemm.swaps = true;
    }

    @Test
    void productsAgainstAWeightGiveTheBitsOfTheWeightPackedAsB() {
        // m, n, k, transA, dtype, first dropped row (-1: no dropout), beta, whether it swaps
        weight(256, 512, 2048, false, DType.BF16, -1, 0f, true);
        weight(70, 100, 300, false, DType.BF16, -1, 0f, true);
        weight(320, 640, 4200, false, DType.BF16, 256, 0f, true);   // the generator's rows stacked under x, 3 k blocks
        weight(64, 96, 64, false, DType.F16, 0, 0f, true);          // every row dropped
        weight(40, 50, 70, false, DType.F32, 32, 0f, true);
        weight(48, 64, 80, true, DType.BF16, -1, 0f, true);
        weight(40, 64, 96, false, DType.BF16, -1, 0.5f, true);
        weight(40, 64, 96, false, DType.BF16, 16, 0f, false);       // dropped rows start inside a panel
        weight(130, 60, 64, false, DType.BF16, -1, 0f, false);      // taller than wide
        weight(32, 600, 8200, false, DType.BF16, -1, 0f, true);     // split along k: the second part merges, beta 1
    }

    @Test
    void skinnyFloatProductsGiveTheBitsOfTheUnswappedProduct() {
        // m, n, k, beta, whether it swaps
        skinny(64, 256, 2048, 0f, true);       // a rank-64 adapter's u = psi·xᵀ
        skinny(40, 300, 4200, 0f, true);       // partial panels, 3 k blocks
        skinny(64, 256, 100, 0.5f, true);
        skinny(32, 600, 8200, 0f, true);       // split along k
        skinny(16, 1576, 64, 0f, false);       // fewer rows than a micro-tile's columns
        skinny(64, 200, 64, 0f, false);        // not four times as wide
    }

    private static void weight(int m, int n, int k, boolean transA, DType bt, int firstRow, float beta,
                               boolean swaps) {
        GemmSpec spec = GemmSpec.strided(transA, true, m, n, k, 1.25f, beta, transA ? m : k, k, n);
        WeightDropout d = firstRow < 0 ? null : new WeightDropout(0x5EED_0000L + m, 0.1f, firstRow);
        String what = m + "x" + n + "x" + k + " " + bt + " transA " + transA + " dropped from " + firstRow
                + " beta " + beta;
        CpuGemm.swaps = true;
        assertEquals(swaps, CpuGemm.weightAsA(spec, MemorySegment.NULL, MemorySegment.NULL, WeightRead.of(bt, d)),
                what);
        compare(spec, bt, d, what);
    }

    private static void skinny(int m, int n, int k, float beta, boolean swaps) {
        GemmSpec spec = GemmSpec.strided(false, true, m, n, k, 1.25f, beta, k, k, n);
        String what = m + "x" + n + "x" + k + " F32 beta " + beta;
        CpuGemm.swaps = true;
        assertEquals(swaps, CpuGemm.skinnyAsB(spec, MemorySegment.NULL, MemorySegment.NULL, null), what);
        compare(spec, null, null, what);
    }

    /** The product with swapping on and off, from the same C; {@code bt} null: a plain float32 product. */
    private static void compare(GemmSpec spec, @Nullable DType bt, @Nullable WeightDropout d, String what) {
        int m = spec.m();
        int n = spec.n();
        int k = spec.k();
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(m * 31L + n);
            MemorySegment a = CpuTestSupport.random(arena, (long) m * k, rnd);
            MemorySegment w32 = CpuTestSupport.random(arena, (long) n * k, rnd);
            MemorySegment b = w32;
            if (bt != null && bt != DType.F32) {
                b = arena.allocate((long) n * k * 2, 64);
                new CpuBackend().convert(DType.F32, w32, bt, b, (long) n * k);
            }
            MemorySegment c0 = CpuTestSupport.random(arena, (long) m * n, rnd);
            MemorySegment swapped = arena.allocate(JAVA_FLOAT, (long) m * n).copyFrom(c0);
            MemorySegment unswapped = arena.allocate(JAVA_FLOAT, (long) m * n).copyFrom(c0);
            for (boolean on : new boolean[] {true, false}) {
                CpuGemm.swaps = on;
                MemorySegment c = on ? swapped : unswapped;
                if (bt == null) {
                    CpuGemm.gemm(spec, a, b, c);
                } else {
                    new CpuBackend().gemmWeight(spec, a, bt, b, d, MemorySegment.NULL, c);
                }
            }
            CpuTestSupport.assertSameBits(unswapped, swapped, m, n, what);
        }
    }
}
