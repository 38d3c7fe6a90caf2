package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.ProfilingBackend;

/**
 * {@link Grad#recomputingActivations()}: a cheap op's output that only graph nodes still hold is given back to the
 * pool after forward and computed again when backward first reads it, once, with the same bits.
 */
class RecomputeActivationsTest {

    private static final int ROWS = 48;
    private static final int C = 32;

    private final KernelBackend original = Backends.current();

    @AfterEach
    void restoreBackend() {
        Backends.setCurrent(original);
    }

    /** The cheap ops, each followed by a trainable linear layer that saves its input for dW. */
    enum Cheap {
        GELU(ps -> x -> x.gelu(), "unary GELU"),
        SILU(ps -> x -> x.silu(), "unary SILU"),
        LAYER_NORM(ps -> x -> Functional.layerNorm(x, ps.get(1), ps.get(2), 1e-5f), "layerNorm "),
        RMS_NORM(ps -> x -> Functional.rmsNorm(x, ps.get(1), 1e-6f), "rmsNorm "),
        SILU_MUL(ps -> x -> {
            try (Tensor gate = Functional.linear(x, ps.get(3), null); Tensor up = Functional.linear(x, ps.get(4), null)) {
                return Functional.siluMul(gate, up);
            }
        }, "binary MUL");

        final Function<List<Tensor>, Function<Tensor, Tensor>> op;
        final String kernel;

        Cheap(Function<List<Tensor>, Function<Tensor, Tensor>> op, String kernel) {
            this.op = op;
            this.kernel = kernel;
        }
    }

    private static List<Tensor> params() {
        return List.of(affine(Tensor.randn(1, C, C), 0.2f, 0f),       // the consumer's weight
                affine(Tensor.randn(2, C), 1f, 1f),                     // norm gain
                Tensor.randn(3, C).requiresGrad(true),                  // norm bias
                affine(Tensor.randn(4, C, C), 0.2f, 0f),                // gate
                affine(Tensor.randn(5, C, C), 0.2f, 0f));               // up
    }

    /** scale·t + shift as a new leaf that wants a gradient; t is closed. */
    private static Tensor affine(Tensor t, float scale, float shift) {
        try (t; Tensor scaled = t.mul(scale)) {
            return scaled.add(shift).requiresGrad(true);
        }
    }

    private record Run(float[] out, float[] grads, long liveAfterForward, boolean evicted, long kernelCalls) {}

