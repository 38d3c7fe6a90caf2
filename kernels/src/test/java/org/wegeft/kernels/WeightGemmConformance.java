package org.wegeft.kernels;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.scalar.ScalarBackend;

/**
 * {@link KernelBackend#gemmWeight} and {@link KernelBackend#gemmEditedA} conformance: B stored as F32, BF16 or F16, with and without a weight dropout, over
 * both orientations of B (a linear layer's forward reads W transposed, its input gradient plain), odd sizes, padded
 * leading dimensions, a bias, a batch, several k blocks and several column blocks. The reference is the SPI's default
 * (widen, drop, then the float32 product), within 1e-4 of |α|·Σ|a||b|·scale + |β||c| + |bias|.
 */
final class WeightGemmConformance {
    private static final DType[] WEIGHT_TYPES = {DType.F32, DType.BF16, DType.F16};

    private WeightGemmConformance() {
    }

    static List<ConformanceCase> cases() {
        List<ConformanceCase> cases = new ArrayList<>();
        WeightDropout drop = new WeightDropout(0x5DEECE66DL, 0.1f);
        for (DType t : WEIGHT_TYPES) {
            for (WeightDropout d : new WeightDropout[] {null, drop}) {
                if (t == DType.F32 && d == null) {
                    continue;   // the plain float32 product is gemm's
                }
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        cases.add(weight(GemmConformance.tight(ta, tb, 37, 70, 45, 1f, 0f, 1), t, d, false));
                    }
                }
                cases.add(weight(GemmConformance.tight(false, true, 256, 200, 130, 1f, 0f, 1), t, d, true));
                cases.add(weight(GemmConformance.padded(false, true, 33, 47, 40, 0, 3, 2, 1f, 0f), t, d, false));
                cases.add(weight(GemmConformance.padded(false, false, 29, 50, 33, 1, 5, 0, -0.5f, 0.5f), t, d, false));
                cases.add(weight(GemmConformance.sharedB(false, true, 3, 17, 40, 33, 1f, 0f), t, d, false));
                // decoding: one row, or a few, against the weight read in place
                cases.add(weight(GemmConformance.tight(false, true, 1, 301, 77, 1f, 0f, 1), t, d, true));
                cases.add(weight(GemmConformance.padded(false, true, 3, 66, 40, 2, 7, 1, 1f, 0.5f), t, d, false));
            }
        }
        // several k blocks, and a deep product split along k (an LM head's input gradient)
        cases.add(weight(GemmConformance.tight(false, true, 50, 70, 2200, 1f, 0f, 1), DType.BF16, drop, true));
        cases.add(weight(GemmConformance.tight(false, false, 20, 200, 30_000, 1f, 0f, 1), DType.BF16, null, false));
        cases.add(weight(GemmConformance.tight(false, false, 64, 96, 2100, 1f, 0f, 1), DType.F16, drop, false));
        // a product and its dropped twin stacked: rows from firstRow on read drop(B) (a layer's x·Wᵀ over phi·drop(W)ᵀ,
        // its dy·W over dG·drop(W)); splits inside a micro-panel and a row block, all rows plain, several column blocks
        for (DType t : WEIGHT_TYPES) {
            cases.add(weight(GemmConformance.tight(false, true, 70, 90, 45, 1f, 0f, 1), t, drop.fromRow(53), false));
            cases.add(weight(GemmConformance.tight(false, false, 70, 90, 45, 1f, 0f, 1), t, drop.fromRow(53), false));
        }
        cases.add(weight(GemmConformance.tight(false, true, 300, 64, 40, 1f, 0f, 1), DType.BF16, drop.fromRow(256),
                true));
        cases.add(weight(GemmConformance.padded(false, false, 37, 50, 33, 2, 5, 1, 1f, 0f), DType.BF16,
                drop.fromRow(7), false));
        cases.add(weight(GemmConformance.tight(true, false, 40, 50, 33, 1f, 0f, 1), DType.F16, drop.fromRow(25), false));
        cases.add(weight(GemmConformance.tight(false, true, 20, 33, 40, 1f, 0f, 1), DType.BF16, drop.fromRow(20), false));
        cases.add(weight(GemmConformance.tight(false, true, 40, 1000, 2200, 1f, 0f, 1), DType.BF16, drop.fromRow(30),
                false));
        // products the blocked kernel does not take (skinny, k = 0) still follow the contract
        cases.add(weight(GemmConformance.tight(false, true, 3, 8, 20, 1f, 0f, 1), DType.BF16, drop, false));
        cases.add(weight(GemmConformance.tight(false, true, 4, 5, 0, 1f, 0f, 1), DType.BF16, null, true));
        // A edited on the way in (gemmEditedA, WeGeFT's representation form): rows the blocked kernel takes, decoding
        // rows, padded rows, several k blocks
        cases.add(edited(GemmConformance.tight(false, true, 60, 70, 90, 1f, 0f, 1), 5, DType.F32, true));
        cases.add(edited(GemmConformance.tight(false, true, 60, 70, 90, 1f, 0f, 1), 5, DType.BF16, false));
        cases.add(edited(GemmConformance.tight(false, true, 3, 70, 40, 1f, 0f, 1), 4, DType.F16, true));
        cases.add(edited(GemmConformance.padded(false, true, 33, 47, 40, 0, 3, 2, 1f, 0f), 16, DType.F32, false));
        cases.add(edited(GemmConformance.tight(false, true, 40, 30, 2200, 1f, 0f, 1), 8, DType.BF16, true));
        return cases;
    }

    /**
     * gemmEditedA: op(A) = X + s·Uᵀ·E with U (r × m) and E (r × k) random, s = 0.75, against the reference backend;
     * the bound runs the same product on absolute values.
     */
    private static ConformanceCase edited(GemmSpec s, int r, DType bType, boolean bias) {
        String shape = GemmConformance.describe(s) + " r " + r + " B " + bType + (bias ? " +bias" : "");
        long seed = shape.hashCode();
        return new ConformanceCase("gemmEditedA", shape, (ref, cand) -> {
            Random rng = new Random(seed);
            float[] x = GemmConformance.operandA(rng, s);
            float[] u = GemmConformance.operand(rng, 1, 0, r, s.m(), s.m(), Float.NaN);
            float[] e = GemmConformance.operand(rng, 1, 0, r, s.k(), s.k(), Float.NaN);
            float[] bWide = GemmConformance.operandB(rng, s);
            float[] biasRow = bias ? GemmConformance.operand(rng, 1, 0, 1, s.n(), s.n(), Float.NaN) : null;
            float[] c = GemmConformance.operandC(rng, s);
            short[] bHalf = bType == DType.F32 ? null : half(bType, bWide);
            float[] expected = runEdited(ref, s, x, u, e, r, 0.75f, bType, bWide, bHalf, biasRow, c);
            float[] actual = runEdited(cand, s, x, u, e, r, 0.75f, bType, bWide, bHalf, biasRow, c);
            float[] bound = runEdited(new ScalarBackend(), GemmConformance.absolute(s), GemmConformance.abs(x),
                    GemmConformance.abs(u), GemmConformance.abs(e), r, 0.75f, DType.F32, GemmConformance.abs(bWide),
                    null, biasRow == null ? null : GemmConformance.abs(biasRow), GemmConformance.abs(c));
            TestBuffers.assertWithin(cand.name() + " gemmEditedA " + shape + " output C", expected, actual,
                    GemmConformance.tolerance(bound));
        });
    }

    private static float[] runEdited(KernelBackend backend, GemmSpec s, float[] x, float[] u, float[] e, int r,
                                     float scale, DType bType, float[] bWide, short @Nullable [] bHalf,
                                     float @Nullable [] bias, float[] c) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment cs = TestBuffers.floats(arena, c);
            backend.gemmEditedA(s, TestBuffers.floats(arena, x), TestBuffers.floats(arena, u),
                    TestBuffers.floats(arena, e), r, scale, bType, weight(arena, bWide, bHalf),
                    bias == null ? MemorySegment.NULL : TestBuffers.floats(arena, bias), cs);
            return TestBuffers.toArray(cs, c.length);
        }
    }

    private static ConformanceCase weight(GemmSpec s, DType bType, @Nullable WeightDropout d, boolean bias) {
        String shape = GemmConformance.describe(s) + " B " + bType + (d == null ? "" : " dropout " + d.p()
                + (d.firstRow() >= s.m() ? " (no row dropped)" : d.firstRow() > 0 ? " from row " + d.firstRow() : ""))
                + (bias ? " +bias" : "");
        long seed = shape.hashCode();
        return new ConformanceCase("gemmWeight", shape, (ref, cand) -> {
            Random rng = new Random(seed);
            float[] a = GemmConformance.operandA(rng, s);
            float[] bWide = GemmConformance.operandB(rng, s);
            float[] biasRow = bias ? GemmConformance.operand(rng, 1, 0, 1, s.n(), s.n(), Float.NaN) : null;
            float[] c = GemmConformance.operandC(rng, s);
            short[] bHalf = bType == DType.F32 ? null : half(bType, bWide);
            float[] expected = run(ref, s, a, bType, bWide, bHalf, d, biasRow, c);
            float[] actual = run(cand, s, a, bType, bWide, bHalf, d, biasRow, c);
            // bound: |α|·|A|·|B|·scale + |β|·|C| + |bias|, on absolute values by the scalar product
            float scale = d == null ? 1f : d.scale();
            float[] absB = new float[bWide.length];
            for (int i = 0; i < absB.length; i++) {
                absB[i] = Math.abs(bWide[i]) * scale * 1.01f;
            }
            float[] bound = run(new ScalarBackend(), GemmConformance.absolute(s), GemmConformance.abs(a), DType.F32,
                    absB, null, null, biasRow == null ? null : GemmConformance.abs(biasRow), GemmConformance.abs(c));
            double[] tol = GemmConformance.tolerance(bound);
            TestBuffers.assertWithin(cand.name() + " gemmWeight " + shape + " output C", expected, actual, tol);
        });
    }

    /** The values as BF16 or F16 bits (round to nearest even, as the scalar reference converts). */
    private static short[] half(DType t, float[] v) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = TestBuffers.floats(arena, v);
            MemorySegment dst = arena.allocate(JAVA_SHORT, v.length);
            new ScalarBackend().convert(DType.F32, src, t, dst, v.length);
            return dst.toArray(JAVA_SHORT);
        }
    }

    private static float[] run(KernelBackend backend, GemmSpec s, float[] a, DType bType, float[] bWide,
                               short @Nullable [] bHalf, @Nullable WeightDropout d, float @Nullable [] bias,
                               float[] c) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment cs = TestBuffers.floats(arena, c);
            backend.gemmWeight(s, TestBuffers.floats(arena, a), bType, weight(arena, bWide, bHalf), d,
                    bias == null ? MemorySegment.NULL : TestBuffers.floats(arena, bias), cs);
            return TestBuffers.toArray(cs, c.length);
        }
    }

    /** B in its dtype: the float32 values, or the half-precision bits when there are some. */
    private static MemorySegment weight(Arena arena, float[] bWide, short @Nullable [] bHalf) {
        if (bHalf == null) {
            return TestBuffers.floats(arena, bWide);
        }
        MemorySegment b = arena.allocate(JAVA_SHORT, bHalf.length);
        MemorySegment.copy(bHalf, 0, b, JAVA_SHORT, 0, bHalf.length);
        return b;
    }
}
