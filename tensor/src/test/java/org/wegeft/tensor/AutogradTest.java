package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class AutogradTest {

    @Test
    void gradientsAccumulateAcrossTwoBackwardCalls() {
        try (TensorScope s = TensorScope.open()) {
            Tensor w = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true);
            w.mul(w).sum().backward();            // d/dw = 2w
            assertArrayEquals(new float[] {2, 4, 6}, w.grad().toFloatArray());
            w.mul(3f).sum().backward();           // + 3
            assertArrayEquals(new float[] {5, 7, 9}, w.grad().toFloatArray());
            w.zeroGrad();
            assertArrayEquals(new float[] {0, 0, 0}, w.grad().toFloatArray());
            w.setGrad(null);
            assertNull(w.grad());
            w.close();
        }
    }

    @Test
    void noGradScopeRecordsNothingAndNests() {
        try (TensorScope s = TensorScope.open()) {
            Tensor w = Tensor.of(new float[] {1, 2}).requiresGrad(true);
            try (Grad.Mode g = Grad.disabled()) {
                Tensor y = w.mul(2f).exp();
                assertFalse(y.requiresGrad());
                assertTrue(y.isLeaf());
                try (Grad.Mode inner = Grad.disabled()) {
                    assertFalse(Grad.isEnabled());
                }
                assertFalse(Grad.isEnabled(), "closing a nested scope restores the outer (disabled) mode");
                try (Grad.Mode on = Grad.enabled()) {
                    assertTrue(w.mul(2f).requiresGrad());
                }
                assertThrows(IllegalStateException.class, () -> y.sum().backward());
            }
            assertTrue(Grad.isEnabled());
            assertTrue(w.mul(2f).requiresGrad());
            w.close();
        }
    }

    @Test
    void frozenTensorsNeverGetGradientBuffers() {
        try (TensorScope s = TensorScope.open()) {
            Tensor frozen = Tensor.randn(1, 4, 3);
            Tensor bias = Tensor.zeros(4);
            Tensor adapter = Tensor.randn(2, 3, 3).requiresGrad(true);
            Tensor x = Tensor.randn(3, 2, 3);
            Tensor h = x.matmul(adapter);
            Functional.linear(h, frozen, bias).square().sum().backward();
            assertNull(frozen.grad());
            assertNull(bias.grad());
            assertNull(x.grad());
            assertNotNull(adapter.grad());
        }
    }

    @Test
    void sharedInputGetsSumOfBothPaths() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {0.5f, -1f}).requiresGrad(true);
            Tensor a = x.exp();
            Tensor b = x.mul(x);
            a.add(b).sum().backward();            // e^x + 2x
            float[] g = x.grad().toFloatArray();
            assertArrayEquals(new float[] {(float) Math.exp(0.5) + 1f, (float) Math.exp(-1) - 2f}, g, 1e-6f);
        }
    }

    @Test
    void graphIsReleasedAfterBackwardUnlessRetained() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad(true);
            Tensor y = x.exp().sum();
            try (Tensor one = Tensor.scalar(1f)) {
                y.backward(one, true);
                y.backward(one, true);
                y.backward(one);
            }
            assertArrayEquals(new float[] {3 * (float) Math.E, 3 * (float) Math.exp(2)}, x.grad().toFloatArray(), 1e-5f);
            IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
            assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
        }
    }

    /** An identity op whose backward records the pool's live bytes at the moment it runs. */
    private static final class Probe extends Node {
        private final long[] liveSeen;

        private Probe(Tensor x, long[] liveSeen) {
            super(x);
            this.liveSeen = liveSeen;
        }

        static Tensor apply(Tensor x, long[] liveSeen) {
            return Node.record(Raw.contiguousAs(x, x.dtype()), new Probe(x, liveSeen));
        }

        @Override
        Tensor[] backward(Tensor g) {
            liveSeen[0] = MemoryPool.get().liveBytes();
            return new Tensor[] {Raw.contiguousAs(g, g.dtype())};
        }
    }

    @Test
    void savedTensorsGoAsSoonAsTheirNodeHasRunBackward() {
        long mb4 = 4L << 20;
        long[] live = new long[1];
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(1, 1024, 1024).requiresGrad(true);
            Tensor p = Probe.apply(x, live);      // 4 MB, saved (twice, one storage) by the square below
            Tensor loss = p.mul(p).sum();
            p.close();
            long before = MemoryPool.get().liveBytes();
            loss.backward();
            // when the probe's backward runs, mul's has run: its saved 4 MB must be gone already (the probe's
            // 4 MB incoming gradient replaces it), not kept until the whole backward has finished
            assertTrue(live[0] < before + mb4 / 2, "live " + live[0] + " vs " + before + " before backward");
            assertNotNull(x.grad());
        }
        // retained graphs keep everything: the same probe sees the saved tensor still held
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(2, 1024, 1024).requiresGrad(true);
            Tensor p = Probe.apply(x, live);
            Tensor loss = p.mul(p).sum();
            p.close();
            long before = MemoryPool.get().liveBytes();
            try (Tensor one = Tensor.scalar(1f)) {
                loss.backward(one, true);
            }
            assertTrue(live[0] >= before + mb4 / 2, "live " + live[0] + " vs " + before + " before backward");
        }
    }

    @Test
    void crossEntropyGradientIsTheSameInPlaceAndRetained() {
        int[] targets = {3, -100, 0, 7, 7, 1};
        try (TensorScope s = TensorScope.open()) {
            Tensor t = Tensor.ofInts(targets);
            Tensor a = Tensor.randn(5, 6, 10).requiresGrad(true);
            Tensor b = a.detach().requiresGrad(true);
            Tensor la = Functional.crossEntropy(a.mul(2f), t);
            try (Tensor one = Tensor.scalar(0.5f)) {
                la.backward(one, true);                    // retained: scales a copy
                la.backward(one);                          // last: scales the saved gradient in place
            }
            Tensor lb = Functional.crossEntropy(b.mul(2f), t);
            try (Tensor one = Tensor.scalar(1f)) {
                lb.backward(one);
            }
            assertArrayEquals(b.grad().toFloatArray(), a.grad().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void detachCutsTheGraphAndSharesStorage() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad(true);
            Tensor y = x.mul(2f);
            Tensor d = y.detach();
            assertFalse(d.requiresGrad());
            assertTrue(d.sharesStorageWith(y));
            x.mul(d).sum().backward();            // d is a constant: grad = d
            assertArrayEquals(new float[] {2, 4}, x.grad().toFloatArray());
        }
    }

    @Test
    void requiresGradOnlyOnFloatLeaves() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.ones(2).requiresGrad(true);
            Tensor y = x.mul(2f);
            assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
            assertThrows(IllegalArgumentException.class, () -> Tensor.ofInts(new int[] {1}).requiresGrad(true));
        }
    }

    @Test
    void backwardWithExplicitGradientOfNonScalar() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true);
            Tensor y = x.mul(x);
            y.backward(Tensor.of(new float[] {1, 0, 2}));
            assertArrayEquals(new float[] {2, 0, 12}, x.grad().toFloatArray());
            assertThrows(ShapeMismatchException.class, () -> x.mul(2f).backward(Tensor.ones(2)));
        }
    }

    @Test
    void leafGradientDoesNotAliasAnotherTensor() {
        try (TensorScope s = TensorScope.open()) {
            Tensor a = Tensor.of(new float[] {1, 2}).requiresGrad(true);
            Tensor b = Tensor.of(new float[] {3, 4}).requiresGrad(true);
            a.add(b).sum().backward();            // both get the same upstream gradient
            a.grad().addInPlace(Tensor.ones(2), 1f);
            assertArrayEquals(new float[] {1, 1}, b.grad().toFloatArray(), "b's grad must not see a's update");
        }
    }

    @Test
    void gradientCheckCatchesAWrongBackward() {
        // an op whose backward is off by a factor of two must fail the finite-difference check
        assertThrows(AssertionFailedError.class, () -> GradCheck.check("wrong double",
                x -> WrongDouble.apply(x.get(0)), GradCheck.In.rand(1, 3)));
    }

    /** y = 2x with a deliberately wrong backward (dx = dy). */
    static final class WrongDouble extends Node {
        WrongDouble(Tensor x) {
            super(x);
        }

        static Tensor apply(Tensor x) {
            Tensor y = Raw.affine(x, 2f, 0f);
            return Node.shouldRecord(x) ? Node.record(y, new WrongDouble(x)) : y;
        }

        @Override
        Tensor[] backward(Tensor g) {
            return new Tensor[] {Raw.affine(g, 1f, 0f)};
        }
    }

    @Test
    void catOfIntsKeepsValues() {
        try (TensorScope s = TensorScope.open()) {
            Tensor a = Tensor.ofInts(new int[] {1, 2, 3, 4}, 2, 2);
            Tensor b = Tensor.ofInts(new int[] {5, 6}, 2, 1);
            assertArrayEquals(new int[] {1, 2, 5, 3, 4, 6}, Functional.cat(List.of(a, b), 1).toIntArray());
        }
    }
}
