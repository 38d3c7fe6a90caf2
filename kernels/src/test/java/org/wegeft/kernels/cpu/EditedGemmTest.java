package org.wegeft.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.scalar.ScalarBackend;

/**
 * {@code gemmEditedA}, A edited as the blocked GEMM packs it (WeGeFT's representation form without the edited copy
 * of x), gives the bits of writing the edited A with {@code gemmAddend} and running the product on it: partial
 * micro-panels, k blocks whose columns do not start on a panel, strided rows, a bias, half-precision weights, ranks
 * from 1 to 64, one thread or two; the default (the edited A written first) agrees with the scalar oracle; products
 * the fused path does not take run the default.
 */
class EditedGemmTest {

    @Test
    void theFusedProductGivesTheBitsOfTheEditedAWrittenFirst() {
        // m, n, k, r, dtype, lda padding, bias
        same(197, 384, 1536, 16, DType.F32, 0, true);     // ViT's fc2 at one image
        same(1576, 96, 384, 16, DType.F32, 0, true);      // many row blocks
        same(300, 200, 4100, 8, DType.BF16, 0, false);    // three k blocks, the second starting inside a panel
        same(100, 130, 2080, 5, DType.F16, 3, true);      // k blocks of 1,040 columns: panels 16 columns off
        same(37, 48, 70, 1, DType.F32, 7, false);         // rank 1, strided rows, partial panels everywhere
        same(64, 256, 512, 64, DType.BF16, 0, true);      // the LLM rank
        same(29, 640, 300, 16, DType.F32, 0, false);      // fewer rows than columns, float32: not swapped
        // a confined arena's segments keep the product on the calling thread
        compare(197, 384, 1536, 16, DType.F32, 0, true, true);
    }