    /** On the current backend; held memory measured by {@code held} (pool bytes, or device buffers). */
    private static Run run(Cheap cheap, boolean recompute, java.util.function.LongSupplier held) {
        ProfilingBackend prof = ProfilingBackend.wrap(Backends.current());
        Backends.setCurrent(prof);
        List<Tensor> ps = params();
        try (Tensor x = Tensor.randn(7, 2, ROWS / 2, C).requiresGrad(true); Tensor gy = Tensor.randn(8, 2, ROWS / 2, C)) {
            Tensor y;
            Storage activation;
            long live;
            long base = held.getAsLong();
            try (Grad.Mode m = Grad.recomputingActivations(recompute)) {
                try (Tensor a = cheap.op.apply(ps).apply(x)) {
                    activation = a.storage();
                    y = Functional.linear(a, ps.get(0), null);
                }
                live = held.getAsLong() - base;
            }
            boolean evicted = activation.isEvicted();
            float[] out;
            try (y) {
                out = y.toFloatArray();
                y.backward(gy);
            }
            List<Tensor> all = new ArrayList<>();
            for (Tensor p : ps) {
                if (p.grad() != null) {
                    all.add(p.grad());
                }
            }
            all.add(x.grad());
            long calls = 0;
            for (ProfilingBackend.Line l : prof.lines()) {
                if (l.kernel().startsWith(cheap.kernel)) {
                    calls += l.calls();
                }
            }
            return new Run(out, CheckpointTest.concat(all.toArray(Tensor[]::new)), live, evicted, calls);
        } finally {
            for (Tensor p : ps) {
                p.close();
            }
            Backends.setCurrent(prof.delegate());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Cheap.class)
    void theOutputIsGivenBackAfterForwardAndRecomputedOnceWithTheSameBits(Cheap cheap) {
        Run kept = run(cheap, false, () -> MemoryPool.get().liveBytes());
        Run recomputed = run(cheap, true, () -> MemoryPool.get().liveBytes());
        assertFalse(kept.evicted());
        assertTrue(recomputed.evicted(), "only the consumer's saved view was left after forward");
        assertEquals(kept.liveAfterForward() - MemoryPool.classSize((long) ROWS * C * Float.BYTES),
                recomputed.liveAfterForward(), "the activation's block went back to the pool");
        assertArrayEquals(kept.out(), recomputed.out(), 0f);
        assertArrayEquals(kept.grads(), recomputed.grads(), 0f);
        assertEquals(kept.kernelCalls() + 1, recomputed.kernelCalls(), "computed again exactly once");
    }

    /** The same on a device backend (explicit copies, memory outside the host pool). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Cheap.class)
    void onADeviceTheBufferIsFreedAndRecomputedToo(Cheap cheap) {
        PretendDevice device = new PretendDevice(Backends.byName("cpu"));
        Backends.setCurrent(device);
        Run kept = run(cheap, false, device::liveBuffers);
        Run recomputed = run(cheap, true, device::liveBuffers);
        assertTrue(recomputed.evicted());
        assertEquals(kept.liveAfterForward() - 1, recomputed.liveAfterForward(), "one device buffer fewer");
        assertArrayEquals(kept.out(), recomputed.out(), 0f);
        assertArrayEquals(kept.grads(), recomputed.grads(), 0f);
        assertEquals(kept.kernelCalls() + 1, recomputed.kernelCalls());
        assertEquals(0, device.liveBuffers(), "device buffers leaked");
    }

    @Test
    void anOutputTheCallerStillHoldsStaysInMemory() {
        List<Tensor> ps = params();
        try (Grad.Mode m = Grad.recomputingActivations();
             Tensor x = Tensor.randn(7, ROWS, C).requiresGrad(true);
             Tensor a = x.gelu();
             Tensor y = Functional.linear(a, ps.get(0), null)) {
            assertFalse(a.storage().isEvicted(), "a is still open");
            float[] before = a.toFloatArray();
            y.sum().backward();
            assertArrayEquals(before, a.toFloatArray(), 0f);
        } finally {
            ps.forEach(Tensor::close);
        }
    }

    @Test
    void aChainOfCheapOpsIsRecomputedThroughTheChain() {
        List<Tensor> ps = params();
        Function<Tensor, Tensor> chain = x -> {
            try (Tensor n = Functional.layerNorm(x, ps.get(1), ps.get(2), 1e-5f); Tensor g = n.gelu()) {
                return Functional.linear(g, ps.get(0), null);
            }
        };
        float[][] grads = new float[2][];
        for (int pass = 0; pass < 2; pass++) {
            try (Grad.Mode m = Grad.recomputingActivations(pass == 1);
                 Tensor x = Tensor.randn(7, ROWS, C).requiresGrad(true)) {
                try (Tensor y = chain.apply(x); Tensor s = y.sum()) {
                    s.backward();
                }
                List<Tensor> all = new ArrayList<>();
                ps.subList(0, 3).forEach(p -> all.add(p.grad()));
                all.add(x.grad());
                grads[pass] = CheckpointTest.concat(all.toArray(Tensor[]::new));
                ps.forEach(p -> p.zeroGrad());
            }
        }
        ps.forEach(Tensor::close);
        assertArrayEquals(grads[0], grads[1], 0f);
    }

    @Test
    void aGraphDroppedWithoutBackwardFreesEverything() {
        long before = MemoryPool.get().liveBytes();
        List<Tensor> ps = params();
        try (Grad.Mode m = Grad.recomputingActivations(); TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(7, ROWS, C).requiresGrad(true);
            Tensor a = x.gelu();
            Functional.linear(a, ps.get(0), null);
            a.close();
            assertTrue(a.storage().isEvicted());
        }   // the scope releases the graph: the evicted activation's recipe lets go of the GELU's input too
        ps.forEach(Tensor::close);
        assertEquals(before, MemoryPool.get().liveBytes());
    }

    @Test
    void offByDefault() {
        assertFalse(Grad.isRecomputingActivations());
        try (Grad.Mode on = Grad.recomputingActivations()) {
            assertTrue(Grad.isRecomputingActivations());
            try (Grad.Mode off = Grad.recomputingActivations(false)) {
                assertFalse(Grad.isRecomputingActivations());
            }
            assertTrue(Grad.isRecomputingActivations());
        }
        assertFalse(Grad.isRecomputingActivations());
    }
}
