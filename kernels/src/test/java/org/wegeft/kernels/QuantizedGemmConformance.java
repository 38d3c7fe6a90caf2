package org.wegeft.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.scalar.ScalarBackend;

/**
 * {@link KernelBackend#gemmQuantized} conformance, as {@link WeightGemmConformance} for half-precision weights: NF4
 * (plain, rounded to bf16 or f16, odd sizes with a partial last block) and INT8 weights, both orientations (x·Wᵀ and dy·W),
 * padded A and C, a bias, a batch sharing the weight, dropout (also from a row on), decoding rows and several k
 * blocks. The reference is the scalar backend's (the SPI's default: dequantize slab by slab, then the float32
 * product), within 1e-4 of |α|·Σ|a||w|·scale + |β||c| + |bias|.
 */
final class QuantizedGemmConformance {
    private QuantizedGemmConformance() {
    }

    /** How the case's weight is quantized. */
    enum Kind {
        NF4, NF4_BF16, NF4_F16, INT8
    }

    static List<ConformanceCase> cases() {
        List<ConformanceCase> cases = new ArrayList<>();
        WeightDropout drop = new WeightDropout(0x5DEECE66DL, 0.1f);
        for (Kind kind : Kind.values()) {
            for (WeightDropout d : new WeightDropout[] {null, drop}) {
                for (boolean tb : new boolean[] {false, true}) {
                    cases.add(quantized(GemmSpec.of(false, tb, 37, 70, 45, 1f, 0f), kind, d, false));
                    cases.add(quantized(GemmSpec.of(true, tb, 33, 50, 29, 1f, 0f), kind, d, false));
                }
                cases.add(quantized(GemmSpec.of(false, true, 256, 200, 130, 1f, 0f), kind, d, true));
                cases.add(quantized(GemmSpec.strided(false, true, 33, 47, 40, 1f, 0f, 43, 40, 49), kind, d, false));
                cases.add(quantized(GemmSpec.strided(false, false, 29, 50, 33, -0.5f, 0.5f, 34, 50, 51), kind, d,
                        false));
                cases.add(quantized(new GemmSpec(false, true, 17, 40, 33, 1f, 0f, 33, 33, 40, 3, 17L * 33, 0,
                        17L * 40), kind, d, false));
                // decoding: one row, or a few, against the weight
                cases.add(quantized(GemmSpec.of(false, true, 1, 301, 77, 1f, 0f), kind, d, true));
                cases.add(quantized(GemmSpec.of(false, true, 3, 8, 20, 1f, 0f), kind, d, false));
                // a product and its dropped twin stacked
                cases.add(quantized(GemmSpec.of(false, true, 70, 90, 45, 1f, 0f), kind, drop.fromRow(53), false));
                cases.add(quantized(GemmSpec.of(false, false, 70, 90, 45, 1f, 0f), kind, drop.fromRow(53), false));
            }
        }
        // several k blocks; a deep input gradient whose slabs add up
        cases.add(quantized(GemmSpec.of(false, true, 50, 70, 2200, 1f, 0f), Kind.NF4, drop, true));
        cases.add(quantized(GemmSpec.of(false, false, 20, 200, 3000, 1f, 0f), Kind.INT8, null, false));
        cases.add(quantized(GemmSpec.of(false, false, 64, 96, 2100, 1f, 0f), Kind.NF4_BF16, drop, false));
        return cases;
    }

    /** A random (rows, cols) weight quantized as kind. */
    static QuantizedWeight weight(Random rng, Kind kind, int rows, int cols) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian() * 0.5f;
        }
        MemorySegment src = MemorySegment.ofArray(w);
        return switch (kind) {
            case NF4 -> Quantizers.nf4(DType.F32, src, rows, cols, DType.F32);
            case NF4_BF16 -> Quantizers.nf4(DType.F32, src, rows, cols, DType.BF16);
            case NF4_F16 -> Quantizers.nf4(DType.F32, src, rows, cols, DType.F16);
            case INT8 -> Quantizers.int8(DType.F32, src, rows, cols);
        };
    }

    private static ConformanceCase quantized(GemmSpec s, Kind kind, @Nullable WeightDropout d, boolean bias) {
        String shape = GemmConformance.describe(s) + " B " + kind + (d == null ? "" : " dropout " + d.p()
                + (d.firstRow() > 0 ? " from row " + d.firstRow() : "")) + (bias ? " +bias" : "");
        long seed = shape.hashCode();
        return new ConformanceCase("gemmQuantized", shape, (ref, cand) -> {
            Random rng = new Random(seed);
            int rows = s.transB() ? s.n() : s.k();
            int cols = s.transB() ? s.k() : s.n();
            QuantizedWeight w = weight(rng, kind, rows, cols);
            float[] a = GemmConformance.operandA(rng, s);
            float[] biasRow = bias ? GemmConformance.operand(rng, 1, 0, 1, s.n(), s.n(), Float.NaN) : null;
            float[] c = GemmConformance.operandC(rng, s);
            float[] expected = run(ref, s, a, w, d, biasRow, c);
            float[] actual = run(cand, s, a, w, d, biasRow, c);
            float scale = d == null ? 1f : d.scale();
            float[] absB = new float[(int) w.size()];
            for (int i = 0; i < absB.length; i++) {
                absB[i] = Math.abs(w.get(i)) * scale * 1.01f;
            }
            float[] bound;
            try (Arena arena = Arena.ofShared()) {
                MemorySegment cs = TestBuffers.floats(arena, GemmConformance.abs(c));
                GemmSpec abs = GemmConformance.absolute(s);
                MemorySegment as = TestBuffers.floats(arena, GemmConformance.abs(a));
                MemorySegment bs = TestBuffers.floats(arena, absB);
                if (biasRow == null) {
                    new ScalarBackend().gemm(abs, as, bs, cs);
                } else {
                    new ScalarBackend().gemmBias(abs, as, bs, TestBuffers.floats(arena, GemmConformance.abs(biasRow)),
                            cs);
                }
                bound = TestBuffers.toArray(cs, c.length);
            }
            TestBuffers.assertWithin(cand.name() + " gemmQuantized " + shape + " output C", expected, actual,
                    GemmConformance.tolerance(bound));
        });
    }

    private static float[] run(KernelBackend backend, GemmSpec s, float[] a, QuantizedWeight w,
                               @Nullable WeightDropout d, float @Nullable [] bias, float[] c) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment cs = TestBuffers.floats(arena, c);
            backend.gemmQuantized(s, TestBuffers.floats(arena, a), w, d,
                    bias == null ? MemorySegment.NULL : TestBuffers.floats(arena, bias), cs);
            return TestBuffers.toArray(cs, c.length);
        }
    }
}