    @Test
    void theDefaultAgreesWithTheScalarOracle() {
        for (KernelBackend be : new KernelBackend[] {new CpuBackend(), new ScalarBackend()}) {
            try (Arena arena = Arena.ofShared()) {
                Operands o = Operands.of(arena, 45, 70, 90, 6, DType.BF16, 2, true);
                MemorySegment got = arena.allocate(JAVA_FLOAT, 45 * 70);
                be.gemmEditedA(o.spec, o.x, o.u, o.e, 6, o.scale, DType.BF16, o.w, o.bias, got);
                float[] want = o.oracle();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got.getAtIndex(JAVA_FLOAT, i), 2e-4f * Math.max(1f, Math.abs(want[i])),
                            be.name() + " element " + i);
                }
            }
        }
    }

    @Test
    void productsTheFusedPathDoesNotTakeRunTheDefault() {
        // decoding rows, a swapped bf16 product, a transposed A, a rank above one k block, a skinny edit
        assertFalse(CpuGemm.takesEdited(GemmSpec.strided(false, true, 3, 64, 64, 1f, 0f, 64, 64, 64), 8, false,
                null));
        assertFalse(CpuGemm.takesEdited(GemmSpec.strided(false, true, 64, 2048, 512, 1f, 0f, 512, 512, 2048), 8,
                false, WeightRead.of(DType.BF16, null)));
        assertFalse(CpuGemm.takesEdited(GemmSpec.strided(true, true, 64, 64, 64, 1f, 0f, 64, 64, 64), 8, false,
                null));
        assertFalse(CpuGemm.takesEdited(GemmSpec.strided(false, true, 64, 64, 64, 1f, 0f, 64, 64, 64), 4096, false,
                null));
        assertFalse(CpuGemm.takesEdited(GemmSpec.strided(false, true, 12, 64, 16, 1f, 0f, 16, 16, 64), 4, false,
                null));
        assertTrue(CpuGemm.takesEdited(GemmSpec.strided(false, true, 197, 384, 1536, 1f, 0f, 1536, 1536, 384), 16,
                true, null));
        // the default on the CPU backend: the swapped bf16 product, against the edited A written first
        compare(64, 2048, 512, 8, DType.BF16, 0, false, false);
        compare(3, 64, 64, 8, DType.F32, 0, true, false);
    }

    @Test
    void badArgumentsAreRefused() {
        try (Arena arena = Arena.ofShared()) {
            Operands o = Operands.of(arena, 24, 32, 40, 4, DType.F32, 0, false);
            MemorySegment c = arena.allocate(JAVA_FLOAT, 24 * 32);
            GemmSpec transposed = GemmSpec.strided(true, true, 24, 32, 40, 1f, 0f, 24, 40, 32);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CpuBackend()
                    .gemmEditedA(transposed, o.x, o.u, o.e, 4, 1f, DType.F32, o.w, MemorySegment.NULL, c));
            assertTrue(e.getMessage().contains("not transposed"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> CpuGemm.gemmEditedA(o.spec, o.x, o.u, o.e, 0, 1f,
                    null, o.w, MemorySegment.NULL, c));
        }
    }

    private static void same(int m, int n, int k, int r, DType bt, int pad, boolean bias) {
        GemmSpec spec = GemmSpec.strided(false, true, m, n, k, 1f, 0f, k + pad, k, n);
        assertTrue(CpuGemm.takesEdited(spec, r, bias, bt == DType.F32 ? null : WeightRead.of(bt, null)),
                m + "x" + n + "x" + k + " r " + r + " is fused");
        compare(m, n, k, r, bt, pad, bias, false);
    }

    /** The CPU backend's gemmEditedA against gemmAddend then gemmWeight on the same backend: the same bits. */
    private static void compare(int m, int n, int k, int r, DType bt, int pad, boolean bias, boolean confined) {
        String what = m + "x" + n + "x" + k + " r " + r + " " + bt + " lda " + (k + pad) + (bias ? " bias" : "")
                + (confined ? " one thread" : "");
        CpuBackend cpu = new CpuBackend();
        try (Arena arena = confined ? Arena.ofConfined() : Arena.ofShared()) {
            Operands o = Operands.of(arena, m, n, k, r, bt, pad, bias);
            MemorySegment edited = arena.allocate(JAVA_FLOAT, (long) m * o.spec.lda());
            cpu.gemmAddend(GemmSpec.strided(true, false, m, k, r, o.scale, 0f, m, k, o.spec.lda()), o.u, o.e, o.x,
                    edited);
            MemorySegment want = arena.allocate(JAVA_FLOAT, (long) m * n);
            cpu.gemmWeight(o.spec, edited, bt, o.w, null, o.bias, want);
            MemorySegment got = arena.allocate(JAVA_FLOAT, (long) m * n);
            got.fill((byte) 0xFF);
            cpu.gemmEditedA(o.spec, o.x, o.u, o.e, r, o.scale, bt, o.w, o.bias, got);
            CpuTestSupport.assertSameBits(want, got, m, n, what);
        }
    }

    /** x (m × k, row stride k + pad, NaN in the padding), U (r × m), E (r × k), W (n × k) in dtype bt, a bias. */
    private record Operands(GemmSpec spec, MemorySegment x, MemorySegment u, MemorySegment e, MemorySegment w,
                            MemorySegment w32, MemorySegment bias, float scale, int r) {
        static Operands of(Arena arena, int m, int n, int k, int r, DType bt, int pad, boolean bias) {
            SplittableRandom rnd = new SplittableRandom(m * 131L + n * 7L + k + r);
            int lda = k + pad;
            MemorySegment x = arena.allocate(JAVA_FLOAT, (long) m * lda);
            x.fill((byte) 0xFF);   // NaN wherever a wrong read would land
            MemorySegment rows = CpuTestSupport.random(arena, (long) m * k, rnd);
            for (int i = 0; i < m; i++) {
                x.asSlice((long) i * lda * 4, (long) k * 4).copyFrom(rows.asSlice((long) i * k * 4, (long) k * 4));
            }
            MemorySegment u = CpuTestSupport.random(arena, (long) r * m, rnd);
            MemorySegment e = CpuTestSupport.random(arena, (long) r * k, rnd);
            MemorySegment w32 = CpuTestSupport.random(arena, (long) n * k, rnd);
            MemorySegment w = w32;
            if (bt != DType.F32) {
                w = arena.allocate((long) n * k * 2, 64);
                new CpuBackend().convert(DType.F32, w32, bt, w, (long) n * k);
                new CpuBackend().convert(bt, w, DType.F32, w32, (long) n * k);   // the values the product reads
            }
            MemorySegment b = bias ? CpuTestSupport.random(arena, n, rnd) : MemorySegment.NULL;
            return new Operands(GemmSpec.strided(false, true, m, n, k, 1f, 0f, lda, k, n), x, u, e, w, w32, b, 0.75f,
                    r);
        }

        /** (x + s·Uᵀ·E)·Wᵀ + bias in double precision. */
        float[] oracle() {
            int m = spec.m();
            int n = spec.n();
            int k = spec.k();
            double[] edited = new double[m * k];
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    double s = 0;
                    for (int j = 0; j < r; j++) {
                        s += (double) u.getAtIndex(JAVA_FLOAT, (long) j * m + i) * e.getAtIndex(JAVA_FLOAT, (long) j * k + p);
                    }
                    edited[i * k + p] = x.getAtIndex(JAVA_FLOAT, (long) i * spec.lda() + p) + scale * s;
                }
            }
            float[] out = new float[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = bias.equals(MemorySegment.NULL) ? 0 : bias.getAtIndex(JAVA_FLOAT, j);
                    for (int p = 0; p < k; p++) {
                        s += edited[i * k + p] * w32.getAtIndex(JAVA_FLOAT, (long) j * k + p);
                    }
                    out[i * n + j] = (float) s;
                }
            }
            return out;
        }
    }
}
