package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.ProfilingBackend;

/**
 * {@link Functional#linearCrossEntropy} equals {@code crossEntropy(linear(h, W, b), t)} in loss and in every gradient,
 * whatever the chunk size, and holds far less than the logits while doing so.
 */
class LinearCrossEntropyTest {
    private static final int V = 37;
    private static final int C = 24;
    private static final int IGNORE = Functional.IGNORE_INDEX;

    private final KernelBackend original = Backends.current();

    @AfterEach
    void restoreBackend() {
        Backends.setCurrent(original);
    }

    /**
     * One comparison: W's dtype, rows per chunk (0: the default), which inputs are trainable, label smoothing, and
     * whether hidden is (2, 11, C) with targets (2, 11) rather than (22, C) with (22).
     */
    record Case(String name, DType dtype, int chunk, boolean bias, boolean trainH, boolean trainW, float eps,
                boolean batched) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("F32, chunks of 1, all trainable", DType.F32, 1, true, true, true, 0f, false),
                new Case("F32, chunks of 3, all trainable, smoothing", DType.F32, 3, true, true, true, 0.1f, false),
                new Case("F32, chunks of 7, (B, T, C) input", DType.F32, 7, true, true, true, 0f, true),
                new Case("F32, default chunk, smoothing", DType.F32, 0, true, true, true, 0.2f, true),
                new Case("F32 frozen, no bias, chunks of 3", DType.F32, 3, false, true, false, 0f, false),
                new Case("F32 trainable head over a frozen input", DType.F32, 7, true, false, true, 0.1f, false),
                new Case("BF16 frozen, chunks of 1", DType.BF16, 1, false, true, false, 0f, false),
                new Case("BF16 frozen, chunks of 3, trainable bias, smoothing", DType.BF16, 3, true, true, false, 0.1f,
                        true),
                new Case("BF16 frozen, chunks of 7", DType.BF16, 7, true, true, false, 0f, false),
                new Case("BF16 frozen, default chunk, smoothing", DType.BF16, 0, false, true, false, 0.1f, false));
    }

    /** n targets in [0, V), rows 2, 9, 16, ... and the last one ignored (in several chunks, and at the end). */
    private static int[] targets(SplittableRandom rng, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = i % 7 == 2 || i == n - 1 ? IGNORE : rng.nextInt(V);
        }
        return t;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossAndGradientsEqualCrossEntropyOfLinear(Case k) {
        SplittableRandom rng = new SplittableRandom(k.name().hashCode());
        long[] hs = k.batched() ? new long[] {2, 11, C} : new long[] {22, C};
        long[] ts = k.batched() ? new long[] {2, 11} : new long[] {22};
        try (TensorScope s = TensorScope.open()) {
            Tensor h0 = Tensor.randn(rng, hs);
            Tensor w32 = Tensor.randn(rng, V, C).mul(0.4f);
            Tensor w0 = k.dtype() == DType.F32 ? w32 : w32.to(k.dtype());
            Tensor b0 = k.bias() ? Tensor.randn(rng, V) : null;
            Tensor t = Tensor.ofInts(targets(rng, 22), ts);
            Leaves fused = new Leaves(h0, w0, b0, k);
            Leaves plain = new Leaves(h0, w0, b0, k);
            Tensor lf = LinearCrossEntropyOp.apply(fused.h, fused.w, fused.b, t, IGNORE, k.eps(), k.chunk());
            Tensor lp = Functional.crossEntropy(Functional.linear(plain.h, plain.w, plain.b), t, IGNORE, k.eps());
            assertClose(new float[] {lp.item()}, new float[] {lf.item()}, "loss");
            lf.backward();
            lp.backward();
            assertGrad(plain.h, fused.h, "hidden");
            assertGrad(plain.w, fused.w, "weight");
            if (b0 != null) {
                assertGrad(plain.b, fused.b, "bias");
            }
        }
    }

    /** Fresh leaves over the same data, trainable as the case says. */
    private static final class Leaves {
        final Tensor h;
        final Tensor w;
        final @Nullable Tensor b;

        Leaves(Tensor h0, Tensor w0, @Nullable Tensor b0, Case k) {
            h = h0.detach().requiresGrad(k.trainH());
            w = w0.detach().requiresGrad(k.trainW());
            b = b0 == null ? null : b0.detach().requiresGrad(true);
        }
    }

    private static void assertGrad(Tensor expected, Tensor actual, String what) {
        if (!expected.requiresGrad()) {
            assertNull(actual.grad(), what + " is frozen but got a gradient");
            return;
        }
        assertNotNull(actual.grad(), what + " got no gradient");
        assertArrayEquals(expected.shape(), actual.grad().shape(), what + " gradient shape");
        assertClose(expected.grad().toFloatArray(), actual.grad().toFloatArray(), what + " gradient");
    }

    /** max |a − e| ≤ 1e-5 · max |e| (and no NaN). */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double scale = 0;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            assertFalse(Float.isNaN(actual[i]), what + "[" + i + "] is NaN");
            scale = Math.max(scale, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(scale > 0, what + " is all zeros: the comparison would prove nothing");
        assertTrue(err <= 1e-5 * scale, what + ": max error " + err + " against max magnitude " + scale);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 0})
    void allIgnoredGivesNaNLikeCrossEntropy(int chunk) {
        try (TensorScope s = TensorScope.open()) {
            Tensor h = Tensor.randn(1, 5, C).requiresGrad(true);
            Tensor w = Tensor.randn(2, V, C);
            Tensor t = Tensor.ofInts(new int[] {IGNORE, IGNORE, IGNORE, IGNORE, IGNORE}, 5);
            assertTrue(Float.isNaN(Functional.crossEntropy(Functional.linear(h, w, null), t).item()));
            assertTrue(Float.isNaN(LinearCrossEntropyOp.apply(h, w, null, t, IGNORE, 0f, chunk).item()));
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        int[] t = {3, IGNORE, 0, 6, 2};
        GradCheck.check("linearCrossEntropy",
                xs -> LinearCrossEntropyOp.apply(xs.get(0), xs.get(1), xs.get(2), Tensor.ofInts(t, 5), IGNORE, 0.1f, 2),
                GradCheck.In.rand(1, 5, 4),
                GradCheck.In.rand(2, 7, 4), GradCheck.In.rand(3, 7));
    }

    @Test
    void evaluationRunsNoGradientProductAndRecordsNothing() {
        ProfilingBackend prof = ProfilingBackend.wrap(original);
        Backends.setCurrent(prof);
        try (TensorScope s = TensorScope.open()) {
            Tensor h = Tensor.randn(1, 10, C).requiresGrad(true);
            Tensor w = Tensor.randn(2, V, C).to(DType.BF16);
            Tensor t = Tensor.ofInts(targets(new SplittableRandom(3), 10), 10);
            try (Grad.Mode off = Grad.disabled()) {
                Tensor loss = LinearCrossEntropyOp.apply(h, w, null, t, IGNORE, 0f, 3);
                assertFalse(loss.requiresGrad());
            }
            assertEquals(4, calls(prof, "gemm"), "one product per chunk of 3 of 10 rows, logits only");
            prof.reset();
            Tensor loss = LinearCrossEntropyOp.apply(h, w, null, t, IGNORE, 0f, 3);
            assertTrue(loss.requiresGrad());
            assertEquals(8, calls(prof, "gemm"), "logits and the input gradient per chunk");
            prof.reset();
            loss.backward();
            assertEquals(0, calls(prof, "gemm"), "backward only scales");
        }
    }

    private static long calls(ProfilingBackend prof, String kernel) {
        return prof.byKernel().stream().filter(l -> l.kernel().equals(kernel)).mapToLong(ProfilingBackend.Line::calls)
                .sum();
    }

    @Test
    void peakMemoryStaysFarBelowTheLogits() {
        int n = 1024;
        int v = 32_000;
        int c = 64;
        SplittableRandom rng = new SplittableRandom(5);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i % 10 == 0 ? IGNORE : rng.nextInt(v);
        }
        try (Tensor w32 = Tensor.randn(rng, v, c); Tensor w = w32.to(DType.BF16);
             Tensor h = Tensor.randn(rng, n, c).requiresGrad(true); Tensor t = Tensor.ofInts(ids, n)) {
            long before = MemoryStats.settled().liveBytes();
            MemoryPool.get().resetPeaks();
            // chunks of 128 rows: 2 × 16 MB of chunk buffers where the logits would take 131 MB
            try (Tensor loss = LinearCrossEntropyOp.apply(h, w, null, t, IGNORE, 0f, 128)) {
                loss.backward();
                assertTrue(Float.isFinite(loss.item()) && loss.item() > 0, "loss " + loss.item());
            }
            long peak = MemoryStats.current().peakLiveBytes() - before;
            long logits = (long) n * v * Float.BYTES;
            assertNotNull(h.grad());
            assertTrue(peak < 40L << 20, "peak " + peak + " bytes; the logits alone are " + logits);
        }
    }

    @Test
    void onADeviceBackendEqualsTheHost() {
        PretendDevice device = new PretendDevice(Backends.byName("cpu"));
        float[][] host = runSmall();
        Backends.setCurrent(device);
        float[][] dev = runSmall();
        Backends.setCurrent(original);
        assertTrue(device.kernels.get() > 0, "the pretend device ran no kernel");
        for (int i = 0; i < host.length; i++) {
            assertClose(host[i], dev[i], "result " + i);
        }
        assertEquals(0, device.liveBuffers(), "device buffers leaked");
    }

    /** Loss and the gradients of hidden, W and b of a small trainable head, chunks of 4 rows. */
    private static float[][] runSmall() {
        try (TensorScope s = TensorScope.open()) {
            Tensor h = Tensor.randn(1, 9, C).requiresGrad(true);
            Tensor w = Tensor.randn(2, V, C).requiresGrad(true);
            Tensor b = Tensor.randn(3, V).requiresGrad(true);
            Tensor t = Tensor.ofInts(targets(new SplittableRandom(4), 9), 9);
            Tensor loss = LinearCrossEntropyOp.apply(h, w, b, t, IGNORE, 0.1f, 4);
            loss.backward();
            return new float[][] {loss.toFloatArray(), h.grad().toFloatArray(), w.grad().toFloatArray(),
                    b.grad().toFloatArray()};
        }
    }

    /** Shapes that do not fit: hidden, weight, bias (or null), targets, and the shapes the message must name. */
    record Bad(String name, long[] h, long[] w, long @Nullable [] b, long[] t, String... named) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Bad> badShapes() {
        return Stream.of(
                new Bad("hidden size differs", new long[] {4, 8}, new long[] {10, 6}, null, new long[] {4},
                        "(4, 8)", "(10, 6)"),
                new Bad("bias of another vocabulary", new long[] {4, 8}, new long[] {10, 8}, new long[] {9},
                        new long[] {4}, "(9)", "(10, 8)"),
                new Bad("a target too many", new long[] {4, 8}, new long[] {10, 8}, null, new long[] {5},
                        "(5)", "(4, 8)"),
                new Bad("targets of another shape", new long[] {2, 3, 8}, new long[] {10, 8}, null,
                        new long[] {3, 2}, "(3, 2)", "(2, 3, 8)"),
                new Bad("weight not a matrix", new long[] {4, 8}, new long[] {2, 10, 8}, null, new long[] {4},
                        "(4, 8)", "(2, 10, 8)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badShapes")
    void badShapesAreRejectedByName(Bad bad) {
        try (TensorScope s = TensorScope.open()) {
            Tensor h = Tensor.zeros(bad.h());
            Tensor w = Tensor.zeros(bad.w());
            Tensor b = bad.b() == null ? null : Tensor.zeros(bad.b());
            Tensor t = Tensor.ofInts(new int[(int) Shapes.numel(bad.t())], bad.t());
            var e = assertThrows(ShapeMismatchException.class,
                    () -> Functional.linearCrossEntropy(h, w, b, t, IGNORE, 0f));
            assertTrue(e.getMessage().startsWith("linearCrossEntropy"), e.getMessage());
            for (String shape : bad.named()) {
                assertTrue(e.getMessage().contains(shape), "'" + shape + "' not named in: " + e.getMessage());
            }
        }
    }

    @Test
    void aTargetOutsideTheVocabularyNamesItsRow() {
        try (TensorScope s = TensorScope.open()) {
            Tensor h = Tensor.randn(1, 8, C);
            Tensor w = Tensor.randn(2, V, C);
            Tensor t = Tensor.ofInts(new int[] {0, 1, 2, 3, 4, V, 6, 7}, 8);
            var e = assertThrows(IndexOutOfBoundsException.class,
                    () -> LinearCrossEntropyOp.apply(h, w, null, t, IGNORE, 0f, 3));
            assertTrue(e.getMessage().contains("rows 3 to 5") && e.getMessage().contains(String.valueOf(V)),
                    e.getMessage());
        }
    }
}
