package org.wegeft.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.WeightDropout;

/**
 * A product against a transposed weight run swapped ({@code Cᵀ = W·op(A)ᵀ}, the weight packed as A) gives the bits
 * of the same product with the weight packed as B, for every dtype, with and without the stacked dropout, over
 * several k blocks, partial panels, a transposed A, beta ≠ 0 and a product split along k.
 */
class WeightAsATest {

    @AfterEach
    void restore() {
        CpuGemm.weightAsA = true;
    }

    @Test
    void swappedProductsGiveTheBitsOfTheWeightPackedAsB() {
        // m, n, k, transA, dtype, first dropped row (-1: no dropout), beta
        check(256, 512, 2048, false, DType.BF16, -1, 0f, true);
        check(70, 100, 300, false, DType.BF16, -1, 0f, true);
        check(320, 640, 4200, false, DType.BF16, 256, 0f, true);   // the generator's rows stacked under x, 3 k blocks
        check(64, 96, 64, false, DType.F16, 0, 0f, true);          // every row dropped
        check(40, 50, 70, false, DType.F32, 32, 0f, true);
        check(48, 64, 80, true, DType.BF16, -1, 0f, true);
        check(40, 64, 96, false, DType.BF16, -1, 0.5f, true);
        check(40, 64, 96, false, DType.BF16, 16, 0f, false);       // dropped rows start inside a panel: not swapped
        check(130, 60, 64, false, DType.BF16, -1, 0f, false);      // taller than wide: not swapped
        check(32, 600, 8200, false, DType.BF16, -1, 0f, true);      // split along k: the second part merges, beta 1
    }

    private static void check(int m, int n, int k, boolean transA, DType bt, int firstRow, float beta,
                              boolean swaps) {
        GemmSpec spec = GemmSpec.strided(transA, true, m, n, k, 1.25f, beta, transA ? m : k, k, n);
        WeightDropout d = firstRow < 0 ? null : new WeightDropout(0x5EED_0000L + m, 0.1f, firstRow);
        String what = m + "x" + n + "x" + k + " " + bt + " transA " + transA + " dropped from " + firstRow
                + " beta " + beta;
        WeightRead w = WeightRead.of(bt, d);
        CpuGemm.weightAsA = true;
        assertEquals(swaps, CpuGemm.weightAsA(spec, MemorySegment.NULL, MemorySegment.NULL, w), what);
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(m * 31L + n);
            MemorySegment a = random(arena, (long) m * k, rnd);
            MemorySegment w32 = random(arena, (long) n * k, rnd);
            MemorySegment b = w32;
            if (bt != DType.F32) {
                b = arena.allocate((long) n * k * 2, 64);
                new CpuBackend().convert(DType.F32, w32, bt, b, (long) n * k);
            }
            MemorySegment c0 = random(arena, (long) m * n, rnd);
            MemorySegment swapped = arena.allocate(JAVA_FLOAT, (long) m * n).copyFrom(c0);
            MemorySegment asB = arena.allocate(JAVA_FLOAT, (long) m * n).copyFrom(c0);
            new CpuBackend().gemmWeight(spec, a, bt, b, d, MemorySegment.NULL, swapped);
            CpuGemm.weightAsA = false;
            new CpuBackend().gemmWeight(spec, a, bt, b, d, MemorySegment.NULL, asB);
            for (long i = 0; i < (long) m * n; i++) {
                int want = Float.floatToRawIntBits(asB.getAtIndex(JAVA_FLOAT, i));
                int got = Float.floatToRawIntBits(swapped.getAtIndex(JAVA_FLOAT, i));
                if (want != got) {
                    assertEquals(asB.getAtIndex(JAVA_FLOAT, i), swapped.getAtIndex(JAVA_FLOAT, i),
                            what + ": element " + i / n + "," + i % n);
                }
            }
        }
    }

    private static MemorySegment random(Arena arena, long n, SplittableRandom rnd) {
        MemorySegment s = arena.allocate(JAVA_FLOAT, n);
        for (long i = 0; i < n; i++) {
            s.setAtIndex(JAVA_FLOAT, i, (float) rnd.nextDouble(-1, 1));
        }
        return s;
    }
}
