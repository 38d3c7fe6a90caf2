package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Functional.checkpoint: same values and gradients as the plain computation, with fn rerun in backward. */
class CheckpointTest {

    /** y = silu(x·W1ᵀ + b) · c  ·W2ᵀ, with c a constant (3): a small two-layer block. */
    private static BiFunction<Tensor, List<Tensor>, Tensor> block(Tensor w1, Tensor b, Tensor w2, AtomicInteger calls) {
        return (x, cs) -> {
            calls.incrementAndGet();
            try (Tensor h = Functional.linear(x, w1, b); Tensor a = h.silu(); Tensor s = a.mul(cs.get(0))) {
                return Functional.linear(s, w2, null);
            }
        };
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void gradientsEqualThePlainComputation(boolean inputNeedsGrad) {
        float[][] grads = new float[2][];
        float[][] xGrads = new float[2][];
        float[][] outs = new float[2][];
        for (int pass = 0; pass < 2; pass++) {
            boolean checkpointed = pass == 1;
            try (Tensor x = Tensor.randn(1, 2, 5, 6).requiresGrad(inputNeedsGrad);
                 Tensor w1 = Tensor.randn(2, 7, 6).requiresGrad(true);
                 Tensor b = Tensor.randn(3, 7).requiresGrad(true);
                 Tensor w2 = Tensor.randn(4, 6, 7).requiresGrad(true);
                 Tensor c = Tensor.randn(5, 7);
                 Tensor gy = Tensor.randn(6, 2, 5, 6)) {
                AtomicInteger calls = new AtomicInteger();
                var fn = block(w1, b, w2, calls);
                Tensor y = checkpointed ? Functional.checkpoint(fn, x, List.of(c), List.of(w1, b, w2))
                        : fn.apply(x, List.of(c));
                try (y) {
                    assertTrue(y.requiresGrad());
                    outs[pass] = y.toFloatArray();
                    y.backward(gy);
                }
                assertEquals(checkpointed ? 2 : 1, calls.get(), "fn runs once more in backward when checkpointed");
                grads[pass] = concat(w1.grad(), b.grad(), w2.grad());
                xGrads[pass] = inputNeedsGrad ? x.grad().toFloatArray() : null;
                if (!inputNeedsGrad) {
                    assertNull(x.grad());
                }
            }
        }
        assertArrayEquals(outs[0], outs[1], 0f);
        assertClose(grads[0], grads[1]);
        if (inputNeedsGrad) {
            assertClose(xGrads[0], xGrads[1]);
        }
    }

    @Test
    void withoutAnythingToDifferentiateItIsThePlainCall() {
        try (Tensor x = Tensor.randn(1, 3, 4); Tensor w = Tensor.randn(2, 5, 4)) {
            Tensor y = Functional.checkpoint((in, cs) -> Functional.linear(in, w, null), x, List.of(), List.of());
            try (y) {
                assertTrue(!y.requiresGrad());
            }
        }
    }

    @Test
    void nonLeafParametersAreRejected() {
        try (Tensor x = Tensor.randn(1, 3, 4); Tensor w = Tensor.randn(2, 5, 4).requiresGrad(true);
             Tensor w2 = w.mul(2f)) {
            assertThrows(IllegalArgumentException.class, () -> Functional.checkpoint(
                    (in, cs) -> Functional.linear(in, w2, null), x, List.of(), List.of(w2)));
        }
    }

    @Test
    void constantsOutliveTheCallersHandles() {
        try (Tensor x = Tensor.randn(1, 3, 4).requiresGrad(true); Tensor w = Tensor.randn(2, 5, 4).requiresGrad(true)) {
            Tensor c = Tensor.randn(3, 5);
            Tensor y = Functional.checkpoint((in, cs) -> {
                try (Tensor h = Functional.linear(in, w, null)) {
                    return h.mul(cs.get(0));
                }
            }, x, List.of(c), List.of(w));
            c.close();                                   // the node keeps its own alias
            try (y; Tensor s = y.sum()) {
                s.backward();
            }
            assertNotNull(w.grad());
            assertNotNull(x.grad());
        }
    }

    /** The tensors' values one after another. */
    static float[] concat(Tensor... ts) {
        int n = 0;
        for (Tensor t : ts) {
            n += (int) t.numel();
        }
        float[] out = new float[n];
        int o = 0;
        for (Tensor t : ts) {
            float[] a = t.toFloatArray();
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }

    private static void assertClose(float[] a, float[] b) {
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        assertTrue(diff <= 1e-6 * Math.max(1, scale), "max diff " + diff + " (scale " + scale + ")");
    }
}
